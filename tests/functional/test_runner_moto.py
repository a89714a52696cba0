"""The runner's moto pieces: provisioning, PutLogEvents ingestion, staging exports, the catalog
snapshot. Each test gets a fresh embedded AWS."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pexlogs.exceptions import InputError
from pexlogs.local import moto_compat
from pexlogs.local._catalog_snapshot import load_snapshot, restore_partitions, save_snapshot
from pexlogs.local._ingest import LogEvent, put_events
from pexlogs.local._provision import (
    LocalNames,
    create_alert_topic,
    create_buckets,
    create_glue_job,
    create_log_groups,
    create_role,
)
from pexlogs.local._stage import export_prefix, stage_exports, window_hours

REGION = "eu-west-1"
HOUR = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
HOUR_MS = int(HOUR.timestamp() * 1000)


@pytest.fixture
def aws() -> Iterator[dict[str, Any]]:
    with mock_aws():
        yield {s: boto3.client(s, region_name=REGION) for s in ("logs", "s3", "glue", "iam", "sns")}


def test_provisioned_resources_exist(aws: dict[str, Any]) -> None:
    names = LocalNames()
    # WHEN provisioning twice (a second run re-provisions)
    for _ in range(2):
        create_log_groups(aws["logs"], names)
        create_buckets(aws["s3"], names, REGION)
        role = create_role(aws["iam"], "pexlogs-glue", "glue.amazonaws.com")
        topic = create_alert_topic(aws["sns"], names)
        create_glue_job(aws["glue"], names, role, {"--database": "pexip_logs"})
    # THEN everything the workflow needs is there once
    groups = [g["logGroupName"] for g in aws["logs"].describe_log_groups()["logGroups"]]
    assert sorted(groups) == ["/pexip/audit", "/pexip/support", "/pexip/web"]
    buckets = {b["Name"] for b in aws["s3"].list_buckets()["Buckets"]}
    assert {names.raw_bucket, names.curated_bucket} <= buckets
    assert topic.endswith(":pexip-logs-alerts")
    job = aws["glue"].get_job(JobName="pexip-logs-etl")["Job"]
    assert job["DefaultArguments"]["--database"] == "pexip_logs"


def test_put_events_sends_every_event_to_its_group_and_stream(aws: dict[str, Any]) -> None:
    names = LocalNames()
    create_log_groups(aws["logs"], names)
    events = [LogEvent("support", "pxpconf01", HOUR_MS + i, f"line {i}") for i in range(25)]
    events += [LogEvent("audit", "pxpmgmt", HOUR_MS + 5, "audit line")]
    batches: list[int] = []
    # WHEN the events are put (out of order within the stream)
    accepted = put_events(aws["logs"], names.log_groups, events[::-1], on_batch=batches.append)
    # THEN every event is in CloudWatch Logs, in its node's stream, in time order
    assert accepted == 26 and sum(batches) == 26
    got = aws["logs"].get_log_events(
        logGroupName="/pexip/support", logStreamName="pxpconf01", startFromHead=True
    )["events"]
    assert [e["message"] for e in got] == [f"line {i}" for i in range(25)]
    audit = aws["logs"].get_log_events(logGroupName="/pexip/audit", logStreamName="pxpmgmt")
    assert [e["timestamp"] for e in audit["events"]] == [HOUR_MS + 5]


def test_put_events_fails_loudly_when_the_service_rejects_events(aws: dict[str, Any]) -> None:
    names = LocalNames()
    create_log_groups(aws["logs"], names)
    future = int((datetime.now(UTC) + timedelta(days=1)).timestamp() * 1000)
    # moto as shipped rejects such events (the runner's moto_compat lifts that for backfills of
    # old logs; another test in this process may have installed it).
    with (
        moto_compat.without("logs_event_age"),
        pytest.raises(InputError, match="rejected"),
    ):
        put_events(aws["logs"], names.log_groups, [LogEvent("web", "n", future, "x")])


def test_stage_copies_the_windows_exports_and_replaces_an_older_staging(
    aws: dict[str, Any], tmp_path: Path
) -> None:
    names = LocalNames()
    create_buckets(aws["s3"], names, REGION)
    prefix = export_prefix("support", HOUR)
    key = f"{prefix}/task-1/pxpconf01/000000.gz"
    aws["s3"].put_object(Bucket=names.raw_bucket, Key=key, Body=gzip.compress(b"a line"))
    aws["s3"].put_object(Bucket=names.raw_bucket, Key=f"{prefix}/aws-logs-write-test", Body=b"ok")
    # GIVEN an older staging of the same hour from another task
    stale = tmp_path / prefix / "task-0" / "pxpconf01" / "000000.gz"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(gzip.compress(b"old"))
    window = {"start": HOUR.isoformat(), "end": (HOUR + timedelta(hours=1)).isoformat()}
    # WHEN staging
    staged = stage_exports(aws["s3"], names.raw_bucket, [window], ["support", "web"], tmp_path)
    # THEN only this export is there, the write test is skipped
    assert staged == {"support": 1, "web": 0}
    assert not stale.exists()
    assert gzip.decompress((tmp_path / key).read_bytes()) == b"a line"
    assert not (tmp_path / prefix / "aws-logs-write-test").exists()


def test_window_hours_covers_whole_hours_end_exclusive() -> None:
    windows = [{"start": "2026-01-01T22:00:00Z", "end": "2026-01-02T01:00:00Z"}]
    assert [h.hour for h in window_hours(windows)] == [22, 23, 0]


def test_catalog_snapshot_round_trip(tmp_path: Path) -> None:
    with mock_aws():
        saved = _catalog_with_two_partitions(tmp_path)
    snapshot = load_snapshot(tmp_path / "catalog.json")
    assert snapshot == saved
    # WHEN a new embedded AWS (which forgot everything) restores the snapshot
    with mock_aws():
        fresh = boto3.client("glue", region_name=REGION)
        restored = restore_partitions(fresh, snapshot)
        # THEN the partition whose folder exists is back; the removed one is not listed
        assert restored == 1
        parts = fresh.get_partitions(DatabaseName="pexip_logs", TableName="web_access")
        assert [p["Values"] for p in parts["Partitions"]] == [["2026-01-01", "10"]]
        # and restoring again (already registered) keeps one
        assert restore_partitions(fresh, snapshot) == 1
        parts = fresh.get_partitions(DatabaseName="pexip_logs", TableName="web_access")
        assert len(parts["Partitions"]) == 1
    assert load_snapshot(tmp_path / "missing.json") is None


def _catalog_with_two_partitions(tmp_path: Path) -> dict[str, Any]:
    glue = boto3.client("glue", region_name=REGION)
    glue.create_database(DatabaseInput={"Name": "pexip_logs"})
    sd = {
        "Columns": [{"Name": "message", "Type": "string"}],
        "Location": "file:///w/curated/web/web_access/",
    }
    glue.create_table(
        DatabaseName="pexip_logs",
        TableInput={
            "Name": "web_access",
            "StorageDescriptor": sd,
            "PartitionKeys": [{"Name": "dt", "Type": "string"}, {"Name": "hour", "Type": "string"}],
        },
    )
    part_dir = tmp_path / "dt=2026-01-01" / "hour=10"
    part_dir.mkdir(parents=True)
    gone = tmp_path / "dt=2026-01-01" / "hour=11"
    for values, folder in ((["2026-01-01", "10"], part_dir), (["2026-01-01", "11"], gone)):
        glue.create_partition(
            DatabaseName="pexip_logs",
            TableName="web_access",
            PartitionInput={
                "Values": values,
                "StorageDescriptor": {**sd, "Location": f"file://{folder}"},
            },
        )
    saved = save_snapshot(glue, "pexip_logs", tmp_path / "catalog.json")
    assert saved["tables"]["web_access"]["partition_keys"] == ["dt", "hour"]
    assert len(saved["tables"]["web_access"]["partitions"]) == 2
    return saved


def test_local_catalog_serves_the_last_runs_catalog(tmp_path: Path) -> None:
    from pexlogs.exceptions import UsageError
    from pexlogs.local.runner import local_catalog

    with pytest.raises(UsageError, match="no local run found"), local_catalog(tmp_path):
        pass
    with mock_aws():
        _catalog_with_two_partitions(tmp_path)
    # WHEN another command opens the local catalog of this home
    with local_catalog(tmp_path) as glue:
        parts = glue.get_partitions(DatabaseName="pexip_logs", TableName="web_access")
    # THEN it lists what the run registered (whose folders still exist)
    assert [p["Values"] for p in parts["Partitions"]] == [["2026-01-01", "10"]]
