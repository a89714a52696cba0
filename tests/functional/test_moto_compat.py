"""Each moto adaptation in pexlogs.local.moto_compat: the gap it covers still exists in the
installed moto (so an upgrade that fixes it fails here, and the patch can go), and the patch
closes it."""

from __future__ import annotations

import gzip
import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pexlogs.local import moto_compat
from pexlogs.local import workflow as local_workflow

REGION = "eu-west-1"


@pytest.fixture
def aws() -> Iterator[dict[str, Any]]:
    with mock_aws():
        moto_compat.apply()
        moto_compat.reset_injections()
        clients = {
            name: boto3.client(name, region_name=REGION)  # type: ignore[call-overload]
            for name in ("stepfunctions", "logs", "s3", "glue")
        }
        try:
            yield clients
        finally:
            moto_compat.set_glue_job_runner(None)
            moto_compat.reset_injections()


def run(
    sfn: Any, definition: dict[str, Any], execution_input: dict[str, Any] | None = None
) -> local_workflow.ExecutionResult:
    name = f"compat-{time.monotonic_ns()}"
    arn = sfn.create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=local_workflow.DEFAULT_ROLE_ARN
    )["stateMachineArn"]
    return local_workflow.run_execution(sfn, arn, execution_input or {}, timeout=60)


def task(resource: str, arguments: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": resource,
                "Arguments": arguments,
                "End": True,
                **extra,
            }
        },
    }


def test_apply_is_idempotent_and_remove_restores_moto() -> None:
    from moto.logs.models import LogsBackend

    def patched() -> bool:
        return "_install_logs_export" in LogsBackend.create_export_task.__qualname__

    moto_compat.apply()
    first = LogsBackend.create_export_task
    moto_compat.apply()
    assert LogsBackend.create_export_task is first
    assert moto_compat.installed() == set(moto_compat.PATCH_NAMES)
    moto_compat.remove()
    try:
        assert moto_compat.installed() == set()
        assert not patched()
    finally:
        moto_compat.apply()
    with moto_compat.without("logs_export"):
        assert not patched()
        assert "logs_export" not in moto_compat.installed()
    assert patched()
    with (
        pytest.raises(ValueError, match="unknown moto_compat patch"),
        moto_compat.without("no_such_patch"),
    ):
        pass


def test_jsonata_backend(aws: dict[str, Any]) -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Add",
        "States": {
            "Add": {
                "Type": "Pass",
                "Output": "{% {'sum': 1 + 2, 'hour': $fromMillis(0, '[H01]')} %}",
                "End": True,
            }
        },
    }
    with moto_compat.without("jsonata_backend"):
        assert run(aws["stepfunctions"], definition).status == "FAILED"  # moto calls None
    result = run(aws["stepfunctions"], definition)
    assert result.succeeded, result.cause
    assert result.output == {"sum": 3, "hour": "00"}


def test_failing_jsonata_is_a_query_evaluation_error(aws: dict[str, Any]) -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Bad",
        "States": {"Bad": {"Type": "Pass", "Output": "{% $toMillis('not a time') %}", "End": True}},
    }
    result = run(aws["stepfunctions"], definition)
    assert result.status == "FAILED"
    assert result.error == "States.QueryEvaluationError"
    assert "$toMillis('not a time')" in (result.cause or "")


def test_jsonata_values_keep_nulls_and_quotes(aws: dict[str, Any]) -> None:
    from moto.stepfunctions.parser.asl.eval import variable_store

    with moto_compat.without("jsonata_string_bindings"):
        # moto as shipped: the quote ends the JSONata string early
        assert variable_store.encode_jsonata_variable_declarations({"$t": 'a"b'}) == '$t:="a"b";'
    assert variable_store.encode_jsonata_variable_declarations({"$t": 'a"b'}) == '$t:="a\\"b";'
    # A value with quotes and a backslash (an error cause, say) survives the round trip.
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Set",
        "States": {
            "Set": {
                "Type": "Pass",
                "Assign": {"text": "{% $states.input.text %}", "nothing": None},
                "Next": "Use",
            },
            "Use": {
                "Type": "Pass",
                "Output": "{% {'text': $text, 'null_exists': $exists($nothing), 'is_null': $nothing = null} %}",
                "End": True,
            },
        },
    }
    text = 'say "hi" \\ bye'
    result = run(aws["stepfunctions"], definition, {"text": text})
    assert result.succeeded, result.cause
    assert result.output == {"text": text, "null_exists": True, "is_null": True}


def test_sdk_service_name_error_names_and_casing(aws: dict[str, Any]) -> None:
    aws["logs"].create_log_group(logGroupName="/pexip/support")
    describe = task(
        "arn:aws:states:::aws-sdk:cloudwatchlogs:describeLogGroups",
        {"LogGroupNamePrefix": "/pexip/"},
        Output="{% {'name': $states.result.LogGroups[0].LogGroupName} %}",
    )
    with moto_compat.without("sdk_service_names"):
        result = run(aws["stepfunctions"], describe)
        assert result.status == "FAILED"
        assert "Unknown service: 'cloudwatchlogs'" in (result.cause or "")
    with moto_compat.without("sdk_casing"):
        result = run(aws["stepfunctions"], describe)
        assert result.status == "FAILED"  # the prefix is dropped, the result says logGroups
    result = run(aws["stepfunctions"], describe)
    assert result.succeeded, result.cause
    assert result.output == {"name": "/pexip/support"}

    missing = task(
        "arn:aws:states:::aws-sdk:cloudwatchlogs:describeExportTasks",
        {"TaskId": "no-such-task"},
        Catch=[
            {
                "ErrorEquals": ["CloudWatchLogs.ResourceNotFoundException"],
                "Output": "{% {'error': $states.errorOutput.Error} %}",
                "Next": "Caught",
            }
        ],
    )
    missing["States"]["Caught"] = {"Type": "Succeed"}
    with moto_compat.without("sdk_error_names"):
        result = run(aws["stepfunctions"], missing)
        assert result.status == "FAILED"
        assert result.error == "cloudwatchlogs.ResourceNotFoundException"
    result = run(aws["stepfunctions"], missing)
    assert result.succeeded, result.cause
    assert result.output == {"error": "CloudWatchLogs.ResourceNotFoundException"}


def test_s3_body_comes_back_as_a_string(aws: dict[str, Any]) -> None:
    aws["s3"].create_bucket(
        Bucket="pexlogs-body", CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    aws["s3"].put_object(Bucket="pexlogs-body", Key="k.json", Body=b'{"n": 1}')
    result = run(
        aws["stepfunctions"],
        task(
            "arn:aws:states:::aws-sdk:s3:getObject",
            {"Bucket": "pexlogs-body", "Key": "k.json"},
            Output="{% $parse($states.result.Body) %}",
        ),
    )
    assert result.succeeded, result.cause
    assert result.output == {"n": 1}


def test_sdk_client_cache_reuses_clients() -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_aws_sdk,
    )
    from moto.stepfunctions.parser.asl.utils import boto_client

    with mock_aws():
        assert boto_client.boto_client_for(REGION, "logs") is not boto_client.boto_client_for(
            REGION, "logs"
        )
        cached = state_task_service_aws_sdk.boto_client_for
        assert cached(REGION, "logs") is cached(REGION, "logs")


def glue_job_definition() -> dict[str, Any]:
    return task(
        "arn:aws:states:::glue:startJobRun.sync",
        {"JobName": "job", "Arguments": {"--windows": "[]"}},
        Output="{% {'state': $states.result.JobRunState, 'id': $states.result.Id} %}",
    )


def test_glue_sync_and_job_runner(aws: dict[str, Any]) -> None:
    aws["glue"].create_job(
        Name="job", Role="r", Command={"Name": "glueetl", "ScriptLocation": "s3://c/j.py"}
    )
    with moto_compat.without("glue_sync"):
        result = run(aws["stepfunctions"], glue_job_definition())
        assert result.status == "FAILED"
        assert "interrupt_all" in (result.cause or "")

    calls: list[tuple[str, dict[str, str]]] = []
    moto_compat.set_glue_job_runner(lambda name, args: calls.append((name, dict(args))))
    with moto_compat.without("glue_job_runner"):
        assert run(aws["stepfunctions"], glue_job_definition()).succeeded
        assert calls == []  # moto as shipped runs nothing
    result = run(aws["stepfunctions"], glue_job_definition())
    assert result.succeeded, result.cause
    assert result.output is not None and result.output["state"] == "SUCCEEDED"
    assert calls == [
        ("job", {"--windows": "[]", "--JOB_NAME": "job", "--JOB_RUN_ID": result.output["id"]})
    ]

    def broken(name: str, args: Any) -> None:
        raise ValueError("bad window")

    moto_compat.set_glue_job_runner(broken)
    result = run(aws["stepfunctions"], glue_job_definition())
    assert result.status == "FAILED"
    assert result.error == "States.TaskFailed"
    cause = json.loads(result.cause or "{}")
    assert cause["JobRunState"] == "FAILED"
    assert cause["ErrorMessage"] == "ValueError: bad window"


def _export(
    aws: dict[str, Any], events: list[dict[str, Any]], start_ms: int, end_ms: int
) -> tuple[str, list[str]]:
    logs, s3 = aws["logs"], aws["s3"]
    s3.create_bucket(Bucket="raw", CreateBucketConfiguration={"LocationConstraint": REGION})
    logs.create_log_group(logGroupName="/g")
    logs.create_log_stream(logGroupName="/g", logStreamName="node-1")
    for i in range(0, len(events), 10_000):
        logs.put_log_events(
            logGroupName="/g", logStreamName="node-1", logEvents=events[i : i + 10_000]
        )
    task_id = logs.create_export_task(
        logGroupName="/g",
        fromTime=start_ms,
        to=end_ms,
        destination="raw",
        destinationPrefix="exports/x",
    )["taskId"]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="raw").get("Contents", [])]
    return task_id, keys


@pytest.fixture
def tokyo_time() -> Iterator[None]:
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Tokyo"
    time.tzset()
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = previous
        time.tzset()


def test_export_layout_and_utc_timestamps(aws: dict[str, Any], tokyo_time: None) -> None:
    hour = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp() * 1000)
    events = [{"timestamp": hour + 1234, "message": "hello"}]
    with moto_compat.without("logs_export"):
        task_id, keys = _export(aws, events, hour, hour + 3_600_000 - 1)
        data_keys = [k for k in keys if k.endswith(".gz")]
        assert data_keys and f"/{task_id}/" not in data_keys[0]  # a uuid per stream
        line = gzip.decompress(
            aws["s3"].get_object(Bucket="raw", Key=data_keys[0])["Body"].read()
        ).decode()
        assert line.startswith("2026-01-01T09:00:01.000Z")  # Tokyo time labelled Z
    for key in keys:
        aws["s3"].delete_object(Bucket="raw", Key=key)
    aws["s3"].delete_bucket(Bucket="raw")
    aws["logs"].delete_log_group(logGroupName="/g")

    task_id, keys = _export(aws, events, hour, hour + 3_600_000 - 1)
    assert set(keys) == {"exports/x/aws-logs-write-test", f"exports/x/{task_id}/node-1/000000.gz"}
    body = gzip.decompress(
        aws["s3"]
        .get_object(Bucket="raw", Key=f"exports/x/{task_id}/node-1/000000.gz")["Body"]
        .read()
    )
    assert body.decode() == "2026-01-01T00:00:01.234Z hello\n"


def test_export_has_no_10000_event_cap(aws: dict[str, Any]) -> None:
    start = int((datetime.now(UTC) - timedelta(hours=2)).timestamp() * 1000)
    events = [{"timestamp": start + i, "message": f"m{i}"} for i in range(10_005)]
    with moto_compat.without("logs_export"):
        _, keys = _export(aws, events, start, start + 3_600_000)
        body = (
            aws["s3"]
            .get_object(Bucket="raw", Key=next(k for k in keys if k.endswith(".gz")))["Body"]
            .read()
        )
        assert len(gzip.decompress(body).splitlines()) == 10_000
    for key in keys:
        aws["s3"].delete_object(Bucket="raw", Key=key)
    aws["s3"].delete_bucket(Bucket="raw")
    aws["logs"].delete_log_group(logGroupName="/g")
    task_id, _ = _export(aws, events, start, start + 3_600_000)
    body = (
        aws["s3"]
        .get_object(Bucket="raw", Key=f"exports/x/{task_id}/node-1/000000.gz")["Body"]
        .read()
    )
    assert len(gzip.decompress(body).splitlines()) == 10_005


def test_old_events_are_accepted(aws: dict[str, Any]) -> None:
    logs = aws["logs"]
    logs.create_log_group(logGroupName="/g")
    logs.create_log_stream(logGroupName="/g", logStreamName="s")
    old = int((datetime.now(UTC) - timedelta(days=400)).timestamp() * 1000)
    with moto_compat.without("logs_event_age"):
        response = logs.put_log_events(
            logGroupName="/g", logStreamName="s", logEvents=[{"timestamp": old, "message": "x"}]
        )
        assert "tooOldLogEventEndIndex" in response.get("rejectedLogEventsInfo", {})
    response = logs.put_log_events(
        logGroupName="/g", logStreamName="s", logEvents=[{"timestamp": old + 1, "message": "y"}]
    )
    assert "rejectedLogEventsInfo" not in response
    got = logs.get_log_events(logGroupName="/g", logStreamName="s", startFromHead=True)["events"]
    assert [e["message"] for e in got] == ["y"]


def test_export_injections_and_single_slot(aws: dict[str, Any]) -> None:
    logs, s3 = aws["logs"], aws["s3"]
    s3.create_bucket(Bucket="raw", CreateBucketConfiguration={"LocationConstraint": REGION})
    logs.create_log_group(logGroupName="/g")
    with moto_compat.without("logs_export"):
        for _ in range(2):  # moto as shipped never refuses a second export
            logs.create_export_task(logGroupName="/g", fromTime=0, to=1, destination="raw")

    moto_compat.inject_export_limit_exceeded(times=1)
    with pytest.raises(logs.exceptions.LimitExceededException):
        logs.create_export_task(logGroupName="/g", fromTime=0, to=1, destination="raw")
    moto_compat.set_export_polls_before_completion(2)
    first = logs.create_export_task(logGroupName="/g", fromTime=0, to=1, destination="raw")[
        "taskId"
    ]
    with pytest.raises(logs.exceptions.LimitExceededException):  # the slot is taken
        logs.create_export_task(logGroupName="/g", fromTime=0, to=1, destination="raw")
    codes = [
        logs.describe_export_tasks(taskId=first)["exportTasks"][0]["status"]["code"]
        for _ in range(2)
    ]
    assert codes == ["RUNNING", "COMPLETED"]
    moto_compat.set_export_polls_before_completion(0)
    moto_compat.inject_export_outcome("FAILED", "nope")
    failed = logs.create_export_task(logGroupName="/g", fromTime=0, to=1, destination="raw")[
        "taskId"
    ]
    assert logs.describe_export_tasks(taskId=failed)["exportTasks"][0]["status"] == {
        "code": "FAILED",
        "message": "nope",
    }
    assert [r.outcome for r in moto_compat.export_records()] == [
        "LimitExceeded",
        "COMPLETED",
        "LimitExceeded",
        "FAILED",
    ]


def test_server_mode_port() -> None:
    from moto.settings import moto_server_port

    previous = os.environ.get("MOTO_PORT")
    try:
        moto_compat.configure_server_port(5123)
        assert (
            str(moto_server_port()) == "5123"
        )  # what the interpreter's clients call in server mode
    finally:
        if previous is None:
            os.environ.pop("MOTO_PORT", None)
        else:
            os.environ["MOTO_PORT"] = previous


def test_execution_name_is_null_in_context_without_a_name(aws: dict[str, Any]) -> None:
    # Why local_workflow.start_execution always names executions (the summary key uses the name).
    sfn = aws["stepfunctions"]
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Name",
        "States": {
            "Name": {
                "Type": "Pass",
                "Output": "{% {'name': $states.context.Execution.Name} %}",
                "End": True,
            }
        },
    }
    arn = sfn.create_state_machine(
        name="named", definition=json.dumps(definition), roleArn=local_workflow.DEFAULT_ROLE_ARN
    )["stateMachineArn"]
    unnamed = local_workflow.wait_for_execution(
        sfn, sfn.start_execution(stateMachineArn=arn)["executionArn"]
    )
    assert unnamed.output == {"name": None}
    named = local_workflow.run_execution(sfn, arn, {}, name="run-1")
    assert named.output == {"name": "run-1"}


def test_server_mode_runs_the_workflow() -> None:
    # In server mode the interpreter's own calls go to localhost:$MOTO_PORT, not to the mock.
    import socket

    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(port=port, verbose=False)
    server.start()
    previous = os.environ.get("MOTO_PORT")
    try:
        moto_compat.apply()
        moto_compat.configure_server_port(port)

        def client(name: str) -> Any:
            return boto3.client(name, region_name=REGION, endpoint_url=f"http://localhost:{port}")  # type: ignore[call-overload]

        s3, logs, glue, sns = client("s3"), client("logs"), client("glue"), client("sns")
        s3.create_bucket(
            Bucket="pexlogs-raw", CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        logs.create_log_group(logGroupName="/pexip/support")
        logs.create_log_stream(logGroupName="/pexip/support", logStreamName="n")
        hour = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp() * 1000)
        logs.put_log_events(
            logGroupName="/pexip/support",
            logStreamName="n",
            logEvents=[{"timestamp": hour, "message": "m"}],
        )
        glue.create_job(
            Name="pexip-logs-etl",
            Role="r",
            Command={"Name": "glueetl", "ScriptLocation": "s3://c/j.py"},
        )
        calls: list[str] = []
        moto_compat.set_glue_job_runner(lambda name, args: calls.append(args["--windows"]))
        sfn = client("stepfunctions")
        arn = local_workflow.create_state_machine(
            sfn,
            local_workflow.local_values(
                RawBucketName="pexlogs-raw",
                RawUri="s3://pexlogs-raw",
                CuratedUri="file:///tmp/c",
                RunSummaryBucketName="pexlogs-raw",
                AlertTopicArn=sns.create_topic(Name="alerts")["TopicArn"],
                LogFamilies="support=/pexip/support",
            ),
            name="server-mode",
        )
        result = local_workflow.run_execution(
            sfn, arn, {"start": "2026-01-01T00:00:00Z", "end": "2026-01-01T01:00:00Z"}, timeout=120
        )
        assert result.succeeded, result.cause
        assert result.output is not None
        assert len(result.output["exports"]["support"]) == 1
        assert calls == ['[{"start":"2026-01-01T00:00:00Z","end":"2026-01-01T01:00:00Z"}]']
    finally:
        moto_compat.set_glue_job_runner(None)
        server.stop()
        if previous is None:
            os.environ.pop("MOTO_PORT", None)
        else:
            os.environ["MOTO_PORT"] = previous
