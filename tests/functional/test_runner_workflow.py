"""`run_local` / `backfill_local` through the real state machine on moto, with a fake job in place
of Spark: what the job run receives (staged export objects, arguments) and what the runner keeps
(state, event store, reconciliation). The real job end to end is in tests/e2e."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pexlogs.exceptions import JobError, WorkflowError
from pexlogs.local._stage import export_prefix, window_hours
from pexlogs.local.runner import RunOptions, backfill_local, run_local

SUPPORT = [
    '2026-01-05T10:15:00.250+00:00 pxpconf01 2026-01-05 10:15:00,249 Level="INFO" Name="support.sip" Message="a"',
    "a continuation line without a time",
    '2026-01-05T11:59:59.999+00:00 pxpconf02 2026-01-05 11:59:59,990 Level="ERROR" Name="support.media" Message="b"',
]
AUDIT = [
    "2026-01-05T10:20:00+00:00 pxpmgmt audispd: node=pxpmgmt type=LOGIN msg=audit(1767608400.000:1): pid=1",
]
WEB = [
    '2026-01-05T11:00:00+00:00 pxpmgmt apache2: 10.0.0.1 - - [05/Jan/2026:11:00:00 +0000] "GET / HTTP/1.1" 200 5',
]


class FakeJob:
    """Reads the staged export objects the way the real job does and counts them per family."""

    def __init__(self, drop: int = 0) -> None:
        self.calls: list[dict[str, str]] = []
        self.lines: dict[str, list[str]] = {}
        self.drop = drop

    def __call__(self, arguments: Mapping[str, str], glue_client: Any) -> dict[str, Any]:
        self.calls.append(dict(arguments))
        raw = Path(arguments["--raw_uri"].removeprefix("file://"))
        lines_read: Counter[str] = Counter()
        for hour in window_hours(json.loads(arguments["--windows"])):
            for family in ("support", "audit", "web"):
                for obj in sorted((raw / export_prefix(family, hour)).rglob("*")):
                    if obj.is_file():
                        text = gzip.decompress(obj.read_bytes()).decode()
                        got = [line for line in text.split("\n") if line]
                        self.lines.setdefault(family, []).extend(got)
                        lines_read[family] += len(got)
        rows = {f"fake_{f}": n for f, n in lines_read.items()}
        if self.drop:
            rows["fake_support"] -= self.drop
        return {"lines_read": dict(lines_read), "rows_written": rows, "quarantined": 0}


@pytest.fixture
def inputs(tmp_path: Path) -> list[Path]:
    paths = []
    (tmp_path / "in").mkdir()
    for name, lines in (("support.log", SUPPORT), ("audit.log.gz", AUDIT), ("mixed.log", WEB)):
        path = tmp_path / "in" / name
        data = ("\n".join(lines) + "\n").encode()
        path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
        paths.append(path)
    return paths


def test_run_exports_every_line_with_its_event_time_and_runs_the_job_once(
    tmp_path: Path, inputs: list[Path]
) -> None:
    home = tmp_path / "home"
    job = FakeJob()
    # WHEN the files are run through the local pipeline
    summary = run_local(RunOptions(home=home, inputs=inputs), job=job, quiet=True)
    # THEN one execution covered both hours and started the job once with local URIs
    assert summary.windows == [{"start": "2026-01-05T10:00:00Z", "end": "2026-01-05T12:00:00Z"}]
    assert len(job.calls) == 1 and len(summary.executions) == 1
    args = job.calls[0]
    assert args["--raw_uri"] == (home / "warehouse" / "raw").resolve().as_uri()
    assert args["--curated_uri"].startswith("file://") and args["--database"] == "pexip_logs"
    assert json.loads(args["--windows"]) == [
        {"start": "2026-01-05T10:00:00Z", "end": "2026-01-05T11:00:00Z"},
        {"start": "2026-01-05T11:00:00Z", "end": "2026-01-05T12:00:00Z"},
    ]
    # and each line was exported as "<event time> <line>", the continuation with its predecessor's
    assert sorted(job.lines["support"]) == sorted(
        [
            f"2026-01-05T10:15:00.250Z {SUPPORT[0]}",
            f"2026-01-05T10:15:00.250Z {SUPPORT[1]}",
            f"2026-01-05T11:59:59.999Z {SUPPORT[2]}",
        ]
    )
    assert job.lines["audit"] == [f"2026-01-05T10:20:00.000Z {AUDIT[0]}"]
    assert job.lines["web"] == [f"2026-01-05T11:00:00.000Z {WEB[0]}"]
    assert summary.lines_in == {"support": 3, "audit": 1, "web": 1}
    assert summary.lines_ingested == {"audit": 1, "support": 3, "web": 1}
    # The state machine read the job's summary back into its output.
    assert summary.executions[0]["output"]["counts"]["lines_read"] == summary.lines_in
    state = json.loads((home / "state.json").read_text())
    assert len(state["ingests"]) == 1 and state["runs"][0]["lines_in"] == 5
    assert (home / "catalog.json").is_file()


def test_a_second_run_adds_to_the_home_and_the_same_input_is_not_stored_twice(
    tmp_path: Path, inputs: list[Path]
) -> None:
    home = tmp_path / "home"
    run_local(RunOptions(home=home, inputs=inputs), job=FakeJob(), quiet=True)
    # WHEN the same input runs again
    job = FakeJob()
    again = run_local(RunOptions(home=home, inputs=inputs), job=job, quiet=True)
    # THEN nothing new is stored and the same lines are processed again
    assert again.already_ingested and again.lines_ingested == {}
    assert again.lines_in == {"support": 3, "audit": 1, "web": 1}
    # WHEN another file adds a line to hour 11
    extra = tmp_path / "web-more.log"
    extra.write_text(WEB[0].replace("11:00:00", "11:30:00") + "\n")
    job = FakeJob()
    more = run_local(RunOptions(home=home, inputs=[extra]), job=job, quiet=True)
    # THEN that hour is processed with the earlier lines of the hour too
    assert more.windows == [{"start": "2026-01-05T11:00:00Z", "end": "2026-01-05T12:00:00Z"}]
    assert more.lines_in == {"support": 1, "audit": 0, "web": 2}
    # and a backfill of both hours sees everything stored so far, in one execution
    job = FakeJob()
    backfill = backfill_local(
        home,
        datetime(2026, 1, 5, 10, tzinfo=UTC),
        datetime(2026, 1, 5, 12, tzinfo=UTC),
        job=job,
        quiet=True,
    )
    assert len(job.calls) == 1 and backfill.total_lines_in == 6
    state = json.loads((home / "state.json").read_text())
    assert [r["command"] for r in state["runs"]] == ["run", "run", "run", "backfill"]
    assert len(state["ingests"]) == 2


def test_a_job_that_loses_lines_fails_the_run_loudly(tmp_path: Path, inputs: list[Path]) -> None:
    # GIVEN a job that reports one row fewer than it read (a real job would fail itself)
    with pytest.raises(JobError, match="lines unaccounted for"):
        run_local(
            RunOptions(home=tmp_path / "home", inputs=inputs), job=FakeJob(drop=1), quiet=True
        )


def test_start_and_hours_limit_what_is_processed(tmp_path: Path, inputs: list[Path]) -> None:
    job = FakeJob()
    # GIVEN the folder holding the inputs (every file under it is read)
    summary = run_local(
        RunOptions(
            home=tmp_path / "home",
            inputs=[inputs[0].parent],
            start=datetime(2026, 1, 5, 11, tzinfo=UTC),
            hours=1,
        ),
        job=job,
        quiet=True,
    )
    assert summary.windows == [{"start": "2026-01-05T11:00:00Z", "end": "2026-01-05T12:00:00Z"}]
    assert summary.lines_in == {"support": 1, "audit": 0, "web": 1}


def test_a_failing_job_fails_the_run_with_the_jobs_message(
    tmp_path: Path, inputs: list[Path]
) -> None:
    def broken(arguments: Mapping[str, str], glue_client: Any) -> dict[str, Any]:
        raise JobError("cannot read input object(s): part.gz (corrupt)")

    # WHEN the job run fails, the state machine catches it, alerts and fails the execution
    with pytest.raises(WorkflowError) as failed:
        run_local(RunOptions(home=tmp_path / "home", inputs=inputs), job=broken, quiet=True)
    # THEN the user sees the job's own message, not the whole JobRun document
    message = str(failed.value)
    assert "the workflow failed for 2026-01-05T10:00:00Z" in message
    assert message.endswith("JobError: cannot read input object(s): part.gz (corrupt)")
