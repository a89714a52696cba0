"""The ETL job end to end on local Spark: export objects in, Parquet partitions and catalog out.

Fixtures are composed here from the line grammar and laid out the way CloudWatch's
CreateExportTask does (``exports/<family>/YYYY/MM/DD/HH/<taskId>/<stream>/000000.gz`` plus the
``aws-logs-write-test`` probe). Expected counts per table come from the shared parser itself, run
on the driver: the job must put each line exactly where ``parse_line`` routes it.
"""

from __future__ import annotations

import gzip
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pexlogs import parse_line
from pexlogs.etl import run_from_arguments, run_job
from pexlogs.exceptions import JobError

pytestmark = pytest.mark.spark

H10 = {"start": "2026-11-27T10:00:00Z", "end": "2026-11-27T11:00:00Z"}
H11 = {"start": "2026-11-27T11:00:00Z", "end": "2026-11-27T12:00:00Z"}
BOTH = {"start": "2026-11-27T10:00:00Z", "end": "2026-11-27T12:00:00Z"}


def support(hour: int, minute: int, module: str, message: str, pairs: str = "") -> str:
    t = f"2026-11-27T{hour:02d}:{minute:02d}:00.123+00:00"
    return (
        f'{t} pxpconf01 2026-11-27 {hour:02d}:{minute:02d}:00,120 Level="INFO" '
        f'Name="{module}" Message="{message}"{" " + pairs if pairs else ""}'
    )


def audit(hour: int, minute: int, serial: int) -> str:
    return (
        f"2026-11-27T{hour:02d}:{minute:02d}:00.000+00:00 pxpmgmt audispd: node=pxpmgmt.example.com "
        f"type=USER_LOGIN msg=audit(1795774140.123:{serial}): pid=1234 uid=0 auid=1000 ses=5 "
        'msg=\'op=login id=1000 exe="/usr/sbin/sshd" hostname=10.0.0.9 addr=10.0.0.9 '
        "terminal=ssh res=success'"
    )


def web(hour: int, minute: int, path: str, status: int = 200) -> str:
    return (
        f"2026-11-27T{hour:02d}:{minute:02d}:00.000+00:00 pxpmgmt apache2: 10.0.0.9 - admin "
        f'[27/Nov/2026:{hour:02d}:{minute:02d}:00 +0000] "GET {path} HTTP/1.1" {status} 5120 '
        '"-" "Mozilla/5.0"'
    )


def sip(hour: int, minute: int, call: str) -> str:
    return support(
        hour,
        minute,
        "support.sip",
        "Summarised received SIP request",
        f'Src-address="10.0.0.5" Src-port="5061" Dst-address="10.0.0.1" Dst-port="5061" '
        f'Transport="TLS" Method="INVITE" Call-id="{call}"',
    )


def unknown_module(hour: int, minute: int) -> str:
    return support(hour, minute, "support.brandnew.module", "Something new", 'Widget-count="3"')


def cut_off(hour: int, minute: int) -> str:
    return f'2026-11-27T{hour:02d}:{minute:02d}:00.000+00:00 pxpconf01 2026-11-27 {hour:02d}:{minute:02d}:00,000 Level="INFO" Name="support.sip" Message="Cut off'


def write_export(
    raw: Path, family: str, hour: int, lines: list[str], *, task: str = "task-1", stream: str = "s1"
) -> Path:
    """One export object, each line behind the CloudWatch event timestamp, gzipped."""
    prefix = raw / "exports" / family / "2026" / "11" / "27" / f"{hour:02d}"
    obj = prefix / task / stream / "000000.gz"
    obj.parent.mkdir(parents=True, exist_ok=True)
    (prefix / "aws-logs-write-test").write_text("Permission Check Successful")
    body = "".join(f"2026-11-27T{hour:02d}:30:00.000Z {line}\n" for line in lines)
    obj.write_bytes(gzip.compress(body.encode()))
    return obj


def scenario_lines() -> dict[tuple[str, int], list[str]]:
    """Two hours x three families; hour 11 also has an unknown module and a cut-off line."""
    return {
        ("support", 10): [sip(10, 1, "call-a"), sip(10, 2, "call-a"), unknown_module(10, 3)],
        ("support", 11): [sip(11, 1, "call-b"), unknown_module(11, 2), cut_off(11, 3)],
        ("audit", 10): [audit(10, 5, 100), audit(10, 6, 101)],
        ("audit", 11): [audit(11, 5, 200)],
        ("web", 10): [web(10, 7, "/admin/"), web(10, 8, "/api/admin/status/v1/")],
        ("web", 11): [web(11, 7, "/webapp/", 304)],
    }


def lay_out(raw: Path, lines: dict[tuple[str, int], list[str]]) -> dict[tuple[str, int], Path]:
    objects = {}
    for (family, hour), family_lines in lines.items():
        objects[(family, hour)] = write_export(raw, family, hour, family_lines)
    # An empty object (CloudWatch writes none, but a retried upload may): skipped, not an error.
    empty = raw / "exports" / "web" / "2026" / "11" / "27" / "10" / "task-1" / "s2" / "000000.gz"
    empty.parent.mkdir(parents=True, exist_ok=True)
    empty.write_bytes(b"")
    return objects


def expected_counts(lines: dict[tuple[str, int], list[str]]) -> Counter[tuple[str, str]]:
    """(table, hour) -> rows, as the shared parser routes each line."""
    return Counter(
        (parse_line(line, family)["table"], f"{hour:02d}")
        for (family, hour), family_lines in lines.items()
        for line in family_lines
    )


def stored(spark: Any, curated: Path, family: str, table: str) -> list[dict[str, Any]]:
    path = curated / family / table
    if not path.exists():
        return []
    df = spark.read.parquet(path.as_uri())
    return sorted((r.asDict(recursive=True) for r in df.collect()), key=repr)


def partition_files(curated: Path) -> dict[str, float]:
    return {
        str(p.relative_to(curated)): p.stat().st_mtime_ns
        for p in curated.rglob("*.parquet")
        if "hour=" in str(p)
    }


@pytest.fixture
def glue() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("glue", region_name="eu-west-1")


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path, dict[tuple[str, int], list[str]]]:
    lines = scenario_lines()
    lay_out(tmp_path / "raw", lines)
    return tmp_path / "raw", tmp_path / "curated", lines


def test_two_windows_three_families_exact_counts_and_catalog(
    spark: Any, glue: Any, layout: tuple[Path, Path, dict[tuple[str, int], list[str]]]
) -> None:
    raw, curated, lines = layout
    expected = expected_counts(lines)

    # WHEN both windows run with the catalog on
    summary = run_job(
        spark,
        windows=[H10, H11],
        raw_uri=raw.as_uri(),
        curated_uri=curated.as_uri(),
        database="pexip_logs",
        glue_client=glue,
    )

    # THEN every line is accounted for, per family and per table
    assert summary["lines_read"] == {"audit": 3, "support": 6, "web": 3}
    per_table: Counter[str] = Counter()
    for (table, _hour), n in expected.items():
        per_table[table] += n
    assert summary["rows_written"] == dict(sorted(per_table.items()))
    assert summary["quarantined"] == per_table["unparsed_lines"] == 1
    assert summary["partitions"] == len(expected)
    assert summary["windows"] == [H10, H11]
    # 6 write-test probes and one empty object were skipped on purpose
    assert summary["skipped_objects"] == 7
    assert summary["objects"] == 6

    # THEN each (table, hour) partition holds exactly the lines the parser routes there
    for (table, hour), n in expected.items():
        family = "unparsed" if table == "unparsed_lines" else table.split("_", 1)[0]
        part = curated / family / table / "dt=2026-11-27" / f"hour={hour}"
        files = list(part.glob("*.parquet"))
        assert len(files) == 1, f"{part}: {files}"
        assert spark.read.parquet(str(part)).count() == n

    # THEN an unknown module lands in support_other with its keys in extra
    other = stored(spark, curated, "support", "support_other")
    assert [r["module"] for r in other] == ["support.brandnew.module"] * 2
    assert {r["hour"] for r in other} == {"10", "11"}
    assert all(r["extra"] == {"widget_count": "3"} for r in other)
    # THEN partition columns read back as strings, timestamps as UTC instants
    assert {r["dt"] for r in other} == {"2026-11-27"}
    assert sorted(str(r["syslog_time"]) for r in other) == [
        "2026-11-27 10:03:00.123000",
        "2026-11-27 11:02:00.123000",
    ]

    # THEN the cut-off line is quarantined with its family, reason and source object
    (bad,) = stored(spark, curated, "unparsed", "unparsed_lines")
    assert bad["family"] == "support"
    assert bad["reason"]
    assert bad["raw_line"] == cut_off(11, 3)
    assert bad["source"].endswith("exports/support/2026/11/27/11/task-1/s1/000000.gz")

    # THEN the catalog has every registry table and each written partition at its folder
    tables = {t["Name"] for t in glue.get_tables(DatabaseName="pexip_logs")["TableList"]}
    assert {"support_other", "unparsed_lines", "web_access", "audit_user_login"} <= tables
    for table, hour in expected:
        part = glue.get_partition(
            DatabaseName="pexip_logs", TableName=table, PartitionValues=["2026-11-27", hour]
        )["Partition"]
        family = "unparsed" if table == "unparsed_lines" else table.split("_", 1)[0]
        assert part["StorageDescriptor"]["Location"] == (
            f"{curated.as_uri()}/{family}/{table}/dt=2026-11-27/hour={hour}/"
        )
    assert summary["catalog"]["partitions_created"] == len(expected)

    # WHEN the same windows run again
    before = {t: stored(spark, curated, "support", t) for t in ("support_sip_received",)}
    again = run_job(
        spark,
        windows=[BOTH],
        raw_uri=raw.as_uri(),
        curated_uri=curated.as_uri(),
        database="pexip_logs",
        glue_client=glue,
    )
    # THEN the rows are identical (replaced, not appended) and partitions are updated in place
    assert again["rows_written"] == summary["rows_written"]
    assert {t: stored(spark, curated, "support", t) for t in before} == before
    assert len(list(curated.rglob("*.parquet"))) == len(expected)
    assert again["catalog"]["partitions_updated"] == len(expected)
    assert again["catalog"]["partitions_created"] == 0


def test_rerun_of_one_window_leaves_the_other_untouched_and_lands_a_late_line_once(
    spark: Any, layout: tuple[Path, Path, dict[tuple[str, int], list[str]]]
) -> None:
    raw, curated, lines = layout
    run_job(spark, windows=[BOTH], raw_uri=raw.as_uri(), curated_uri=curated.as_uri())
    hour10 = {k: v for k, v in partition_files(curated).items() if "hour=10" in k}

    # GIVEN hour 11 is exported again: a late line arrived, and the unknown-module line is gone
    # (the new export is a new task folder; the old one is replaced, as a re-export does)
    late = sip(11, 59, "call-late")
    lines[("support", 11)] = [sip(11, 1, "call-b"), cut_off(11, 3), late]
    for old in (raw / "exports" / "support" / "2026" / "11" / "27" / "11").glob("task-*"):
        for f in old.rglob("*"):
            if f.is_file():
                f.unlink()
    write_export(raw, "support", 11, lines[("support", 11)], task="task-2")

    # WHEN only hour 11 is re-processed
    summary = run_job(spark, windows=[H11], raw_uri=raw.as_uri(), curated_uri=curated.as_uri())

    # THEN hour 10's files were not rewritten
    assert {k: v for k, v in partition_files(curated).items() if "hour=10" in k} == hour10
    # THEN the late line is there once, next to the earlier line of the hour
    received = [r for r in stored(spark, curated, "support", "support_sip_received")]
    calls = Counter((r["hour"], r["call_id"]) for r in received)
    assert calls == {("10", "call-a"): 2, ("11", "call-b"): 1, ("11", "call-late"): 1}
    # THEN support_other's hour-11 partition, which the new export no longer feeds, is gone
    other = stored(spark, curated, "support", "support_other")
    assert [r["hour"] for r in other] == ["10"]
    assert summary["deleted_partitions"] == 1
    assert summary["lines_read"] == {"audit": 1, "support": 3, "web": 1}


def test_empty_window_succeeds_with_zero_rows(spark: Any, tmp_path: Path) -> None:
    # GIVEN a window whose export ran but held no events (only the write-test probe)
    prefix = tmp_path / "raw" / "exports" / "support" / "2026" / "11" / "27" / "13"
    prefix.mkdir(parents=True)
    (prefix / "aws-logs-write-test").write_text("Permission Check Successful")
    summary = run_from_arguments(
        {
            "--windows": '[{"start": "2026-11-27T13:00:00Z", "end": "2026-11-27T14:00:00Z"}]',
            "--raw_uri": (tmp_path / "raw").as_uri(),
            "--curated_uri": (tmp_path / "curated").as_uri(),
            "--database": "",
        },
        spark=spark,
    )
    assert summary["lines_read"] == {"audit": 0, "support": 0, "web": 0}
    assert summary["rows_written"] == {}
    assert summary["quarantined"] == 0
    assert summary["partitions"] == 0
    assert "catalog" not in summary


def test_corrupt_object_fails_the_run_naming_it(spark: Any, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_export(raw, "web", 10, [web(10, 1, "/a/")])
    good = gzip.compress(("2026-11-27T10:30:00.000Z " + web(10, 2, "/b/") + "\n").encode() * 500)
    bad = raw / "exports" / "web" / "2026" / "11" / "27" / "10" / "task-1" / "s9" / "000000.gz"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(good[: len(good) // 2])  # truncated upload
    with pytest.raises(JobError) as caught:
        run_job(
            spark,
            windows=[H10],
            raw_uri=raw.as_uri(),
            curated_uri=(tmp_path / "curated").as_uri(),
            families=["web"],
        )
    message = str(caught.value)
    assert "task-1/s9/000000.gz" in message
    assert "task-1/s1/000000.gz" not in message
    assert not (tmp_path / "curated").exists()  # nothing half-written


def test_a_carriage_return_inside_a_line_does_not_split_it(spark: Any, tmp_path: Path) -> None:
    # GIVEN an export whose one support line carries a raw "\r" inside a value (a CRLF-ended line too)
    raw = tmp_path / "raw"
    line = support(10, 5, "administrator.alarm", "Alarm raised", 'Instance="a\rb"')
    write_export(raw, "support", 10, [line, support(10, 6, "administrator.alarm", "X") + "\r"])
    # WHEN the job runs over the window
    summary = run_job(
        spark,
        windows=[H10],
        raw_uri=raw.as_uri(),
        curated_uri=(tmp_path / "curated").as_uri(),
    )
    # THEN it read two lines, not three, and both parsed
    assert summary["lines_read"]["support"] == 2
    assert summary["rows_written"] == {"support_administrator_alarm": 2}
    assert summary["quarantined"] == 0
