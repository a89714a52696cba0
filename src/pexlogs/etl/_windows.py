"""Export windows: ``{"start", "end"}`` ISO-8601 UTC whole hours, and the hours they cover.

A window's hours name both the raw export prefixes to read
(``exports/<family>/<YYYY>/<MM>/<DD>/<HH>``) and the curated partitions to write (``dt``, ``hour``).

>>> [h.prefix("web") for h in window_hours(parse_windows(
...     '[{"start": "2026-11-27T10:00:00Z", "end": "2026-11-27T12:00:00Z"}]'))]
['exports/web/2026/11/27/10', 'exports/web/2026/11/27/11']
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pexlogs.exceptions import UsageError

__all__ = ["Hour", "Window", "parse_time", "parse_windows", "window_hours"]

_ONE_HOUR = timedelta(hours=1)


def parse_time(text: str) -> datetime:
    """An ISO-8601 time as an aware UTC datetime (a naive time is taken as UTC)."""
    try:
        value = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except (ValueError, AttributeError):
        raise UsageError(f"not an ISO-8601 time: {text!r}") from None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, order=True)
class Hour:
    """One UTC hour: an export prefix per family and one curated partition per table."""

    start: datetime

    @property
    def dt(self) -> str:
        return self.start.strftime("%Y-%m-%d")

    @property
    def hour(self) -> str:
        return self.start.strftime("%H")

    def prefix(self, family: str) -> str:
        """The export prefix below the raw root: ``exports/<family>/<YYYY>/<MM>/<DD>/<HH>``."""
        return f"exports/{family}/{self.start.strftime('%Y/%m/%d/%H')}"


@dataclass(frozen=True)
class Window:
    """A run window ``[start, end)`` over whole UTC hours."""

    start: datetime
    end: datetime

    def hours(self) -> list[Hour]:
        out, cursor = [], self.start
        while cursor < self.end:
            out.append(Hour(cursor))
            cursor += _ONE_HOUR
        return out

    def as_dict(self) -> dict[str, str]:
        return {"start": _iso(self.start), "end": _iso(self.end)}


def _window(item: Any) -> Window:
    if isinstance(item, Window):
        return item
    if not isinstance(item, Mapping) or "start" not in item or "end" not in item:
        raise UsageError(f"a window must be {{'start': ISO, 'end': ISO}}, got {item!r}")
    start, end = parse_time(str(item["start"])), parse_time(str(item["end"]))
    for value in (start, end):
        if value.minute or value.second or value.microsecond:
            raise UsageError(f"window times must be whole hours: {_iso(value)}")
    if end <= start:
        raise UsageError(f"window end {_iso(end)} is not after its start {_iso(start)}")
    return Window(start, end)


def parse_windows(value: str | Iterable[Any]) -> list[Window]:
    """Windows from the ``--windows`` JSON text or from a list of ``{"start", "end"}`` mappings."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise UsageError(f"--windows is not JSON: {exc}") from None
        if isinstance(value, Mapping):
            value = [value]
    if not isinstance(value, Iterable) or isinstance(value, str | bytes | Mapping):
        raise UsageError("--windows must be a JSON list of {'start', 'end'} objects")
    return [_window(item) for item in value]


def window_hours(windows: Sequence[Window]) -> list[Hour]:
    """Every hour the windows cover, once, in time order (overlapping windows are merged)."""
    return sorted({hour for window in windows for hour in window.hours()})
