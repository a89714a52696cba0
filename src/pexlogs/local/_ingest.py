"""Ingestion as the CloudWatch agent does it: raw lines → log events → PutLogEvents batches.

Every input line becomes one log event in the log group of its family (``/pexip/<family>``), in the
stream of the node that sent it (the syslog ``system`` token), with the line's own syslog time as
the event time. moto keeps CloudWatch Logs in memory only, so the events of every run are also kept
in a small append-only store under ``<home>/cloudwatch/`` (one gzip file per ingest, family and
hour): a later run or a local backfill puts the stored events of its hours back into the emulated
CloudWatch Logs before exporting them, exactly as the real service would still hold them.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pexlogs.exceptions import InputError
from pexlogs.parser import FAMILIES, detect_family

__all__ = [
    "EVENT_OVERHEAD_BYTES",
    "MAX_BATCH_BYTES",
    "MAX_BATCH_EVENTS",
    "MAX_BATCH_SPAN_MS",
    "EventStore",
    "IngestResult",
    "LogEvent",
    "batch_events",
    "events_from_lines",
    "family_from_name",
    "hour_of",
    "line_time_ms",
    "put_events",
    "read_input_lines",
    "stream_name",
]

# PutLogEvents limits (AWS documentation): 1,048,576 bytes per batch counted as the UTF-8 size of
# every message plus 26 bytes each, at most 10,000 events, and no more than 24 hours between the
# first and the last event of a batch; events in chronological order.
MAX_BATCH_BYTES = 1_048_576
MAX_BATCH_EVENTS = 10_000
EVENT_OVERHEAD_BYTES = 26
MAX_BATCH_SPAN_MS = 24 * 3600 * 1000
HOUR_MS = 3600 * 1000

# Characters CloudWatch Logs refuses in a stream name (':' and '*'), plus whitespace.
_BAD_STREAM_CHARS = re.compile(r"[:*\s]")


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One line on its way to CloudWatch Logs."""

    family: str
    stream: str
    timestamp: int  # epoch milliseconds, UTC
    message: str


def line_time_ms(line: str) -> int | None:
    """The line's syslog time (its first token, ISO-8601) in epoch ms, or None if it has none.

    >>> line_time_ms("2021-06-08T07:58:12.307+00:00 pxpmgmt audispd: x")
    1623139092307
    """
    token = line.split(" ", 1)[0]
    if len(token) < 10 or not token[:4].isdigit():
        return None
    try:
        when = datetime.fromisoformat(token)
    except ValueError:
        return None
    if when.tzinfo is None:  # Pexip writes UTC; a syslog server may drop the offset
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp() * 1000)


def stream_name(host: str) -> str:
    """The log stream of a node: its host name or address, made safe for CloudWatch Logs."""
    cleaned = _BAD_STREAM_CHARS.sub("_", host)[:512]
    return cleaned or "unknown"


def family_from_name(path: Path) -> str | None:
    """The family a file's name announces (``support.log``, ``pxp-audit.log.gz``), or None."""
    name = path.name.lower()
    found = [f for f in FAMILIES if re.search(rf"(^|[^a-z]){f}([^a-z]|$)", name)]
    return found[0] if len(found) == 1 else None


def hour_of(timestamp_ms: int) -> int:
    """The start of the UTC hour holding ``timestamp_ms`` (epoch ms)."""
    return timestamp_ms - timestamp_ms % HOUR_MS


def read_input_lines(path: Path) -> Iterator[str]:
    """The lines of a plain or gzip file, split on ``\\n`` only (audit lines may hold 0x1C–0x1E)."""
    try:
        with path.open("rb") as raw:
            magic = raw.read(2)
        data = path.read_bytes()
        if magic == b"\x1f\x8b":
            data = gzip.decompress(data)
    except FileNotFoundError:
        raise InputError(f"input not found: {path}") from None
    except IsADirectoryError:
        raise InputError(f"input is a directory, not a file: {path}") from None
    except (OSError, EOFError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    text = data.decode("utf-8", errors="replace")
    for line in text.split("\n"):
        line = line.removesuffix("\r")
        # A truly empty line is not a log line (the agent does not ship it); whitespace-only
        # lines are shipped and end up quarantined, so nothing with content is ever dropped.
        if line:
            yield line


def events_from_lines(
    lines: Iterable[str], *, family: str | None = None, default_time_ms: int
) -> Iterator[LogEvent]:
    """Log events for raw lines, in input order.

    The event time is the line's syslog time; a line without one (a continuation, a garbled line)
    takes the time and node of the line before it, or ``default_time_ms`` and ``unknown`` at the
    start of the input — it is never dropped. ``family=None`` detects the family per line.
    """
    last_time = default_time_ms
    last_host = "unknown"
    for line in lines:
        ts = line_time_ms(line)
        if ts is None:
            ts, host = last_time, last_host
        else:
            parts = line.split(" ", 2)
            host = parts[1] if len(parts) > 1 else "unknown"
            last_time, last_host = ts, host
        fam = family or detect_family(line)
        yield LogEvent(fam, stream_name(host), ts, line)


def batch_events(events: Sequence[LogEvent]) -> Iterator[list[LogEvent]]:
    """PutLogEvents batches for the events of ONE stream: sorted by time (stable), each batch
    within the size, count and 24-hour span limits. A single oversized event gets a batch alone."""
    ordered = sorted(events, key=lambda e: e.timestamp)
    batch: list[LogEvent] = []
    size = 0
    for event in ordered:
        event_size = len(event.message.encode("utf-8")) + EVENT_OVERHEAD_BYTES
        if batch and (
            len(batch) >= MAX_BATCH_EVENTS
            or size + event_size > MAX_BATCH_BYTES
            or event.timestamp - batch[0].timestamp > MAX_BATCH_SPAN_MS
        ):
            yield batch
            batch, size = [], 0
        batch.append(event)
        size += event_size
    if batch:
        yield batch


def put_events(
    logs_client: Any,
    log_groups: dict[str, str],
    events: Iterable[LogEvent],
    *,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Send events to CloudWatch Logs (``log_groups`` maps family → group name), creating streams.

    Returns the number of events accepted; raises :class:`InputError` when the service rejects any
    (too old, too new, expired), naming how many: a line must never vanish silently.
    """
    per_stream: dict[tuple[str, str], list[LogEvent]] = defaultdict(list)
    for event in events:
        per_stream[(event.family, event.stream)].append(event)
    accepted = 0
    for (family, stream), stream_events in sorted(per_stream.items()):
        group = log_groups[family]
        with contextlib.suppress(logs_client.exceptions.ResourceAlreadyExistsException):
            logs_client.create_log_stream(logGroupName=group, logStreamName=stream)
        for batch in batch_events(stream_events):
            response = logs_client.put_log_events(
                logGroupName=group,
                logStreamName=stream,
                logEvents=[{"timestamp": e.timestamp, "message": e.message} for e in batch],
            )
            rejected = response.get("rejectedLogEventsInfo") or {}
            if rejected:
                raise InputError(
                    f"CloudWatch Logs rejected events of {group}/{stream}: {rejected} "
                    "(events older than the service accepts, or in the future)"
                )
            accepted += len(batch)
            if on_batch is not None:
                on_batch(len(batch))
    return accepted


@dataclass
class IngestResult:
    """What one ingest added to the event store."""

    ingest_id: str
    lines: dict[str, int] = field(default_factory=dict)  # per family
    hours: list[int] = field(default_factory=list)  # epoch ms of each hour touched, sorted
    already_ingested: bool = False


class EventStore:
    """The persisted content of the emulated CloudWatch Logs: ``<root>/<family>/<YYYY-MM-DD>/<HH>/
    <ingest_id>.tsv.gz``, one ``<epoch_ms>\\t<stream>\\t<line>`` row per event."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _hour_dir(self, family: str, hour_ms: int) -> Path:
        when = datetime.fromtimestamp(hour_ms / 1000, tz=UTC)
        return self.root / family / when.strftime("%Y-%m-%d") / when.strftime("%H")

    def add(self, events: Iterable[LogEvent], *, known_ids: Iterable[str] = ()) -> IngestResult:
        """Store events under a content-derived ingest id; the same content twice is stored once
        (``already_ingested``), so re-running the same input or demo changes nothing."""
        grouped: dict[tuple[str, int], list[LogEvent]] = defaultdict(list)
        digest = hashlib.sha256()
        for event in events:
            grouped[(event.family, hour_of(event.timestamp))].append(event)
            digest.update(f"{event.family}\t{event.timestamp}\t{event.stream}\t".encode())
            digest.update(event.message.encode("utf-8", errors="replace"))
            digest.update(b"\n")
        ingest_id = digest.hexdigest()[:16]
        result = IngestResult(ingest_id)
        lines: dict[str, int] = defaultdict(int)
        for (family, _hour), group in grouped.items():
            lines[family] += len(group)
        result.lines = dict(sorted(lines.items()))
        result.hours = sorted({hour for _fam, hour in grouped})
        if ingest_id in set(known_ids):
            result.already_ingested = True
            return result
        for (family, hour), group in grouped.items():
            folder = self._hour_dir(family, hour)
            folder.mkdir(parents=True, exist_ok=True)
            buffer = io.StringIO()
            for event in group:
                buffer.write(f"{event.timestamp}\t{event.stream}\t{event.message}\n")
            target = folder / f"{ingest_id}.tsv.gz"
            partial = target.with_suffix(".partial")
            partial.write_bytes(gzip.compress(buffer.getvalue().encode("utf-8"), compresslevel=1))
            partial.replace(target)  # a crash never leaves half an ingest behind
        return result

    def events(self, family: str, hour_ms: int) -> list[LogEvent]:
        """Every stored event of a family in one hour (all ingests)."""
        found: list[LogEvent] = []
        folder = self._hour_dir(family, hour_ms)
        for path in sorted(folder.glob("*.tsv.gz")):
            text = gzip.decompress(path.read_bytes()).decode("utf-8")
            for row in text.split("\n"):
                if not row:
                    continue
                ts, stream, message = row.split("\t", 2)
                found.append(LogEvent(family, stream, int(ts), message))
        return found

    def hours(self) -> list[int]:
        """Every hour holding stored events (epoch ms), sorted."""
        found: set[int] = set()
        for path in self.root.glob("*/*/*"):
            try:
                when = datetime.strptime(f"{path.parent.name} {path.name}", "%Y-%m-%d %H")
            except ValueError:
                continue
            found.add(int(when.replace(tzinfo=UTC).timestamp() * 1000))
        return sorted(found)
