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

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pexlogs.exceptions import UnparseableLineError, ValueTypeError
from pexlogs.parser._detail import (
    LINE_BREAK,
    parse_dict_detail,
    parse_sip_message,
    split_lines,
)
from pexlogs.parser._kv import led_value_pairs, split_pairs
from pexlogs.parser._record import build_record, column_name, table_plan
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
# Per table: the keys (as written) already seen to land in one of its string columns, and in one
# of its int/bigint columns (``_INT_COLUMNS``).
_STRING_KEYS: dict[str, dict[str, str]] = {name: {} for name in _SHAPES}
_INT_KEYS: dict[str, dict[str, str]] = {name: {} for name in _SHAPES}
# Real logs write a few hundred distinct keys; once a table has learnt this many (arbitrary
# input), further keys simply take the slower branch of the loop.
_TABLE_KEYS_LIMIT = 2_000
_INT_COLUMNS: dict[str, frozenset[str]] = {
    table.name: frozenset(c.name for c in table.columns if c.type in ("int", "bigint"))
    for table in load_registry().tables_for_family("support")
}
_TABLE_FOR = _ROUTES.table_for


def _utc(parsed: datetime) -> datetime:
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _fast_record(
    rest: str, syslog_time: datetime, host: str, originating_time: datetime
) -> Record | None:
    """The record of a line of the common shape, built in one pass at about the cost of one
    ``str.split``; ``None`` sends the line to the general path (:func:`_general_record`).

    Common shape: ``Name=``/``Message=`` among the first pairs, every piece starting with a key
    already seen, no escaped quote before a space; a ``^M``-led value (a SIP message) is cut off
    first and runs to the end of the line. Values are typed with the registry's converters
    (:func:`table_plan`), exactly as :func:`build_record` would.
    """
    text = rest.rstrip()
    if text[-1:] != '"':
        return None
    led = None
    # One memchr-fast scan for "^" spares the ^M scans below on most lines.
    caret = "^" in text
    at = text.find('="^M') if caret else -1
    if at >= 0:
        # Only a ^M-led value right after a closed value: "… Key2="v" Key="^M…".
        space = text.rfind(" ", 0, at)
        led_key = text[space + 1 : at]
        if space < 2 or text[space - 1] != '"' or text[space - 2] == "\\":
            return None
        if led_key not in _FAST_COLUMNS:
            return None
        led = led_value_pairs(led_key, text[at + 2 :])
        text = text[:space]
    # Whole-text scans (C) instead of per-piece checks: an escaped quote before a space or at
    # the very end is split_pairs' work.
    escaped = "\\" in text
    breaks = caret and LINE_BREAK in text
    if escaped and ('\\" ' in text or text[-2:] == '\\"'):
        return None
    parts = text[:-1].split('" ')
    module = message = None
    if len(parts) > 2 and parts[1][:6] == 'Name="' and parts[2][:9] == 'Message="':
        # The usual order (Level, Name, Message): the loop below would find the same, since
        # later pieces win and parts[0] cannot override parts[1] and parts[2].
        module = parts[1][6:]
        message = parts[2][9:]
        if escaped or breaks:
            message = _text_value(message)
    if module is None:
        for part in parts[:3]:
            if part.startswith('Name="'):
                module = part[6:]
            elif part.startswith('Message="'):
                message = part[9:]
                if escaped or breaks:
                    message = _text_value(message)
        if module is None:
            return None
    table = _TABLE_FOR(module, message)
    plan = table_plan(table)
    record = plan.template.copy()
    record["syslog_time"] = syslog_time
    record["host"] = host
    record["originating_time"] = originating_time
    columns = _FAST_COLUMNS
    strings = plan.strings
    converters = plan.converters
    extra: dict[str, str | None] | None = None
    if not breaks:
        # The common line (no ^M outside a SIP message): a key already known to land in one of
        # this table's string columns is stored at once (one lookup per piece).
        string_keys = _STRING_KEYS[table]
        int_keys = _INT_KEYS[table]
        for part in parts:
            key, sep, value = part.partition('="')
            col = string_keys.get(key)
            if col is not None and sep:
                if escaped and "\\" in value:
                    value = value.replace('\\"', '"')
                record[col] = value
                continue
            col = int_keys.get(key)
            # Up to 9 decimal digits: what the int converter returns, always in range.
            if col is not None and sep and len(value) < 10 and value.isdecimal():
                record[col] = int(value)
                continue
            col = columns.get(key)
            if col is None or not sep:
                return None
            if escaped and "\\" in value:
                value = value.replace('\\"', '"')
            if col in strings:
                if len(string_keys) < _TABLE_KEYS_LIMIT:
                    string_keys[key] = col
                record[col] = value
                continue
            if col in _INT_COLUMNS[table] and len(int_keys) < _TABLE_KEYS_LIMIT:
                int_keys[key] = col
            convert = converters.get(col)
            if convert is not None:
                try:
                    record[col] = convert(value)
                    continue
                except ValueTypeError:
                    pass
            extra = _typed(record, convert, col, value, extra)
        parts = []  # done
    for part in parts:
        key, sep, value = part.partition('="')
        col = columns.get(key)
        if col is None or not sep:
            return None
        if escaped and "\\" in value:
            value = value.replace('\\"', '"')
        if breaks and "^" in value and col != "detail":
            value = value.replace(LINE_BREAK, "\n")
        if col in strings:
            record[col] = value
            continue
        convert = converters.get(col)
        if convert is not None:
            try:
                record[col] = convert(value)
                continue
            except ValueTypeError:
                pass
        extra = _typed(record, convert, col, value, extra)
    if led is not None:
        for key, value in led:
            col = columns.get(key)
            if col is None:
                return None
            value = _text_value(value) if col != "detail" else value.replace('\\"', '"')
            if col in strings:
                record[col] = value
            else:
                extra = _typed(record, converters.get(col), col, value, extra)
    if record["module"] != module or record["message"] != message:
        return None  # a repeated Name/Message: routing must follow the last one
    shape = _SHAPES[table]
    detail = record["detail"]
    detail_value = _add_detail(shape, detail, record) if detail else None
    if shape[1]:
        _add_rest(record, detail_value)
    record[EXTRA_COLUMN] = extra
    return record


def _typed(
    record: Record,
    convert: Callable[[Any], Any] | None,
    col: str,
    value: str,
    extra: dict[str, str | None] | None,
) -> dict[str, str | None] | None:
    """Put a typed column's value (or an undeclared key's) where :func:`build_record` would."""
    if convert is None:  # not a column of this table
        extra = extra if extra is not None else {}
        extra[col] = value
        return extra
    try:
        record[col] = convert(value)
    except ValueTypeError:
        record[col] = None
        extra = extra if extra is not None else {}
        extra[col] = value
    return extra


def _text_value(value: str) -> str:
    """A value as text: ``\\"`` unescaped, ``^M`` as a line break."""
    if '\\"' in value:
        value = value.replace('\\"', '"')
    if LINE_BREAK in value:
        value = value.replace(LINE_BREAK, "\n")
    return value


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
    record = _fast_record(rest, syslog_time, host, originating_time)
    if record is not None:
        return record
    return _general_record(rest, syslog_time, host, originating_time)


def _general_record(
    rest: str, syslog_time: datetime, host: str, originating_time: datetime
) -> Record:
    """Any line of the grammar: :func:`split_pairs`, then :func:`build_record`."""
    values: dict[str, Any] = {
        "syslog_time": syslog_time,
        "host": host,
        "originating_time": originating_time,
    }
    extra: dict[str, str] = {}
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
    # Every string column holds a str (or None) here, and every other value is either text from
    # the line or built final by this module (aware UTC times, lists, dicts of str).
    return build_record(table, values, strings_are_str=True, only_text_needs_typing=True)


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
            header = msg.header_index().get
            values["sip_call_id"] = call_id = header("call-id")
            values["sip_cseq"] = header("cseq")
            values["sip_from"] = header("from")
            values["sip_to"] = header("to")
            values["sip_content_type"] = header("content-type")
            values["sip_user_agent"] = header("user-agent") or header("server")
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
    request = values.get("request")
    conference = participant = call = None
    if request is not None and "/" in request:
        path = request.partition("?")[0].partition("#")[0]
        segments = path.split("/")
        # The segment after the first "conferences"/"participants"/"calls" segment (a substring
        # test first: most paths name only some of them).
        if "conferences" in path:
            conference = _after(segments, "conferences")
        if "participants" in path:
            participant = _after(segments, "participants")
        if "calls" in path:
            call = _after(segments, "calls")
    if isinstance(detail_value, dict):
        values["rest_status"] = _text(detail_value.get("status"))
        result = detail_value.get("result")
        if isinstance(result, dict):
            participant = participant or _text(result.get("participant_uuid"))
            call = call or _text(result.get("call_uuid"))
    values["rest_conference"] = conference
    values["rest_participant_uuid"] = values.get("uuid") or participant
    values["rest_call_uuid"] = call


def _after(segments: list[str], name: str) -> str | None:
    """The segment after the first ``name`` segment, ``None`` when absent or empty."""
    try:
        at = segments.index(name)
    except ValueError:
        return None
    return (segments[at + 1] or None) if at + 1 < len(segments) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
