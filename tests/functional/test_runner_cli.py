"""`pexlogs run` / `pexlogs backfill`: options, one-line errors, windows, and `backfill --aws`
against an emulated Step Functions (no Spark here: the end-to-end run is in tests/e2e)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from pexlogs.cli import main
from pexlogs.cli._backfill import start_backfill_on_aws
from pexlogs.exceptions import UsageError, WorkflowError
from pexlogs.local.runner import hour_ranges

H = 3_600_000


def test_help_of_both_commands_explains_them(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("run", "backfill"):
        with pytest.raises(SystemExit) as exited:
            main([command, "--help"])
        assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "--demo" in out and "--input" in out and "PEXLOGS_HOME" in out
    assert "--aws" in out and "--end" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--input", "{tmp}/missing.log"], "input not found"),
        (["run", "--demo", "--hours", "0"], "--hours must be at least 1"),
        (["run", "--input", "{tmp}/x.log", "--hours", "2"], "--hours needs --start"),
        (["run", "--demo", "--start", "yesterday"], "not an ISO-8601 time"),
        (
            ["backfill", "--start", "2026-01-05T10:30:00Z", "--end", "2026-01-05T12:00:00Z"],
            "whole hours",
        ),
        (
            ["backfill", "--start", "2026-01-05T12:00:00Z", "--end", "2026-01-05T10:00:00Z"],
            "after --start",
        ),
    ],
)
def test_user_mistakes_are_one_line_errors_with_exit_code_2(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "x.log").write_text("2026-01-05T10:00:00Z h audispd: x\n")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv] + ["--home", str(tmp_path / "home")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("pexlogs: error:") and message in err
    assert len(err.splitlines()) == 1


def test_run_refuses_an_input_without_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty.log").write_text("\n\n")
    assert main(["run", "--input", str(tmp_path / "empty.log"), "--home", str(tmp_path)]) == 2
    assert "no log lines" in capsys.readouterr().err


def test_hour_ranges_group_consecutive_hours_and_respect_the_maximum() -> None:
    hours = [0, H, 2 * H, 5 * H, 6 * H]
    assert hour_ranges(hours, 72) == [
        {"start": "1970-01-01T00:00:00Z", "end": "1970-01-01T03:00:00Z"},
        {"start": "1970-01-01T05:00:00Z", "end": "1970-01-01T07:00:00Z"},
    ]
    assert len(hour_ranges(list(range(0, 5 * H, H)), 2)) == 3
    assert hour_ranges([H, H, 0], 2) == [
        {"start": "1970-01-01T00:00:00Z", "end": "1970-01-01T02:00:00Z"}
    ]


PASS_MACHINE = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}


def test_backfill_on_aws_finds_the_state_machine_by_name_and_waits() -> None:
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        sfn = boto3.client("stepfunctions", region_name="eu-west-1")
        sfn.create_state_machine(
            name="pexip-logs-etl",
            definition=json.dumps(PASS_MACHINE),
            roleArn="arn:aws:iam::123456789012:role/states",
        )
        start = datetime(2026, 1, 5, 10, tzinfo=UTC)
        end = datetime(2026, 1, 5, 12, tzinfo=UTC)
        # WHEN a backfill is started on the (emulated) deployed stack
        result = start_backfill_on_aws(sfn, "pexip-logs-etl", start, end, poll_seconds=0.05)
        # THEN it ran with the backfill input and succeeded
        assert result["status"] == "SUCCEEDED"
        assert result["output"] == {"start": "2026-01-05T10:00:00Z", "end": "2026-01-05T12:00:00Z"}
        with pytest.raises(WorkflowError, match="no state machine named 'other'"):
            start_backfill_on_aws(sfn, "other", start, end)
        with pytest.raises(UsageError):
            start_backfill_on_aws(sfn, "pexip-logs-etl", end, start)
