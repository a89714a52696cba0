"""Run the pexlogs workflow on moto: create the state machine from the rendered ASL file, start an
execution, wait for it, read its output, and observe the SNS alerts it sends.

Call :func:`pexlogs.local.moto_compat.apply` first (``create_state_machine`` does it for you), inside
an active ``moto.mock_aws()``. Typical use::

    from pexlogs.local import workflow as local_workflow
    arn = local_workflow.create_state_machine(sfn, local_workflow.local_values(
        RawBucketName="raw", RawUri="s3://raw", CuratedUri="file:///tmp/curated",
        RunSummaryBucketName="raw", AlertTopicArn=topic_arn))
    result = local_workflow.run_execution(sfn, arn, {"start": "2026-01-01T00:00:00Z",
                                                     "end": "2026-01-01T02:00:00Z"})
    result.raise_for_failure()          # WorkflowError("<error>: <cause>") if it failed
    result.output["counts"]             # the job's summary

The Glue job run is whatever :func:`pexlogs.local.moto_compat.set_glue_job_runner` installed;
:func:`summary_writing_runner` adapts a ``run_job(arguments) -> summary`` function so the summary
also lands at ``--summary_uri``, where the workflow reads the counts from.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pexlogs.exceptions import WorkflowError
from pexlogs.local import moto_compat
from pexlogs.workflow import LOCAL_DEFAULTS, STATE_MACHINE_NAME, render_definition

__all__ = [
    "DEFAULT_ROLE_ARN",
    "ExecutionResult",
    "create_state_machine",
    "local_values",
    "read_alerts",
    "run_execution",
    "start_execution",
    "subscribe_alerts",
    "summary_writing_runner",
    "wait_for_execution",
]

DEFAULT_ROLE_ARN = "arn:aws:iam::123456789012:role/pexlogs-states"
_TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}


def local_values(**values: str) -> dict[str, str]:
    """Placeholder values for a local run: :data:`pexlogs.workflow.LOCAL_DEFAULTS` updated with
    ``values`` (the bucket names, URIs and topic ARN have no default)."""
    return {**LOCAL_DEFAULTS, **values}


def create_state_machine(
    sfn_client: Any,
    values: Mapping[str, str],
    *,
    name: str = STATE_MACHINE_NAME,
    role_arn: str = DEFAULT_ROLE_ARN,
) -> str:
    """Create (or update) the state machine from the ASL file rendered with ``values``; its ARN."""
    moto_compat.apply()
    definition = render_definition(values)
    for machine in sfn_client.list_state_machines()["stateMachines"]:
        if machine["name"] == name:
            arn: str = machine["stateMachineArn"]
            sfn_client.update_state_machine(
                stateMachineArn=arn, definition=definition, roleArn=role_arn
            )
            return arn
    created: str = sfn_client.create_state_machine(
        name=name, definition=definition, roleArn=role_arn
    )["stateMachineArn"]
    return created


def start_execution(
    sfn_client: Any,
    state_machine_arn: str,
    execution_input: Mapping[str, Any] | None = None,
    *,
    name: str | None = None,
) -> str:
    """Start an execution with ``execution_input`` (``{}`` by default); its ARN."""
    kwargs: dict[str, Any] = {
        "stateMachineArn": state_machine_arn,
        "input": json.dumps(dict(execution_input or {})),
    }
    # Always name the execution: moto leaves ``$states.context.Execution.Name`` null otherwise
    # (AWS generates a UUID), and the workflow keys the job summary by that name.
    kwargs["name"] = name or str(uuid.uuid4())
    arn: str = sfn_client.start_execution(**kwargs)["executionArn"]
    return arn


@dataclass(frozen=True)
class ExecutionResult:
    """How an execution ended."""

    arn: str
    status: str
    output: dict[str, Any] | None
    error: str | None
    cause: str | None

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"

    def raise_for_failure(self) -> None:
        """Raise :class:`WorkflowError` ``"<error>: <cause>"`` unless the execution succeeded."""
        if not self.succeeded:
            raise WorkflowError(
                f"workflow execution {self.status.lower()}: {self.error or 'no error name'}: "
                f"{self.cause or 'no cause given'}"
            )


def wait_for_execution(
    sfn_client: Any, execution_arn: str, *, timeout: float = 3600.0, poll_seconds: float = 0.05
) -> ExecutionResult:
    """Poll until the execution ends (moto runs it on a thread); raise ``WorkflowError`` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        described = sfn_client.describe_execution(executionArn=execution_arn)
        status = described["status"]
        if status in _TERMINAL:
            output = described.get("output")
            return ExecutionResult(
                arn=execution_arn,
                status=status,
                output=json.loads(output) if output else None,
                error=described.get("error"),
                cause=described.get("cause"),
            )
        if time.monotonic() > deadline:
            raise WorkflowError(
                f"workflow execution {execution_arn} still {status} after {timeout:.0f} s"
            )
        time.sleep(poll_seconds)


def run_execution(
    sfn_client: Any,
    state_machine_arn: str,
    execution_input: Mapping[str, Any] | None = None,
    *,
    name: str | None = None,
    timeout: float = 3600.0,
) -> ExecutionResult:
    """Start an execution and wait for it."""
    arn = start_execution(sfn_client, state_machine_arn, execution_input, name=name)
    return wait_for_execution(sfn_client, arn, timeout=timeout)


def subscribe_alerts(
    sns_client: Any, sqs_client: Any, topic_arn: str, queue_name: str = "pexlogs-alerts"
) -> str:
    """Subscribe a new SQS queue to the alert topic (raw delivery); the queue URL for
    :func:`read_alerts`."""
    queue_url: str = sqs_client.create_queue(QueueName=queue_name)["QueueUrl"]
    queue_arn = sqs_client.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns_client.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    return queue_url


def read_alerts(sqs_client: Any, queue_url: str) -> list[dict[str, Any]]:
    """Every alert waiting in the queue, parsed (``{"execution", "windows", "error", "cause"}``)."""
    alerts: list[dict[str, Any]] = []
    while True:
        messages = sqs_client.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if not messages:
            return alerts
        for message in messages:
            alerts.append(json.loads(message["Body"]))
            sqs_client.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def _split_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://") or "/" not in uri[5:]:
        raise WorkflowError(f"not an s3://bucket/key URI: {uri!r}")
    bucket, key = uri[5:].split("/", 1)
    return bucket, key


def summary_writing_runner(
    run_job: Callable[[Mapping[str, str]], Mapping[str, Any] | None], s3_client: Any
) -> moto_compat.GlueJobRunner:
    """A Glue job runner for :func:`moto_compat.set_glue_job_runner` that calls
    ``run_job(arguments)`` and, when it returns a summary and ``--summary_uri`` is an ``s3://`` URI
    the job did not write itself, stores the summary there as JSON (what the workflow reads)."""

    def runner(job_name: str, arguments: Mapping[str, str]) -> None:
        summary = run_job(arguments)
        uri = arguments.get("--summary_uri")
        if summary is None or not uri or not uri.startswith("s3://"):
            return
        bucket, key = _split_s3_uri(uri)
        try:
            s3_client.head_object(Bucket=bucket, Key=key)
        except s3_client.exceptions.ClientError:
            s3_client.put_object(Bucket=bucket, Key=key, Body=json.dumps(dict(summary)).encode())

    return runner
