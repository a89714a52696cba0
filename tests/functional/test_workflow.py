"""The workflow (state_machines/pexip_logs_etl.asl.json) executed by moto's Step Functions
interpreter, with pexlogs' moto adaptations. The Glue job is a small local stand-in that really
reads the exported objects and writes its summary where the workflow reads it back."""

from __future__ import annotations

import gzip
import itertools
import json
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pexlogs.local import moto_compat
from pexlogs.local import workflow as local_workflow

REGION = "eu-west-1"
RAW = "pexlogs-raw"
FAMILIES = {"support": "/pexip/support", "audit": "/pexip/audit", "web": "/pexip/web"}
HOUR_MS = 3_600_000


def ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def iso(milliseconds: int) -> str:
    return datetime.fromtimestamp(milliseconds / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class FakeJob:
    """Stands in for the Glue job: reads every export under the windows' prefixes (skipping
    ``aws-logs-write-test``), counts lines per family, writes the summary to ``--summary_uri``."""

    s3: Any
    calls: list[dict[str, str]] = field(default_factory=list)
    fail_with: str | None = None
    write_summary: bool = True

    def __call__(self, job_name: str, arguments: Mapping[str, str]) -> None:
        self.calls.append(dict(arguments))
        if self.fail_with:
            raise RuntimeError(self.fail_with)
        lines: Counter[str] = Counter()
        for window in json.loads(arguments["--windows"]):
            hour = datetime.fromisoformat(window["start"].replace("Z", "+00:00"))
            for family in FAMILIES:
                prefix = f"exports/{family}/{hour:%Y/%m/%d/%H}/"
                listed = self.s3.list_objects_v2(Bucket=RAW, Prefix=prefix).get("Contents", [])
                for obj in listed:
                    if obj["Key"].endswith("aws-logs-write-test"):
                        continue
                    body = self.s3.get_object(Bucket=RAW, Key=obj["Key"])["Body"].read()
                    lines[family] += len(gzip.decompress(body).decode().splitlines())
        summary = {
            "lines_read": dict(lines),
            "rows_written": {f"{family}_lines": n for family, n in lines.items()},
            "quarantined": 0,
            "windows": json.loads(arguments["--windows"]),
            "partitions": len(json.loads(arguments["--windows"])),
        }
        if self.write_summary:
            bucket, key = arguments["--summary_uri"][5:].split("/", 1)
            self.s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(summary).encode())


@dataclass
class Env:
    s3: Any
    logs: Any
    sfn: Any
    sqs: Any
    topic_arn: str
    queue_url: str
    job: FakeJob

    def machine(self, name: str = "pexip-logs-etl", **overrides: str) -> str:
        values = local_workflow.local_values(
            RawBucketName=RAW,
            RawUri=f"s3://{RAW}",
            CuratedUri="file:///tmp/pexlogs-curated",
            RunSummaryBucketName=RAW,
            AlertTopicArn=self.topic_arn,
        )
        values.update(overrides)
        return local_workflow.create_state_machine(self.sfn, values, name=name)

    def run(
        self, execution_input: Mapping[str, Any], arn: str | None = None
    ) -> local_workflow.ExecutionResult:
        return local_workflow.run_execution(
            self.sfn, arn or self.machine(), execution_input, timeout=300
        )

    def alerts(self) -> list[dict[str, Any]]:
        return local_workflow.read_alerts(self.sqs, self.queue_url)

    def put_hourly_events(self, start: str, hours: int, per_hour: int = 2) -> dict[str, int]:
        """``per_hour`` events per family and hour, on two streams, at the hour's first and last
        millisecond too (the window edges)."""
        sent: Counter[str] = Counter()
        for family, group in FAMILIES.items():
            events = []
            for h in range(hours):
                base = ms(start) + h * HOUR_MS
                offsets = [0, HOUR_MS - 1, *range(1, per_hour - 1)][:per_hour]
                events += [
                    {"timestamp": base + o, "message": f"{family} {h} {o}"} for o in sorted(offsets)
                ]
            half = len(events) // 2
            for stream, batch in (("node-a", events[:half]), ("node-b", events[half:])):
                if batch:
                    self.logs.put_log_events(
                        logGroupName=group, logStreamName=stream, logEvents=batch
                    )
            sent[family] = len(events)
        return dict(sent)


@pytest.fixture
def env() -> Iterator[Env]:
    with mock_aws():
        moto_compat.apply()
        moto_compat.reset_injections()
        s3 = boto3.client("s3", region_name=REGION)
        logs = boto3.client("logs", region_name=REGION)
        sns = boto3.client("sns", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        glue = boto3.client("glue", region_name=REGION)
        s3.create_bucket(Bucket=RAW, CreateBucketConfiguration={"LocationConstraint": REGION})
        for group in FAMILIES.values():
            logs.create_log_group(logGroupName=group)
            for stream in ("node-a", "node-b"):
                logs.create_log_stream(logGroupName=group, logStreamName=stream)
        glue.create_job(
            Name="pexip-logs-etl",
            Role="arn:aws:iam::123456789012:role/glue",
            Command={"Name": "glueetl", "ScriptLocation": "s3://code/job.py"},
        )
        topic_arn = sns.create_topic(Name="pexlogs-alerts")["TopicArn"]
        queue_url = local_workflow.subscribe_alerts(sns, sqs, topic_arn)
        job = FakeJob(s3)
        moto_compat.set_glue_job_runner(job)
        try:
            yield Env(
                s3,
                logs,
                boto3.client("stepfunctions", region_name=REGION),
                sqs,
                topic_arn,
                queue_url,
                job,
            )
        finally:
            moto_compat.set_glue_job_runner(None)
            moto_compat.reset_injections()


def completed_exports() -> list[moto_compat.ExportRecord]:
    return [r for r in moto_compat.export_records() if r.outcome == "COMPLETED"]


# ------------------------------------------------------------------------------------ scheduled


@pytest.mark.parametrize(
    ("scheduled_time", "expected_start"),
    [
        ("2026-03-01T10:05:00Z", "2026-03-01T08:00:00Z"),  # 09:00-10:00 has not settled 15 min yet
        ("2026-03-01T10:20:00Z", "2026-03-01T09:00:00Z"),
        ("2026-03-01T10:15:00Z", "2026-03-01T09:00:00Z"),  # exactly SettleMinutes after the hour
    ],
)
def test_scheduled_run_processes_the_last_settled_hour(
    env: Env, scheduled_time: str, expected_start: str
) -> None:
    # GIVEN events in the expected hour
    env.put_hourly_events(expected_start, 1)
    # WHEN the scheduler starts the workflow (late or not, it passes its scheduled time)
    result = env.run({"scheduled_time": scheduled_time})
    # THEN that hour, and only it, is exported for every family and handed to the job
    assert result.succeeded, result.cause
    expected = [{"start": expected_start, "end": iso(ms(expected_start) + HOUR_MS)}]
    assert result.output is not None
    assert result.output["windows"] == expected
    records = completed_exports()
    assert [(r.log_group, r.from_ms, r.to_ms) for r in records] == [
        (group, ms(expected_start), ms(expected_start) + HOUR_MS - 1) for group in FAMILIES.values()
    ]
    assert [r.prefix for r in records] == [
        f"exports/{family}/{expected_start[:4]}/{expected_start[5:7]}/{expected_start[8:10]}/{expected_start[11:13]}"
        for family in FAMILIES
    ]
    assert len(env.job.calls) == 1
    assert json.loads(env.job.calls[0]["--windows"]) == expected
    assert result.output["counts"]["lines_read"] == {family: 2 for family in FAMILIES}


def test_empty_input_uses_the_execution_start_time(env: Env) -> None:
    before = datetime.now(UTC)
    result = env.run({})
    after = datetime.now(UTC)
    assert result.succeeded, result.cause
    assert result.output is not None

    def expected(now: datetime) -> str:
        settled = now - timedelta(minutes=15)
        end = settled.replace(minute=0, second=0, microsecond=0)
        return (end - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    assert result.output["windows"][0]["start"] in {expected(before), expected(after)}
    assert len(result.output["windows"]) == 1


def test_catch_up_run_covers_the_last_hours(env: Env) -> None:
    # (the daily catch-up passes "hours": 24; 6 keeps the test quick)
    result = env.run({"scheduled_time": "2026-03-02T00:30:00Z", "hours": 6})
    assert result.succeeded, result.cause
    assert result.output is not None
    windows = result.output["windows"]
    assert len(windows) == 6
    assert windows[0] == {"start": "2026-03-01T18:00:00Z", "end": "2026-03-01T19:00:00Z"}
    assert windows[-1] == {"start": "2026-03-01T23:00:00Z", "end": "2026-03-02T00:00:00Z"}


# ------------------------------------------------------------------------------------ backfill


def test_backfill_of_48_hours_exports_each_window_one_at_a_time_and_runs_the_job_once(
    env: Env,
) -> None:
    # GIVEN two days of events, and exports that stay RUNNING until polled (one account slot:
    # a second CreateExportTask while one runs is refused, as on AWS)
    sent = env.put_hourly_events("2026-02-01T00:00:00Z", 48)
    moto_compat.set_export_polls_before_completion(2)
    # WHEN a 48-hour backfill runs
    result = env.run({"start": "2026-02-01T00:00:00Z", "end": "2026-02-03T00:00:00Z"})
    # THEN 48 x 3 exports ran, window by window, never overlapping (no slot was refused)
    assert result.succeeded, result.cause
    records = moto_compat.export_records()
    assert [r.outcome for r in records] == ["COMPLETED"] * 144
    expected_order = [
        (group, ms("2026-02-01T00:00:00Z") + h * HOUR_MS)
        for h in range(48)
        for group in FAMILIES.values()
    ]
    assert [(r.log_group, r.from_ms) for r in records] == expected_order
    for family, group in FAMILIES.items():
        spans = [(r.from_ms, r.to_ms) for r in records if r.log_group == group]
        # contiguous and disjoint: each hour ends 1 ms before the next begins ('to' is inclusive)
        assert all(b[0] == a[1] + 1 for a, b in itertools.pairwise(spans)), family
        assert all(to - frm == HOUR_MS - 1 for frm, to in spans)
    # AND the job ran once with all 48 windows, and every event was read exactly once
    assert len(env.job.calls) == 1
    windows = json.loads(env.job.calls[0]["--windows"])
    assert len(windows) == 48
    assert result.output is not None
    assert result.output["counts"]["lines_read"] == sent
    assert {family: len(ids) for family, ids in result.output["exports"].items()} == {
        f: 48 for f in FAMILIES
    }
    assert result.output["job"]["state"] == "SUCCEEDED"
    assert env.alerts() == []


def test_second_execution_over_the_same_range_leaves_the_same_result(env: Env) -> None:
    sent = env.put_hourly_events("2026-02-01T00:00:00Z", 2)
    request = {"start": "2026-02-01T00:00:00Z", "end": "2026-02-01T02:00:00Z"}
    first = env.run(request)
    keys_after_first = sorted(
        o["Key"] for o in env.s3.list_objects_v2(Bucket=RAW, Prefix="exports/")["Contents"]
    )
    second = env.run(request)
    keys_after_second = sorted(
        o["Key"] for o in env.s3.list_objects_v2(Bucket=RAW, Prefix="exports/")["Contents"]
    )
    assert first.succeeded and second.succeeded, (first.cause, second.cause)
    assert first.output is not None and second.output is not None
    # the re-export replaced the first one: same number of objects, each event read once
    assert len(keys_after_second) == len(keys_after_first)
    assert not set(keys_after_second) & set(keys_after_first)  # new task ids only
    for ids in second.output["exports"].values():
        for task_id in ids:
            assert any(f"/{task_id}/" in key for key in keys_after_second)
    assert first.output["counts"] == second.output["counts"]
    assert second.output["counts"]["lines_read"] == sent
    assert first.output["windows"] == second.output["windows"]
    assert env.job.calls[0]["--windows"] == env.job.calls[1]["--windows"]


# ------------------------------------------------------------------------------------ retries and failures


def test_limit_exceeded_twice_then_the_export_succeeds(env: Env) -> None:
    # GIVEN another tool holds the export slot for the next two attempts
    moto_compat.inject_export_limit_exceeded(times=2)
    result = env.run({"start": "2026-02-01T00:00:00Z", "end": "2026-02-01T01:00:00Z"})
    # THEN the workflow backed off, retried, and completed every export
    assert result.succeeded, result.cause
    outcomes = [(r.log_group, r.outcome) for r in moto_compat.export_records()]
    assert outcomes == [
        ("/pexip/support", "LimitExceeded"),
        ("/pexip/support", "LimitExceeded"),
        ("/pexip/support", "COMPLETED"),
        ("/pexip/audit", "COMPLETED"),
        ("/pexip/web", "COMPLETED"),
    ]
    assert len(env.job.calls) == 1


def test_export_slot_never_free_fails_after_the_budget(env: Env) -> None:
    moto_compat.inject_export_limit_exceeded(times=10_000)
    arn = env.machine("budget", ExportRetryBaseSeconds="1", ExportRetryBudgetSeconds="1")
    result = env.run({"start": "2026-02-01T00:00:00Z", "end": "2026-02-01T01:00:00Z"}, arn)
    assert result.status == "FAILED"
    assert result.error == "CloudWatchLogs.LimitExceededException"
    assert "no CloudWatch Logs export slot became free" in (result.cause or "")
    assert env.job.calls == []
    assert [a["error"] for a in env.alerts()] == ["CloudWatchLogs.LimitExceededException"]


def test_failed_export_alerts_and_fails_the_execution(env: Env) -> None:
    moto_compat.inject_export_outcome("FAILED", "the destination bucket refused the write")
    request = {"start": "2026-02-01T00:00:00Z", "end": "2026-02-01T01:00:00Z"}
    result = env.run(request)
    assert result.status == "FAILED"
    assert result.error == "pexlogs.ExportFailed"
    assert "the destination bucket refused the write" in (result.cause or "")
    assert env.job.calls == []
    alerts = env.alerts()
    assert len(alerts) == 1
    assert alerts[0]["execution"] == result.arn
    assert alerts[0]["windows"] == [{"start": request["start"], "end": request["end"]}]
    assert alerts[0]["error"] == "pexlogs.ExportFailed"
    assert "the destination bucket refused the write" in alerts[0]["cause"]


def test_export_still_running_after_the_poll_cap_fails(env: Env) -> None:
    moto_compat.set_export_polls_before_completion(10)
    arn = env.machine("poll-cap", ExportPollMaxAttempts="3")
    result = env.run({"start": "2026-02-01T00:00:00Z", "end": "2026-02-01T01:00:00Z"}, arn)
    assert result.status == "FAILED"
    assert result.error == "pexlogs.ExportTimedOut"
    assert "after 3 polls" in (result.cause or "")
    assert len(env.alerts()) == 1


def test_failing_job_alerts_and_fails_the_execution(env: Env) -> None:
    env.job.fail_with = "lines read != rows written"
    result = env.run({"start": "2026-02-01T00:00:00Z", "end": "2026-02-01T01:00:00Z"})
    assert result.status == "FAILED"
    assert result.error == "pexlogs.TaskFailed"  # States.TaskFailed, renamed for a Fail state
    assert "lines read != rows written" in (result.cause or "")
    alerts = env.alerts()
    assert len(alerts) == 1
    assert alerts[0]["error"] == "States.TaskFailed"
    assert "lines read != rows written" in alerts[0]["cause"]


def test_job_without_summary_succeeds_with_a_warning(env: Env) -> None:
    env.job.write_summary = False
    result = env.run({"start": "2026-02-01T00:00:00Z", "end": "2026-02-01T01:00:00Z"})
    assert result.succeeded, result.cause
    assert result.output is not None
    assert result.output["counts"] is None
    assert any("wrote no summary" in w for w in result.output["warnings"])


def test_missing_optional_log_group_is_skipped_with_a_warning(env: Env) -> None:
    arn = env.machine("optional", LogFamilies="support=/pexip/support,extra?=/pexip/not-there")
    result = env.run({"start": "2026-02-01T00:00:00Z", "end": "2026-02-01T02:00:00Z"}, arn)
    assert result.succeeded, result.cause
    assert result.output is not None
    assert result.output["exports"]["extra"] == []
    assert len(result.output["exports"]["support"]) == 2
    assert len(result.output["warnings"]) == 2
    assert all("/pexip/not-there" in w for w in result.output["warnings"])


def test_missing_required_log_group_fails(env: Env) -> None:
    arn = env.machine("required", LogFamilies="support=/pexip/support,extra=/pexip/not-there")
    result = env.run({"start": "2026-02-01T00:00:00Z", "end": "2026-02-01T01:00:00Z"}, arn)
    assert result.status == "FAILED"
    assert result.error == "pexlogs.LogGroupNotFound"
    assert "/pexip/not-there" in (result.cause or "")
    assert len(env.alerts()) == 1


# ------------------------------------------------------------------------------------ refused input


@pytest.mark.parametrize(
    ("request_input", "reason"),
    [
        (
            {"start": "2026-02-01T00:00:00Z", "end": "2026-02-04T01:00:00Z"},
            "covers 73 hours, over the maximum of 72",
        ),
        ({"start": "2026-02-01T00:30:00Z", "end": "2026-02-01T02:00:00Z"}, "whole hours"),
        (
            {"start": "2026-02-01T02:00:00Z", "end": "2026-02-01T02:00:00Z"},
            "end must be after start",
        ),
        ({"start": "2026-02-01T00:00:00Z"}, "needs both start and end"),
        ({"start": "yesterday", "end": "2026-02-01T02:00:00Z"}, "start must be an ISO-8601 time"),
        ({"begin": "2026-02-01T00:00:00Z"}, "unknown input field(s): begin"),
        ({"hours": 0}, "hours must be a whole number from 1 to 72"),
        ({"start": "2026-02-01T00:00:00Z", "end": "2026-02-01T01:00:00Z", "hours": 2}, "not both"),
    ],
)
def test_bad_requests_are_refused_with_a_clear_error(
    env: Env, request_input: dict[str, Any], reason: str
) -> None:
    result = env.run(request_input)
    assert result.status == "FAILED"
    assert result.error == "pexlogs.InvalidInput"
    assert reason in (result.cause or "")
    assert moto_compat.export_records() == []
    assert env.job.calls == []
    assert env.alerts() == []  # the caller's mistake, answered directly


# ------------------------------------------------------------------------------------ local helpers


def test_summary_writing_runner_stores_what_the_job_returns(env: Env) -> None:
    # GIVEN a job function that returns its summary instead of writing it (like a local run)
    seen: list[dict[str, str]] = []

    def run_job(arguments: Mapping[str, str]) -> dict[str, Any]:
        seen.append(dict(arguments))
        return {
            "lines_read": {"support": 7},
            "rows_written": {},
            "quarantined": 0,
            "windows": [],
            "partitions": 0,
        }

    moto_compat.set_glue_job_runner(local_workflow.summary_writing_runner(run_job, env.s3))
    result = env.run({"start": "2026-02-01T00:00:00Z", "end": "2026-02-01T01:00:00Z"})
    assert result.succeeded, result.cause
    assert result.output is not None
    assert result.output["counts"]["lines_read"] == {"support": 7}
    assert seen[0]["--summary_uri"] == f"s3://{RAW}/_runs/{result.arn.rsplit(':', 1)[1]}.json"


def test_failed_result_raises_a_workflow_error(env: Env) -> None:
    from pexlogs.exceptions import WorkflowError

    result = env.run({"start": "nope", "end": "2026-02-01T01:00:00Z"})
    with pytest.raises(
        WorkflowError, match=r"pexlogs\.InvalidInput: start must be an ISO-8601 time"
    ):
        result.raise_for_failure()
