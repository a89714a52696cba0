"""Export windows → hours → raw prefixes and partitions (pure, no Spark)."""

from __future__ import annotations

import pytest

from pexlogs.etl._read import export_hour_of
from pexlogs.etl._windows import parse_windows, window_hours
from pexlogs.exceptions import UsageError


def test_a_window_maps_to_each_of_its_hours() -> None:
    windows = parse_windows('[{"start": "2026-11-27T22:00:00Z", "end": "2026-11-28T01:00:00Z"}]')
    hours = window_hours(windows)
    assert [(h.dt, h.hour) for h in hours] == [
        ("2026-11-27", "22"),
        ("2026-11-27", "23"),
        ("2026-11-28", "00"),
    ]
    assert hours[2].prefix("audit") == "exports/audit/2026/11/28/00"


def test_overlapping_windows_are_merged_and_offsets_normalised_to_utc() -> None:
    windows = parse_windows(
        [
            {"start": "2026-11-27T10:00:00Z", "end": "2026-11-27T12:00:00Z"},
            {"start": "2026-11-27T12:00:00+01:00", "end": "2026-11-27T13:00:00+01:00"},
        ]
    )
    assert [h.hour for h in window_hours(windows)] == ["10", "11"]
    assert windows[1].as_dict() == {"start": "2026-11-27T11:00:00Z", "end": "2026-11-27T12:00:00Z"}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not json", "not JSON"),
        ('[{"start": "2026-11-27T10:30:00Z", "end": "2026-11-27T11:00:00Z"}]', "whole hours"),
        ('[{"start": "2026-11-27T11:00:00Z", "end": "2026-11-27T10:00:00Z"}]', "not after"),
        ('[{"start": "yesterday", "end": "2026-11-27T10:00:00Z"}]', "ISO-8601"),
        ('[{"start": "2026-11-27T10:00:00Z"}]', "window must be"),
        ('"2026-11-27"', "JSON list"),
    ],
)
def test_bad_windows_are_usage_errors(value: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_windows(value)


def test_export_hour_comes_from_the_object_path_not_the_task_folder() -> None:
    assert export_hour_of("s3://raw/exports/web/2026/11/27/10/any-task-id/stream/000000.gz") == (
        "web",
        "2026-11-27",
        "10",
    )
    assert export_hour_of("file:///x/exports/support/2026/11/27/09/000000.gz") == (
        "support",
        "2026-11-27",
        "09",
    )
    assert export_hour_of("s3://raw/other/000000.gz") is None
