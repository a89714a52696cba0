"""Staging: copy the objects an export wrote to the (emulated) raw bucket into the local warehouse.

Local Spark reads ``file://`` only (no S3 connector jars offline), so before the job runs locally
the objects under each window's export prefix are copied to ``<raw_dir>/<same key>``. A window's
local prefix is emptied first: an earlier run's export of the same hour sits in a different
task-id folder, and reading both would count its lines twice.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

__all__ = ["export_prefix", "stage_exports", "window_hours"]

_WRITE_TEST = "aws-logs-write-test"


def export_prefix(family: str, hour: datetime) -> str:
    """The CreateExportTask destination prefix of one family and hour (DESIGN.md)."""
    return f"exports/{family}/{hour:%Y/%m/%d/%H}"


def window_hours(windows: Iterable[dict[str, str]]) -> list[datetime]:
    """Every whole UTC hour inside a list of ``{"start","end"}`` windows (end exclusive)."""
    hours: set[datetime] = set()
    for window in windows:
        start = _parse(window["start"])
        end = _parse(window["end"])
        current = start.replace(minute=0, second=0, microsecond=0)
        while current < end:
            hours.add(current)
            current += timedelta(hours=1)
    return sorted(hours)


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def stage_exports(
    s3_client: Any,
    bucket: str,
    windows: Sequence[dict[str, str]],
    families: Sequence[str],
    raw_dir: Path,
) -> dict[str, int]:
    """Copy every export object of the windows × families from ``bucket`` to ``raw_dir``.

    Returns the number of objects staged per family. Skips the service's write-test object.
    """
    staged: dict[str, int] = {family: 0 for family in families}
    paginator = s3_client.get_paginator("list_objects_v2")
    for hour in window_hours(windows):
        for family in families:
            prefix = export_prefix(family, hour)
            local_prefix = raw_dir / prefix
            if local_prefix.exists():
                shutil.rmtree(local_prefix)
            for page in paginator.paginate(Bucket=bucket, Prefix=prefix + "/"):
                for item in page.get("Contents", []):
                    key: str = item["Key"]
                    if key.rsplit("/", 1)[-1] == _WRITE_TEST:
                        continue
                    target = raw_dir / key
                    target.parent.mkdir(parents=True, exist_ok=True)
                    body = s3_client.get_object(Bucket=bucket, Key=key)["Body"].read()
                    target.write_bytes(body)
                    staged[family] += 1
    return staged
