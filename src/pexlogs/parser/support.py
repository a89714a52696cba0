"""Parser of Pexip Infinity support and administrator log lines.

``<syslog_time> <host> <YYYY-MM-DD> <HH:MM:SS,mmm> Level="…" Name="<module>" Message="…" Key="value" … [Detail="…"]``

>>> rec = parse_support_line('2021-06-08T08:04:27.659+00:00 10.1.2.40 2021-06-08 08:04:27,655 '
...     'Level="ERROR" Name="support.configuration" Message="Configuration update failed" '
...     'Reason="Unable to load private key"')
>>> rec["table"], rec["level"], rec["reason"]
('support_configuration', 'ERROR', 'Unable to load private key')

The line is routed to its module's table (see ``_support_routes``), keys become columns (lower
case, ``-`` → ``_``, so every casing variant of a key lands in one column; the last of duplicate
keys wins), the Detail is read by shape (``_detail``), and :func:`build_record` types the values
and keeps undeclared keys in ``extra``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from pexlogs.exceptions import UnparseableLineError
from pexlogs.parser._detail import (
    LINE_BREAK,
    parse_dict_detail,
    parse_sip_message,
    split_lines,
)
from pexlogs.parser._kv import split_pairs
from pexlogs.parser._record import build_record, column_name
from pexlogs.parser._support_routes import build_routes
from pexlogs.schema import EXTRA_COLUMN, load_registry

__all__ = ["parse_support_line"]

Record = dict[str, Any]

_ROUTES = build_routes()

# Columns the parser derives itself: a key that would land in one of them is kept in ``extra``
# under its own name instead of overwriting the derived value.
_DERIVED_PREFIXES = ("sip_", "rest_")
_DERIVED = frozenset(
    {
        "syslog_time",
        "host",
        "originating_time",
        "module",
        "detail_lines",
        "detail_fields",
        "sdp",
        "table",
        EXTRA_COLUMN,
        "dt",
        "hour",
    }
)
_COLUMNS: dict[str, str | None] = {}
_FAST_COLUMNS: dict[str, str] = {}  # keys split_pairs has validated whose column is plain
_CACHE_LIMIT = 20_000

_REST_PATH = re.compile(r"/(conferences|participants|calls)/([^/?#]+)")


def _column(key: str) -> str | None:
    """The column of a key, or ``None`` when it collides with a derived column."""
    col = _COLUMNS.get(key)
    if col is None and key not in _COLUMNS:
        name = column_name(key)
        if name == "name":
            col = "module"
        elif name in _DERIVED or name.startswith(_DERIVED_PREFIXES):
            col = None
        else:
            col = name
        if len(_COLUMNS) > _CACHE_LIMIT:
            _COLUMNS.clear()
            _FAST_COLUMNS.clear()
        _COLUMNS[key] = col
        if col is not None:
            _FAST_COLUMNS[key] = col
    return col


def _shapes() -> dict[str, tuple[bool, bool, bool]]:
    """Which derived column groups each support table declares: (SIP message, REST, sdp)."""
    shapes = {}
    for table in load_registry().tables_for_family("support"):
        names = set(table.column_names)
        shapes[table.name] = (
            "sip_start_line" in names,
            "rest_participant_uuid" in names,
            "sdp" in names,
        )
    return shapes


_SHAPES = _shapes()
_TABLE_FOR = _ROUTES.table_for


def _utc(parsed: datetime) -> datetime:
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _fast_pairs(rest: str, values: dict[str, Any]) -> bool:
    """The common case at about the cost of one ``str.split``: no escaped quote before a space, no
    ``^M``-led value, and every piece starting with a key already seen. Adds the pairs to
    ``values`` and returns ``True``; returns ``False`` for :func:`split_pairs` to redo the line
    (what was added by then is a prefix of the same pairs, which it overwrites).
    """
    text = rest.rstrip()
    if text[-1:] != '"':
        return False
    # Whole-text scans (C) instead of per-piece checks: an escaped quote before a space or at
    # the very end, or a ^M-led value, is split_pairs' work.
    escaped = "\\" in text
    breaks = LINE_BREAK in text
    if escaped and ('\\" ' in text or text[-2:] == '\\"'):
        return False
    if breaks and '="^M' in text:
        return False
    columns = _FAST_COLUMNS
    if not escaped and not breaks:
        for part in text[:-1].split('" '):
            key, sep, value = part.partition('="')
            col = columns.get(key)
            if col is None or not sep:
                return False
            values[col] = value
        return True
    for part in text[:-1].split('" '):
        key, sep, value = part.partition('="')
        col = columns.get(key)
        if col is None or not sep:
            return False
        if escaped and "\\" in value:
            value = value.replace('\\"', '"')
        if breaks and "^" in value and col != "detail":
            value = value.replace(LINE_BREAK, "\n")
        values[col] = value
    return True


def parse_support_line(line: str) -> Record:
    """Parse one support/administrator line into a record of its module's table.

    Raises :class:`UnparseableLineError` (with the reason) for a line that does not follow the
    grammar, e.g. one that was cut off so that its last value never closes.
    """
    head = line.split(" ", 4)
    if len(head) < 5:
        raise UnparseableLineError("not a support line: fewer than 5 space-separated fields")
    syslog_text, host, date_text, time_text, rest = head
    if not (len(date_text) == 10 and date_text[4] == "-" and date_text[7] == "-"):
        raise UnparseableLineError(f"originating date {date_text[:40]!r} is not YYYY-MM-DD")
    try:
        syslog_time = datetime.fromisoformat(syslog_text)
    except ValueError:
        raise UnparseableLineError(f"syslog time {syslog_text[:40]!r} is not ISO-8601") from None
    if syslog_time.tzinfo is not UTC:
        syslog_time = _utc(syslog_time)
    try:
        # "+00:00" makes fromisoformat return an aware UTC time directly (several times faster
        # than attaching the zone afterwards); all Pexip times are UTC.
        originating_time = datetime.fromisoformat(f"{date_text}T{time_text}+00:00")
    except ValueError:
        raise UnparseableLineError(f"originating time {time_text[:40]!r} is not valid") from None
    values: dict[str, Any] = {
        "syslog_time": syslog_time,
        "host": host,
        "originating_time": originating_time,
    }
    extra: dict[str, str] = {}
    if not _fast_pairs(rest, values):
        for key, raw in split_pairs(rest):
            value = raw.replace('\\"', '"') if '\\"' in raw else raw
            col = _column(key)
            if col is None:
                extra[key] = value
                continue
            if col != "detail" and LINE_BREAK in value:
                value = value.replace(LINE_BREAK, "\n")
            values[col] = value
    table = _TABLE_FOR(values.get("module"), values.get("message"))
    shape = _SHAPES[table]
    detail = values.get("detail")
    detail_value = _add_detail(shape, detail, values) if detail else None
    if shape[1]:
        _add_rest(values, detail_value)
    if extra:
        values[EXTRA_COLUMN] = extra
    # Every string column holds a str (or None) here: the tokenizer yields text only.
    return build_record(table, values, strings_are_str=True)


def _add_detail(shape: tuple[bool, bool, bool], detail: str, values: dict[str, Any]) -> Any:
    """Fill the Detail-derived columns by the Detail's shape; returns a dict Detail's object."""
    has_sip, _, has_sdp = shape
    first = detail.lstrip()[:1]
    if first in ("{", "["):
        parsed = parse_dict_detail(detail)
        if parsed is not None:
            values["detail_fields"] = parsed.fields
            if parsed.sdp is not None and has_sdp:
                values["sdp"] = parsed.sdp
            return parsed.value
    if LINE_BREAK not in detail:
        return None
    lines = split_lines(detail)
    if has_sip:
        msg = parse_sip_message(lines)
        if msg is not None:
            values["sip_start_line"] = msg.start_line
            values["sip_method"] = msg.method
            values["sip_request_uri"] = msg.request_uri
            values["sip_status_code"] = msg.status_code
            values["sip_reason_phrase"] = msg.reason_phrase
            values["sip_call_id"] = call_id = msg.header("call-id")
            values["sip_cseq"] = msg.header("cseq")
            values["sip_from"] = msg.header("from")
            values["sip_to"] = msg.header("to")
            values["sip_content_type"] = msg.header("content-type")
            values["sip_user_agent"] = msg.header("user-agent") or msg.header("server")
            values["sip_headers"] = msg.headers
            values["sip_body"] = "\n".join(msg.body) if msg.body else None
            values["sdp"] = msg.sdp
            if call_id and not values.get("call_id"):
                values["call_id"] = call_id
            return None
    values["detail_lines"] = lines
    return None


def _add_rest(values: dict[str, Any], detail_value: Any) -> None:
    """REST columns: conference, participant and call from the path, Uuid= and the Detail."""
    result = detail_value.get("result") if isinstance(detail_value, dict) else None
    request = values.get("request")
    found: dict[str, str] = {}
    if isinstance(request, str) and "/" in request:
        for m in _REST_PATH.finditer(request):
            found.setdefault(m.group(1), m.group(2))
    conference = found.get("conferences")
    participant = found.get("participants")
    call = found.get("calls")
    if isinstance(result, dict):
        participant = participant or _text(result.get("participant_uuid"))
        call = call or _text(result.get("call_uuid"))
    values["rest_conference"] = conference
    values["rest_participant_uuid"] = values.get("uuid") or participant
    values["rest_call_uuid"] = call
    if isinstance(detail_value, dict):
        values["rest_status"] = _text(detail_value.get("status"))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
