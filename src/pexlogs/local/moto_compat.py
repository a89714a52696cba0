"""Every adaptation pexlogs makes to moto, in one place (seen on moto 5.2.5).

moto's Step Functions interpreter runs the real ASL file locally, but a few of its gaps would make
the workflow behave unlike AWS. Each gap has one small, named patch below; :func:`apply` installs them
all (idempotent), :func:`remove` takes them out, and :func:`without` lifts some for a while (the tests
use it to prove each gap still exists in the installed moto, so an upgrade that fixes one fails
loudly and the patch can go).

Patches (names as in :data:`PATCH_NAMES`):

``jsonata_backend``
    moto's JSONata evaluation is a stub (it calls ``None``); back it with ``jsonata-python``, and
    report a failing expression as ``States.QueryEvaluationError`` as AWS does (not
    ``States.Runtime``). Values are bound as data rather than re-parsed from JSON text (10x faster).
``jsonata_string_bindings``
    moto binds string variables into JSONata as ``"<value>"`` without escaping, so a value with a
    quote or backslash (an error cause, a message) breaks the expression; encode them as JSON.
``sdk_service_names``
    ``arn:aws:states:::aws-sdk:cloudwatchlogs:*`` fails with "Unknown service: 'cloudwatchlogs'":
    boto3 calls the service ``logs``.
``sdk_error_names``
    SDK errors come out as ``cloudwatchlogs.LimitExceededException`` / ``s3.NoSuchKeyException``;
    AWS names them ``CloudWatchLogs.*`` / ``S3.*``, which is what Retry/Catch match.
``sdk_casing``
    The aws-sdk integration passes parameters and returns results in boto3 casing; AWS takes and
    returns PascalCase (``LogGroupName``, ``TaskId``, ``ExportTasks[0].Status.Code``), and returns
    an S3 object ``Body`` as a string.
``sdk_client_cache``
    The interpreter builds a new boto3 client for every task (tens of ms each, most of a local
    export's cost); reuse one per service, region and endpoint.
``glue_sync``
    ``arn:aws:states:::glue:startJobRun.sync`` crashes with "'NoneType' object has no attribute
    'interrupt_all'" (the integration has no callback endpoint); give it one.
``glue_job_runner``
    moto's Glue StartJobRun executes nothing. With :func:`set_glue_job_runner`, the run calls
    ``runner(job_name, arguments)`` (arguments include ``--JOB_NAME`` and ``--JOB_RUN_ID`` as on
    Glue) and ends SUCCEEDED, or FAILED with the exception's message as ``ErrorMessage``.
``logs_export``
    moto's CreateExportTask writes ``<prefix>/<uuid per stream>/<stream>/000000.gz`` (AWS:
    ``<prefix>/<taskId>/<stream>/000000.gz``), formats times in the process's local time zone with a
    literal ``Z`` (fixed to UTC), reads at most 10,000 events per stream (lifted), writes empty
    objects for streams with no events (AWS writes none), finishes synchronously and never raises
    LimitExceededException. Replaced by an export that keeps AWS's layout, holds the account's
    single export slot while running (a second CreateExportTask raises LimitExceededException) and
    obeys the test injections :func:`inject_export_limit_exceeded`, :func:`inject_export_outcome`
    and :func:`set_export_polls_before_completion`.
``logs_event_age``
    moto's PutLogEvents silently drops events older than 14 days (or over 2 h ahead); real history
    must be loadable for a local backfill, so accept any age (order is still checked).

Known and left alone (the workflow does not depend on it): a literal string in a JSONata-mode
``Assign``/``Arguments`` keeps its JSON escapes (``"a\\"b"`` arrives as ``a\\"b``); and an execution
started without a name has ``$states.context.Execution.Name`` null (AWS generates one), which is why
:func:`pexlogs.local.workflow.start_execution` always names executions.

Not a patch but needed: Step Functions only executes state machines when
``default_user_config["stepfunctions"]["execute_state_machine"]`` is true (:func:`apply` sets it), and
in server mode the interpreter calls ``http://localhost:$MOTO_PORT`` (:func:`configure_server_port`).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "PATCH_NAMES",
    "ExportRecord",
    "GlueJobRunner",
    "apply",
    "configure_server_port",
    "enable_state_machine_execution",
    "export_records",
    "glue_job_runner",
    "inject_export_limit_exceeded",
    "inject_export_outcome",
    "installed",
    "remove",
    "reset_injections",
    "set_export_polls_before_completion",
    "set_glue_job_runner",
    "without",
]

#: ``runner(job_name, arguments)``; raise to fail the run (the message becomes ``ErrorMessage``).
GlueJobRunner = Callable[[str, Mapping[str, str]], None]

_lock = threading.RLock()


# --------------------------------------------------------------------------------------------
# Patch bookkeeping: every patch replaces attributes and remembers the originals.


_Undo = Callable[[], None]


@dataclass
class _Patch:
    name: str
    install_fn: Callable[[], list[_Undo]]
    undo: list[_Undo] = field(default_factory=list)
    active: bool = False

    def install(self) -> None:
        if not self.active:
            self.undo = self.install_fn()
            self.active = True

    def uninstall(self) -> None:
        if self.active:
            for undo in reversed(self.undo):
                undo()
            self.undo = []
            self.active = False


def _swap(owner: Any, attr: str, new: Any) -> _Undo:
    """Set ``owner.attr = new``; return what restores it."""
    original = getattr(owner, attr)
    setattr(owner, attr, new)
    return lambda: setattr(owner, attr, original)


def _dict_add(target: dict[str, Any], additions: Mapping[str, Any]) -> list[_Undo]:
    """Add entries to one of moto's lookup tables; undo removes exactly those."""
    added = [key for key in additions if key not in target]
    target.update({key: additions[key] for key in added})

    def undo() -> None:
        for key in added:
            target.pop(key, None)

    return [undo]


# --------------------------------------------------------------------------------------------
# jsonata_backend / jsonata_string_bindings


_DECLARATION = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*):=")
_WRAPPED = re.compile(r"^\$(exists|type)\((.*)\)$", re.DOTALL)
# Compiled expressions, shared by the interpreter's threads (moto runs each task on a new one);
# evaluation holds _jsonata_lock because a compiled jsonata-python program is not thread-safe.
_compiled: dict[str, Any] = {}
_jsonata_lock = threading.Lock()


def _with_nulls(value: Any, null: Any) -> Any:
    """JSON ``null`` as jsonata-python's null (its ``None`` means undefined)."""
    if value is None:
        return null
    if isinstance(value, dict):
        return {key: _with_nulls(item, null) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_nulls(item, null) for item in value]
    return value


def _split_declarations(
    composed: str, function_texts: tuple[str, ...]
) -> tuple[str, dict[str, Any]] | None:
    """Split moto's ``(<decls><expr>)`` into the expression (with moto's intrinsic function
    declarations kept as text) and the JSON-valued bindings; ``None`` if it has another shape."""
    if not (composed.startswith("(") and composed.endswith(")")):
        return None
    body, pos, kept = composed[1:-1], 0, []
    decoder = json.JSONDecoder()
    bindings: dict[str, Any] = {}
    while True:
        function_text = next((t for t in function_texts if body.startswith(t, pos)), None)
        if function_text is not None:
            kept.append(function_text)
            pos += len(function_text)
            continue
        match = _DECLARATION.match(body, pos)
        if match is None:
            break
        try:
            value, end = decoder.raw_decode(body, match.end())
        except ValueError:
            return None
        if not body.startswith(";", end):
            return None
        bindings[match.group(1)] = value
        pos = end + 1
    return "(" + "".join(kept) + body[pos:] + ")", bindings


def _install_jsonata_backend() -> list[_Undo]:
    import jsonata
    from jsonata.utils import Utils
    from moto.stepfunctions.parser.asl.component.intrinsic import jsonata as moto_intrinsics
    from moto.stepfunctions.parser.asl.jsonata import jsonata as moto_jsonata

    function_texts = tuple(moto_intrinsics._DECLARATION_BY_VARIABLE_REFERENCE.values())

    def compiled(expression: str) -> Any:
        # moto re-sends every value as JSON text inside the expression; jsonata-python's tokenizer
        # is slow on large values, so values are bound as data and the bare expression is compiled
        # once (call with _jsonata_lock held).
        program = _compiled.get(expression)
        if program is None:
            if len(_compiled) > 4096:
                _compiled.clear()
            program = _compiled[expression] = jsonata.Jsonata(expression)
        return program

    def evaluate(text: str) -> Any:
        wrapper = _WRAPPED.match(text)
        split = _split_declarations(wrapper.group(2) if wrapper else text, function_texts)
        if split is None:
            return jsonata.Jsonata(text).evaluate(None)
        expression, bindings = split
        if wrapper:
            expression = f"${wrapper.group(1)}({expression})"
        values = {name: _with_nulls(value, Utils.NULL_VALUE) for name, value in bindings.items()}
        with _jsonata_lock:
            return compiled(expression).evaluate(None, values)

    def eval_jsonata(text: str) -> Any:
        try:
            return evaluate(text)
        except Exception as exc:  # surfaced by moto as the state's failure
            raise moto_jsonata.JSONataException("States.QueryEvaluationError", str(exc)) from exc

    from moto.stepfunctions.parser.api import EvaluationFailedEventDetails, HistoryEventType
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import (
        StatesErrorName,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )
    from moto.stepfunctions.parser.asl.component.common.string.string_expression import (
        StringJSONata,
    )
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

    event_details: Any = EventDetails  # a TypedDict with every key required to mypy
    original_eval_body = StringJSONata._eval_body

    def eval_body(self: Any, env: Any) -> None:
        # A failing expression is States.QueryEvaluationError on AWS (moto: States.Runtime).
        try:
            original_eval_body(self, env)
        except moto_jsonata.JSONataException as exc:
            error_name = StatesErrorName(typ=StatesErrorNameType.StatesQueryEvaluationError)
            raise FailureEventException(
                failure_event=FailureEvent(
                    env=env,
                    error_name=error_name,
                    event_type=HistoryEventType.EvaluationFailed,
                    event_details=event_details(
                        evaluationFailedEventDetails=EvaluationFailedEventDetails(
                            error=error_name.error_name,
                            cause=f"The JSONata expression '{self.expression}' failed: {exc.details}",
                        )
                    ),
                )
            ) from exc

    return [
        _swap(moto_jsonata, "_eval_jsonata", eval_jsonata),
        _swap(StringJSONata, "_eval_body", eval_body),
    ]


def _install_jsonata_string_bindings() -> list[_Undo]:
    from moto.stepfunctions.parser.asl.eval import states as moto_states
    from moto.stepfunctions.parser.asl.eval import variable_store as moto_variable_store
    from moto.stepfunctions.parser.asl.jsonata import jsonata as moto_jsonata
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

    def encode(bindings: dict[str, Any]) -> str:
        # Same shape as moto's (``$name:=<value>;`` per binding) but every value JSON-encoded.
        return "".join(
            f"{name}:={to_json_str(value, separators=(',', ':'))};"
            for name, value in bindings.items()
        )

    return [
        _swap(module, "encode_jsonata_variable_declarations", encode)
        for module in (moto_jsonata, moto_states, moto_variable_store)
    ]


# --------------------------------------------------------------------------------------------
# sdk_service_names / sdk_error_names / sdk_casing


def _install_sdk_service_names() -> list[_Undo]:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service,
    )

    overrides = state_task_service.StateTaskService._SERVICE_NAME_SFN_TO_BOTO_OVERRIDES
    return _dict_add(overrides, {"cloudwatchlogs": "logs"})


def _install_sdk_error_names() -> list[_Undo]:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_aws_sdk as aws_sdk,
    )

    return _dict_add(
        aws_sdk._SERVICE_ERROR_NAMES,
        {"cloudwatchlogs": "CloudWatchLogs", "s3": "S3", "sns": "Sns", "glue": "Glue"},
    )


_service_models: dict[str, Any] = {}


def _operation_model(service: str, action: str) -> Any:
    import botocore.session

    with _lock:
        model = _service_models.get(service)
        if model is None:
            model = botocore.session.get_session().get_service_model(service)
            _service_models[service] = model
    return model.operation_model(action[:1].upper() + action[1:])


def _install_sdk_casing() -> list[_Undo]:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_aws_sdk import (
        StateTaskServiceAwsSdk,
    )

    def normalise_parameters(
        self: Any,
        parameters: dict[str, Any],
        boto_service_name: str | None = None,
        service_action_name: str | None = None,
    ) -> None:
        service = self._get_boto_service_name(boto_service_name)
        action = service_action_name or self.resource.api_action
        input_shape = _operation_model(service, action).input_shape
        if input_shape is not None:
            self._to_boto_request(parameters, input_shape)

    def normalise_response(
        self: Any,
        response: Any,
        boto_service_name: str | None = None,
        service_action_name: str | None = None,
    ) -> None:
        service = self._get_boto_service_name(boto_service_name)
        action = service_action_name or self.resource.api_action
        output_shape = _operation_model(service, action).output_shape
        if output_shape is not None:
            self._from_boto_response(response, output_shape)

    return [
        _swap(StateTaskServiceAwsSdk, "_normalise_parameters", normalise_parameters),
        _swap(StateTaskServiceAwsSdk, "_normalise_response", normalise_response),
    ]


def _install_sdk_client_cache() -> list[_Undo]:
    from moto.core.models import botocore_stubber
    from moto.settings import moto_server_port
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_aws_sdk,
        state_task_service_glue,
        state_task_service_sns,
    )
    from moto.stepfunctions.parser.asl.utils import boto_client

    create = boto_client.boto_client_for
    clients: dict[tuple[str, str, bool, str], Any] = {}

    def cached_client(region: str, service: str, state_credentials: Any = None) -> Any:
        # moto builds a new boto3 client for every task (tens of ms each); one per service,
        # region and endpoint is enough (the interpreter's calls carry no per-task credentials).
        key = (region, service, bool(botocore_stubber.enabled), str(moto_server_port()))
        with _lock:
            client = clients.get(key)
            if client is None:
                client = clients[key] = create(region, service, state_credentials)
        return client

    return [
        _swap(module, "boto_client_for", cached_client)
        for module in (state_task_service_aws_sdk, state_task_service_glue, state_task_service_sns)
    ]


# --------------------------------------------------------------------------------------------
# glue_sync / glue_job_runner


def _install_glue_sync() -> list[_Undo]:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import (
        ResourceCondition,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_glue import (
        StateTaskServiceGlue,
    )

    original_init: Callable[[Any], None] = StateTaskServiceGlue.__init__

    def init(self: Any) -> None:
        original_init(self)
        # With a callback endpoint, moto's .sync path can release it when the run ends (the
        # crash is ``callback_endpoint.interrupt_all()`` on None). .waitForTaskToken stays refused
        # by the Glue integration itself.
        self._supported_integration_patterns = {
            *self._supported_integration_patterns,
            ResourceCondition.WaitForTaskToken,
        }

    return [_swap(StateTaskServiceGlue, "__init__", init)]


_glue_runner: GlueJobRunner | None = None


def set_glue_job_runner(runner: GlueJobRunner | None) -> None:
    """Make moto's Glue StartJobRun run ``runner(job_name, arguments)`` (``None``: run nothing).

    The call happens inside StartJobRun, so a ``.sync`` task sees a finished run. ``arguments`` are
    the job's default arguments updated with the run's, plus ``--JOB_NAME`` and ``--JOB_RUN_ID``.
    """
    global _glue_runner
    with _lock:
        _glue_runner = runner


def glue_job_runner() -> GlueJobRunner | None:
    """The runner set by :func:`set_glue_job_runner`, if any."""
    return _glue_runner


def _install_glue_job_runner() -> list[_Undo]:
    from moto.glue.models import FakeJob, FakeJobRun

    original_start = FakeJob.start_job_run
    original_as_dict = FakeJobRun.as_dict

    def start_job_run(self: Any, *args: Any, **kwargs: Any) -> str:
        run_id: str = original_start(self, *args, **kwargs)
        runner = _glue_runner
        if runner is None:
            return run_id
        job_run = next(run for run in self.job_runs if run.job_run_id == run_id)
        arguments = {
            **(job_run.arguments or {}),
            "--JOB_NAME": self.name,
            "--JOB_RUN_ID": run_id,
        }
        job_run.status = "RUNNING"
        started = time.monotonic()
        try:
            runner(self.name, arguments)
        except Exception as exc:
            job_run.status = "FAILED"
            job_run.pexlogs_error_message = f"{type(exc).__name__}: {exc}"
        else:
            job_run.status = "SUCCEEDED"
        job_run.pexlogs_execution_seconds = round(time.monotonic() - started)
        job_run.completed_on = job_run.modified_on = datetime.now(UTC)
        return run_id

    def as_dict(self: Any) -> dict[str, Any]:
        result: dict[str, Any] = original_as_dict(self)
        if getattr(self, "pexlogs_error_message", None):
            result["ErrorMessage"] = self.pexlogs_error_message
        if getattr(self, "pexlogs_execution_seconds", None) is not None:
            result["ExecutionTime"] = self.pexlogs_execution_seconds
        return result

    return [
        _swap(FakeJob, "start_job_run", start_job_run),
        _swap(FakeJobRun, "as_dict", as_dict),
    ]


# --------------------------------------------------------------------------------------------
# logs_export / logs_event_age


@dataclass(frozen=True)
class ExportRecord:
    """One CreateExportTask call as the emulated service saw it (for tests and diagnostics)."""

    task_id: str | None  # None when the call was refused
    log_group: str
    from_ms: int
    to_ms: int
    destination: str
    prefix: str
    outcome: str  # COMPLETED, FAILED, CANCELLED, LimitExceeded (refused), ResourceNotFound
    objects: tuple[str, ...] = ()


@dataclass
class _ExportControl:
    limit_exceeded: int = 0
    outcomes: list[tuple[str, str]] = field(default_factory=list)
    polls_before_done: int = 0
    records: list[ExportRecord] = field(default_factory=list)
    # task id -> describes left before it finishes, final status
    running: dict[str, tuple[int, dict[str, str]]] = field(default_factory=dict)


_export = _ExportControl()


def inject_export_limit_exceeded(times: int = 1) -> None:
    """The next ``times`` CreateExportTask calls raise LimitExceededException (another tool holds
    the account's export slot)."""
    with _lock:
        _export.limit_exceeded += times


def inject_export_outcome(
    code: str = "FAILED", message: str = "injected failure", times: int = 1
) -> None:
    """The next ``times`` exports end with ``code`` (``FAILED``/``CANCELLED``) and ``message``,
    writing no objects."""
    with _lock:
        _export.outcomes.extend([(code, message)] * times)


def set_export_polls_before_completion(polls: int) -> None:
    """Exports stay ``RUNNING`` for this many DescribeExportTasks calls (0: finished at once).
    While one runs, another CreateExportTask raises LimitExceededException, as on AWS."""
    with _lock:
        _export.polls_before_done = polls


def export_records() -> list[ExportRecord]:
    """Every CreateExportTask call since the last :func:`reset_injections`, in order."""
    with _lock:
        return list(_export.records)


def reset_injections() -> None:
    """Forget injected errors, records and running exports (tests call this between cases)."""
    global _export
    with _lock:
        _export = _ExportControl()


def _utc_line_time(timestamp_ms: int) -> str:
    moment = datetime.fromtimestamp(timestamp_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{timestamp_ms % 1000:03d}Z"


def _install_logs_export() -> list[_Undo]:
    from moto.logs.exceptions import (
        InvalidParameterException,
        LimitExceededException,
        ResourceNotFoundException,
    )
    from moto.logs.models import ExportTask, LogsBackend
    from moto.moto_api._internal import mock_random
    from moto.s3.exceptions import MissingBucket
    from moto.s3.models import s3_backends

    def create_export_task(
        self: Any,
        taskName: str,  # moto's parameter names
        logGroupName: str,
        destination: str,
        destinationPrefix: str,
        fromTime: int,
        to: int,
    ) -> str:
        s3 = s3_backends[self.account_id][self.partition]
        prefix = (destinationPrefix or "exportedlogs").rstrip("/")

        def record(task_id: str | None, outcome: str, objects: tuple[str, ...] = ()) -> None:
            _export.records.append(
                ExportRecord(
                    task_id, logGroupName, fromTime, to, destination, prefix, outcome, objects
                )
            )

        with _lock:
            busy = any(task_id in self.export_tasks for task_id in _export.running)
            if _export.limit_exceeded > 0 or busy:
                if not busy:
                    _export.limit_exceeded -= 1
                record(None, "LimitExceeded")
                raise LimitExceededException()
            try:
                s3.get_bucket(destination)
            except MissingBucket:
                raise InvalidParameterException(
                    "The given bucket does not exist. Please make sure the bucket is valid."
                ) from None
            if logGroupName not in self.groups:
                record(None, "ResourceNotFound")
                raise ResourceNotFoundException("The specified log group does not exist.")

            task_id = str(mock_random.uuid4())
            task = ExportTask(task_id, taskName, logGroupName, destination, prefix, fromTime, to)
            self.export_tasks[task_id] = task
            s3.put_object(
                destination, f"{prefix}/aws-logs-write-test", b"Permission Check Successful"
            )

            if _export.outcomes:
                code, message = _export.outcomes.pop(0)
                final = {"code": code, "message": message}
                written: tuple[str, ...] = ()
            else:
                keys = []
                for stream_name, stream in self.groups[logGroupName].streams.items():
                    # All events of the stream in [from, to] (``to`` is inclusive), no 10,000 cap.
                    events = sorted(
                        (e for e in stream.events if fromTime <= e.timestamp <= to),
                        key=lambda e: e.timestamp,
                    )
                    if not events:
                        continue
                    body = "\n".join(f"{_utc_line_time(e.timestamp)} {e.message}" for e in events)
                    key = f"{prefix}/{task_id}/{stream_name}/000000.gz"
                    s3.put_object(destination, key, gzip.compress((body + "\n").encode("utf-8")))
                    keys.append(key)
                final = {"code": "COMPLETED", "message": "Completed successfully"}
                written = tuple(keys)

            if _export.polls_before_done > 0:
                task.status = {"code": "RUNNING", "message": "Task is running"}
                _export.running[task_id] = (_export.polls_before_done, final)
            else:
                task.status = final
            record(task_id, final["code"], written)
            return task_id

    original_describe = LogsBackend.describe_export_tasks

    def describe_export_tasks(self: Any, task_id: str) -> list[Any]:
        tasks: list[Any] = original_describe(self, task_id)
        with _lock:
            for task in tasks:
                pending = _export.running.get(task.task_id)
                if pending is None:
                    continue
                left, final = pending
                if left <= 1:
                    task.status = final
                    del _export.running[task.task_id]
                else:
                    _export.running[task.task_id] = (left - 1, final)
        return tasks

    return [
        _swap(LogsBackend, "create_export_task", create_export_task),
        _swap(LogsBackend, "describe_export_tasks", describe_export_tasks),
    ]


def _install_logs_event_age() -> list[_Undo]:
    from moto.logs.exceptions import InvalidParameterException, ResourceNotFoundException
    from moto.logs.models import LogsBackend

    def put_log_events(
        self: Any,
        log_group_name: str,
        log_stream_name: str,
        log_events: list[dict[str, Any]],
    ) -> tuple[str, dict[str, Any]]:
        if log_group_name not in self.groups:
            raise ResourceNotFoundException()
        timestamps = [event["timestamp"] for event in log_events]
        if timestamps != sorted(timestamps):
            raise InvalidParameterException(
                "Log events in a single PutLogEvents request must be in chronological order."
            )
        token = self.groups[log_group_name].put_log_events(log_stream_name, log_events)
        return token, {}

    return [_swap(LogsBackend, "put_log_events", put_log_events)]


# --------------------------------------------------------------------------------------------
# Public switches

_PATCHES: dict[str, _Patch] = {
    patch.name: patch
    for patch in (
        _Patch("jsonata_backend", _install_jsonata_backend),
        _Patch("jsonata_string_bindings", _install_jsonata_string_bindings),
        _Patch("sdk_service_names", _install_sdk_service_names),
        _Patch("sdk_error_names", _install_sdk_error_names),
        _Patch("sdk_casing", _install_sdk_casing),
        _Patch("sdk_client_cache", _install_sdk_client_cache),
        _Patch("glue_sync", _install_glue_sync),
        _Patch("glue_job_runner", _install_glue_job_runner),
        _Patch("logs_export", _install_logs_export),
        _Patch("logs_event_age", _install_logs_event_age),
    )
}

#: Names of every patch, in installation order.
PATCH_NAMES: tuple[str, ...] = tuple(_PATCHES)


def enable_state_machine_execution() -> None:
    """Let moto execute state machines (off by default; mocks started later inherit it)."""
    from moto.core.config import default_user_config

    default_user_config["stepfunctions"]["execute_state_machine"] = True


def configure_server_port(port: int) -> None:
    """In server mode, moto's interpreter calls ``http://localhost:$MOTO_PORT``: point it at the
    port the server really listens on (in-process mocks ignore it)."""
    os.environ["MOTO_PORT"] = str(port)


def apply() -> None:
    """Install every patch (idempotent) and enable state machine execution."""
    with _lock:
        for patch in _PATCHES.values():
            patch.install()
        enable_state_machine_execution()


def remove() -> None:
    """Uninstall every patch (moto as shipped)."""
    with _lock:
        for patch in reversed(_PATCHES.values()):
            patch.uninstall()


def installed() -> frozenset[str]:
    """Names of the patches in place."""
    return frozenset(name for name, patch in _PATCHES.items() if patch.active)


@contextlib.contextmanager
def without(*names: str) -> Iterator[None]:
    """Lift the named patches for the duration of the block (to observe moto as shipped)."""
    unknown = set(names) - set(_PATCHES)
    if unknown:
        raise ValueError(f"unknown moto_compat patch(es): {', '.join(sorted(unknown))}")
    with _lock:
        lifted = [name for name in names if _PATCHES[name].active]
        for name in lifted:
            _PATCHES[name].uninstall()
    try:
        yield
    finally:
        with _lock:
            for name in lifted:
                _PATCHES[name].install()
