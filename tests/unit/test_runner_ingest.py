"""Ingestion as the agent does it: event times, streams, families, PutLogEvents batches, the store."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pexlogs.exceptions import InputError
from pexlogs.local._ingest import (
    EVENT_OVERHEAD_BYTES,
    MAX_BATCH_BYTES,
    MAX_BATCH_EVENTS,
    MAX_BATCH_SPAN_MS,
    EventStore,
    LogEvent,
    batch_events,
    events_from_lines,
    family_from_name,
    hour_of,
    line_time_ms,
    read_input_lines,
    stream_name,
)

T0 = int(datetime(2026, 1, 5, 10, 0, tzinfo=UTC).timestamp() * 1000)
SUPPORT = (
    '2026-01-05T10:15:00.250+00:00 pxpconf01 2026-01-05 10:15:00,249 Level="INFO" '
    'Name="support.sip" Message="x"'
)
AUDIT = (
    "2026-01-05T10:20:00.000+00:00 pxpmgmt audispd: node=pxpmgmt type=LOGIN "
    "msg=audit(1767608400.000:1): pid=1"
)
WEB = '2026-01-05T11:01:00+00:00 pxpmgmt apache2: 10.0.0.1 - - [05/Jan/2026:11:01:00 +0000] "GET / HTTP/1.1" 200 5'


def test_line_time_reads_the_syslog_time_with_offset_and_fraction() -> None:
    assert line_time_ms(SUPPORT) == T0 + 15 * 60_000 + 250
    assert line_time_ms("2026-01-05T12:00:00.123456+02:00 h x") == T0 + 123
    assert line_time_ms("2026-01-05T10:00:00Z h x") == T0
    # A syslog server that drops the offset: the time is UTC anyway.
    assert line_time_ms("2026-01-05T10:00:00 h x") == T0


@pytest.mark.parametrize(
    "line", ["", "garbage", "^M continuation", "2026-13-45T99:00 h", "Jan  5 10:00:00 h"]
)
def test_line_time_is_none_without_a_parseable_first_token(line: str) -> None:
    assert line_time_ms(line) is None


def test_events_keep_every_line_and_give_timeless_lines_the_previous_time_and_node() -> None:
    # GIVEN a support line, a continuation without a time, then audit and web lines
    lines = [SUPPORT, "continuation of the previous line", AUDIT, WEB]
    # WHEN they become events with per-line family detection
    events = list(events_from_lines(lines, default_time_ms=0))
    # THEN nothing is dropped, the continuation inherits time and stream, families are detected
    assert [e.message for e in events] == lines
    assert events[1].timestamp == events[0].timestamp
    assert events[1].stream == "pxpconf01"
    assert [e.family for e in events] == ["support", "support", "audit", "web"]
    assert [e.stream for e in events] == ["pxpconf01", "pxpconf01", "pxpmgmt", "pxpmgmt"]


def test_timeless_first_line_gets_the_default_time_and_an_unknown_stream() -> None:
    events = list(events_from_lines(["no time here"], family="audit", default_time_ms=T0))
    assert events == [LogEvent("audit", "unknown", T0, "no time here")]


def test_stream_names_are_made_safe() -> None:
    assert stream_name("fe80::1") == "fe80__1"
    assert stream_name("") == "unknown"


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("support.log", "support"),
        ("pxp-audit.log.gz", "audit"),
        ("web_access.log", "web"),
        ("mixed.log", None),
        ("support-and-web.log", None),
        ("supportive.log", None),
    ],
)
def test_family_from_name(name: str, family: str | None) -> None:
    assert family_from_name(Path(name)) == family


def test_batches_respect_count_size_span_and_order() -> None:
    # GIVEN more events than one batch may hold, out of order
    many = [LogEvent("support", "s", T0 + i, "x") for i in range(MAX_BATCH_EVENTS + 5)][::-1]
    batches = list(batch_events(many))
    assert [len(b) for b in batches] == [MAX_BATCH_EVENTS, 5]
    flat = [e.timestamp for b in batches for e in b]
    assert flat == sorted(flat)

    # Big messages: the byte limit counts 26 bytes of overhead per event.
    big = "y" * (MAX_BATCH_BYTES // 3)
    batches = list(batch_events([LogEvent("support", "s", T0, big) for _ in range(4)]))
    assert [len(b) for b in batches] == [2, 2]
    for batch in batches:
        assert sum(len(e.message) + EVENT_OVERHEAD_BYTES for e in batch) <= MAX_BATCH_BYTES

    # A span over 24 hours is split.
    spread = [LogEvent("web", "s", T0, "a"), LogEvent("web", "s", T0 + MAX_BATCH_SPAN_MS + 1, "b")]
    assert [len(b) for b in batch_events(spread)] == [1, 1]


def test_read_input_lines_plain_gzip_crlf_and_control_characters(tmp_path: Path) -> None:
    # 0x1D inside an audit line must not split it (str.splitlines would).
    text = f"{SUPPORT}\r\n\n{AUDIT}\x1dUID=root\n"
    plain = tmp_path / "a.log"
    plain.write_text(text, encoding="utf-8")
    packed = tmp_path / "a.log.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    expected = [SUPPORT, f"{AUDIT}\x1dUID=root"]
    assert list(read_input_lines(plain)) == expected
    assert list(read_input_lines(packed)) == expected


def test_read_input_lines_fails_clearly_on_missing_and_corrupt_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        list(read_input_lines(tmp_path / "missing.log"))
    bad = tmp_path / "bad.gz"
    bad.write_bytes(b"\x1f\x8bnot really gzip")
    with pytest.raises(InputError, match="cannot read"):
        list(read_input_lines(bad))


def test_store_keeps_events_per_hour_and_ignores_the_same_content_twice(tmp_path: Path) -> None:
    store = EventStore(tmp_path)
    events = list(events_from_lines([SUPPORT, AUDIT, WEB], default_time_ms=0))
    # WHEN the same content is added twice
    first = store.add(events)
    second = store.add(events, known_ids=[first.ingest_id])
    # THEN it is stored once, and reported as already ingested the second time
    assert not first.already_ingested and second.already_ingested
    assert second.ingest_id == first.ingest_id
    assert first.lines == {"audit": 1, "support": 1, "web": 1}
    assert first.hours == [T0, T0 + 3_600_000]
    assert store.hours() == [T0, T0 + 3_600_000]
    assert [e.message for e in store.events("support", T0)] == [SUPPORT]
    assert store.events("web", T0) == []
    assert [e.message for e in store.events("web", T0 + 3_600_000)] == [WEB]
    assert hour_of(T0 + 3_599_999) == T0
