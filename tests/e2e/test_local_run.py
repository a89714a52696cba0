"""`pexlogs run` end to end: generated logs → CloudWatch Logs (moto) → the real state machine
(moto's interpreter: CreateExportTask per hour × family, then the Glue job) → the real job on local
Spark → Parquet + Glue catalog → the named queries; every line accounted for; a re-run over the same
hours changes no counts. (`pexlogs backfill` takes the same path: tests/functional/test_runner_workflow.py.)"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow.parquet as pq
import pytest

from pexlogs.cli import main
from pexlogs.local.runner import RunOptions, RunSummary, run_local
from pexlogs.query import resolve_query, run_local_query
from pexlogs.schema import load_registry

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession

pytestmark = [pytest.mark.spark, pytest.mark.slow]

# Two hours over midnight (two dt values). Events this old are fine: the embedded CloudWatch Logs
# accepts any age (moto_compat.logs_event_age), as a backfill of real history needs.
START = datetime(2026, 1, 5, 23, tzinfo=UTC)
SEED, SCALE = 5, 0.3  # about 1,500 lines an hour
DEMO_ARGS = ["--demo", "--start", "2026-01-05T23:00:00Z", "--hours", "2", "--seed", str(SEED)]
DEMO_ARGS += ["--scale", str(SCALE)]


def parquet_rows(home: Path) -> dict[str, int]:
    """Rows per table as stored in the warehouse (Parquet footers), whatever the job reported."""
    registry = load_registry()
    counts: Counter[str] = Counter()
    curated = home / "warehouse" / "curated"
    for name, table in registry.tables.items():
        for part in (curated / table.relative_path).glob("dt=*/hour=*/*.parquet"):
            counts[name] += pq.ParquetFile(part).metadata.num_rows
    return dict(counts)


def named(name: str, home: Path, **params: str) -> list[dict[str, Any]]:
    sql, values, _ = resolve_query(name, params)
    result = run_local_query(sql, values, home=home)
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


@pytest.fixture(scope="module")
def first_run(
    tmp_path_factory: pytest.TempPathFactory, spark: SparkSession
) -> tuple[Path, RunSummary]:
    home = tmp_path_factory.mktemp("pexlogs-home")
    options = RunOptions(home=home, demo=True, start=START, hours=2, seed=SEED, demo_scale=SCALE)
    return home, run_local(options, spark=spark, quiet=True)


def test_every_generated_line_is_accounted_for(first_run: tuple[Path, RunSummary]) -> None:
    home, summary = first_run
    stats = summary.demo_stats
    # THEN every generated line went in, through one execution over both hours
    assert summary.windows == [{"start": "2026-01-05T23:00:00Z", "end": "2026-01-06T01:00:00Z"}]
    assert len(summary.executions) == 1
    assert summary.lines_in == dict(stats.lines)
    assert summary.total_lines_in == stats.total_lines > 2000
    # and came out as exactly one row each, malformed lines quarantined
    assert summary.total_rows_written == summary.total_lines_in
    assert summary.quarantined == summary.rows_written["unparsed_lines"]
    assert summary.quarantined >= sum(stats.malformed.values()) > 0
    # and the warehouse holds what the job reported
    assert parquet_rows(home) == summary.rows_written
    # The execution's output carries the job's counts (read back by the state machine).
    output = summary.executions[0]["output"]
    assert output["counts"]["rows_written"] == summary.rows_written


def test_the_catalog_lists_every_partition_written(first_run: tuple[Path, RunSummary]) -> None:
    home, summary = first_run
    snapshot = json.loads((home / "catalog.json").read_text())
    assert snapshot["database"] == "pexip_logs"
    assert set(load_registry().tables) <= set(snapshot["tables"])
    for table, rows in summary.rows_written.items():
        partitions = snapshot["tables"][table]["partitions"]
        assert partitions, table
        for part in partitions:
            assert part["values"][0] in ("2026-01-05", "2026-01-06")
            assert Path(part["location"].removeprefix("file://")).is_dir()
        assert rows > 0


def test_named_queries_return_the_generated_conferences_and_calls(
    first_run: tuple[Path, RunSummary],
) -> None:
    home, summary = first_run
    stats = summary.demo_stats
    rows = named("conferences_per_day", home)
    assert {r["dt"]: r["conferences"] for r in rows} == stats.conferences_per_day()
    assert sum(stats.conferences_per_day().values()) > 0
    # Every generated call's lines per hour, by call id.
    per_hour = named("call_ids_per_hour", home)
    got = {(r["dt"], r["hour"], r["call_id"]): r["messages"] for r in per_hour}
    expected = {
        (hour_key[:10], hour_key[11:13], call_id): n
        for call_id, info in stats.calls.items()
        for hour_key, n in info.hours.items()
    }
    assert expected
    assert {k: got.get(k) for k in expected} == expected
    # The SIP dialog of one call.
    call_id, info = next(
        (k, v) for k, v in stats.calls.items() if v.protocol == "SIP" and v.messages["sip"] >= 4
    )
    sip = named("call_sip_messages", home, call_id=call_id)
    assert len(sip) == info.messages["sip"] and {r["call_id"] for r in sip} == {call_id}


def test_a_rerun_over_the_same_hours_changes_no_counts(
    first_run: tuple[Path, RunSummary], spark: SparkSession, capsys: pytest.CaptureFixture[str]
) -> None:
    home, summary = first_run
    before_rows = parquet_rows(home)
    before_conferences = named("conferences_per_day", home)
    # WHEN the same demo runs again through the CLI (same seed and hours)
    capsys.readouterr()
    assert main(["run", *DEMO_ARGS, "--home", str(home), "--json"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    again = json.loads(out[-1])
    # THEN nothing new was ingested, the same lines were processed, the same rows written
    assert again["already_ingested"] is True
    assert again["lines_in"] == again["rows_written"] == summary.total_lines_in
    assert again["tables"] == summary.rows_written
    assert again["quarantined"] == summary.quarantined
    assert parquet_rows(home) == before_rows
    assert named("conferences_per_day", home) == before_conferences
    state = json.loads((home / "state.json").read_text())
    assert [r["command"] for r in state["runs"]] == ["run", "run"]
    assert len(state["ingests"]) == 1
