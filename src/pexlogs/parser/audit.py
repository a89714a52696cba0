"""Audit family: Linux auditd records forwarded by audispd, one record per line.

Grammar (``../shared/samples/README.md``)::

    <syslog_time> <host> audispd: node=<fqdn> type=<TYPE> msg=audit(<epoch.millis>:<serial>): key=value … msg='key=value …'

Bare auditd lines (``type=… msg=audit(…): …``, as in ``/var/log/audit/audit.log``) are read too,
with null ``syslog_time``/``host``.

How values become columns (the registry in ``metadata/tables/audit.json`` says which columns exist):

* the table is chosen by ``type`` through each table's ``route`` (``{"type": "SYSCALL"}``); types no
  table routes go to ``audit_other`` with every pair in its ``fields`` map;
* keys of the nested user-space ``msg='…'`` part are flattened into the same row; an inner key that
  clashes with the record's own header (``pid uid auid ses subj`` …) becomes ``msg_<key>``;
* words that are not ``key=value`` go to ``text`` (outer) and ``msg_text`` (inside ``msg='…'``);
* unquoted ``?``, ``(null)`` and ``(none)`` mean "no value" and become null; a quoted value is kept
  as logged (``acct="?"`` stays ``?``);
* fields auditd may hex-encode (``proctitle``, ``cmd``, ``name``, ``exe``, EXECVE arguments …) keep
  their raw value and, where the table declares ``<field>_decoded``, a readable one;
* after a raw 0x1D byte auditd's enriched format appends interpreted UPPER-case fields: they go to
  the ``enriched`` map as logged.

>>> rec = parse_audit_line("2017-04-25T14:09:15.852+00:00 pxpmgmt audispd: node=n1 type=PROCTITLE "
...                        "msg=audit(1493129355.852:624): proctitle=7669006100")
>>> rec["table"], rec["serial"], rec["proctitle_decoded"]
('audit_proctitle', 624, 'vi a')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from pexlogs.exceptions import UnparseableLineError
from pexlogs.parser._record import build_record
from pexlogs.schema import load_registry

__all__ = ["AUDIT_FALLBACK_TABLE", "audit_table_for_type", "decode_hex_field", "parse_audit_line"]

AUDIT_FALLBACK_TABLE = "audit_other"

# key=value with a double-quoted, single-quoted or bare value; or a lone word. Keys are anything up
# to '=' without spaces (a2[0], old-auid, (hostname in 2007-era records); values never hold spaces
# unless quoted (auditd hex-encodes untrusted strings that would need it).
_TOKEN = re.compile(r"""([^\s="']+)=("[^"]*"|'[^']*'|\S*)|(\S+)""")
_HEX = re.compile(r"[0-9A-F]+")
_EXECVE_ARG = re.compile(r"a(\d+)(?:\[(\d+)\])?")
_NO_VALUE = frozenset({"?", "(null)", "(none)"})
# Fields auditd writes with audit_log_untrustedstring(): hex when they hold a space, quote, control
# or non-ASCII byte, else double-quoted. (EXECVE a<n> are handled separately.)
_HEX_FIELDS = frozenset(
    {"proctitle", "cmd", "name", "cwd", "exe", "comm", "acct", "data", "ocomm", "path", "key"}
)
# Header keys of user-space records: the same key inside msg='…' is prefixed msg_ (USER_AVC has
# its own auid/uid inside msg), as are keys that would overwrite a common column.
_CLASHING = frozenset(
    {"pid", "uid", "auid", "ses", "subj", "msg", "node", "type", "host", "syslog_time"}
    | {"audit_time", "serial", "text", "enriched", "extra", "table", "fields"}
)
# Keys that are not valid column names here.
_RENAMED = {"table": "table_name"}
# Outer keys that would overwrite a column the parser fills itself (common columns, extra):
# kept under <key>_field instead (extra, unless a table declares it).
_RESERVED = frozenset(
    {"node", "type", "host", "syslog_time", "audit_time", "serial", "text", "enriched", "extra"}
    | {"fields"}
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SOCKADDR_FAMILIES = {1: "local", 2: "inet", 10: "inet6", 16: "netlink", 17: "packet"}


@lru_cache(maxsize=1)
def _routes() -> tuple[dict[str, str], dict[str, frozenset[str]]]:
    """type → table and table → declared columns, derived once from the registry."""
    registry = load_registry()
    by_type: dict[str, str] = {}
    columns: dict[str, frozenset[str]] = {}
    for table in registry.tables_for_family("audit"):
        columns[table.name] = frozenset(table.column_names)
        route_type = table.route.get("type")
        types = route_type if isinstance(route_type, list) else [route_type]
        for t in types:
            if isinstance(t, str):
                by_type[t] = table.name
    return by_type, columns


def audit_table_for_type(record_type: str) -> str:
    """The table a record of ``record_type`` (e.g. ``SYSCALL``) lands in."""
    return _routes()[0].get(record_type, AUDIT_FALLBACK_TABLE)


def decode_hex_field(value: str | None, *, nul_as_space: bool = False) -> str | None:
    """Readable text of a field auditd may hex-encode.

    auditd writes such a value upper-case hex when it holds a space, quote, control or non-ASCII
    byte; a value that is not upper-case hex (quoted in the log, or interpreted) is returned as is.

    >>> decode_hex_field("2F746D702F6120622063")
    '/tmp/a b c'
    >>> decode_hex_field("/usr/bin/vim")
    '/usr/bin/vim'
    """
    if value is None or len(value) % 2 or not _HEX.fullmatch(value):
        return value
    raw = bytes.fromhex(value)
    if nul_as_space:
        raw = raw.rstrip(b"\x00").replace(b"\x00", b" ")
    # backslashreplace: an undecodable byte stays visible as \xNN instead of being lost.
    return raw.decode("utf-8", errors="backslashreplace")


def _audit_time(stamp: str) -> tuple[datetime | None, int | None]:
    """``1481076992.414:385`` → (UTC time, serial)."""
    epoch, _, serial = stamp.partition(":")
    seconds, _, fraction = epoch.partition(".")
    try:
        when = _EPOCH + timedelta(
            seconds=int(seconds), microseconds=int((fraction + "000000")[:6]) if fraction else 0
        )
    except (ValueError, OverflowError):
        when = None
    return when, int(serial) if serial.isdigit() else None


def _unquote(value: str) -> tuple[str | None, bool]:
    """(value, was_quoted); unquoted ?, (null), (none) → None. Raises on an unclosed quote."""
    if value[:1] in ('"', "'"):
        if len(value) < 2 or value[-1] != value[0]:
            raise UnparseableLineError(f"unterminated quoted value {value[:40]!r}")
        return value[1:-1], True
    if value[-1:] in (",", ")"):
        # 2007-era user messages: "(hostname=?, addr=?, terminal=cron res=success)".
        value = value.rstrip(",")
        if value.endswith(")") and "(" not in value:
            value = value[:-1]
    if value in _NO_VALUE:
        return None, False
    return value, False


_OUTER_COLUMNS: dict[str, str] = {}
_INNER_COLUMNS: dict[str, str] = {}
_COLUMN_CACHE_LIMIT = 4096  # keys are a small set in practice; never grow without bound


def _column_of(key: str, *, inner: bool) -> str:
    """The column of an outer (or inside msg='…') key, memoised: the same keys recur every line."""
    # Lower-case, - → _ (old-auid → old_auid); drop a leading '(' of 2007-era "(hostname=?,".
    col = key.lstrip("(").lower().replace("-", "_")
    col = _RENAMED.get(col, col)
    if inner and col in _CLASHING:
        col = f"msg_{col}"
    elif not inner and col in _RESERVED:
        col = f"{col}_field"
    cache = _INNER_COLUMNS if inner else _OUTER_COLUMNS
    if len(cache) < _COLUMN_CACHE_LIMIT:
        cache[key] = col
    return col


@dataclass(frozen=True)
class _Plan:
    """What parse_audit_line needs to know about a record type's table, computed once."""

    table: str
    decoded: dict[str, str]  # hex-capable column → its declared <column>_decoded
    generic: bool
    execve: bool
    sockaddr: bool


@lru_cache(maxsize=1024)
def _plan(record_type: str) -> _Plan:
    table = audit_table_for_type(record_type)
    declared = _routes()[1][table]
    return _Plan(
        table=table,
        decoded={c: f"{c}_decoded" for c in _HEX_FIELDS if f"{c}_decoded" in declared},
        generic=table == AUDIT_FALLBACK_TABLE,
        execve="args_raw" in declared,
        sockaddr="saddr_family" in declared,
    )


def _avc(words: list[str], values: dict[str, Any]) -> None:
    """``avc:  denied  { read write } for`` → seresult, seperms."""
    if len(words) >= 2 and words[0] == "avc:":
        values["seresult"] = words[1]
        if "{" in words and "}" in words:
            values["seperms"] = words[words.index("{") + 1 : words.index("}")]


def _sockaddr(raw: str, values: dict[str, Any]) -> None:
    """Decode the hex ``struct sockaddr`` of a SOCKADDR record (family, address, port)."""
    if len(raw) % 2 or not _HEX.fullmatch(raw) or len(raw) < 4:
        return
    data = bytes.fromhex(raw)
    family = int.from_bytes(data[:2], "little")
    values["saddr_family"] = _SOCKADDR_FAMILIES.get(family, str(family))
    if family == 2 and len(data) >= 8:
        values["saddr_port"] = int.from_bytes(data[2:4], "big")
        values["saddr_addr"] = ".".join(str(b) for b in data[4:8])
    elif family == 10 and len(data) >= 24:
        import ipaddress  # rare: keep the module import cheap

        values["saddr_port"] = int.from_bytes(data[2:4], "big")
        values["saddr_addr"] = str(ipaddress.IPv6Address(data[8:24]))
    elif family == 1:
        path = data[2:].split(b"\x00", 1)[0]
        values["saddr_addr"] = path.decode("utf-8", errors="backslashreplace") or None


def _execve(pairs: list[tuple[str, str]], values: dict[str, Any]) -> None:
    """Join EXECVE a<n> / a<n>[i] into ``args`` (decoded), ``cmdline`` and raw ``args_raw``.

    ``pairs`` are (column, raw value); the keys a<n>, a<n>_len, a<n>[i] are their own columns.
    """
    pieces: dict[int, list[tuple[int, str, bool]]] = {}
    raw_map: dict[str, str] = {}
    for key, raw in pairs:
        match = _EXECVE_ARG.fullmatch(key)
        if not match and not (key.startswith("a") and key.endswith("_len")):
            continue
        raw_map[key] = raw
        if match:
            value, quoted = _unquote(raw)
            index = int(match.group(1))
            part = int(match.group(2)) if match.group(2) is not None else -1
            pieces.setdefault(index, []).append((part, value or "", quoted))
    args: list[str] = []
    for index in sorted(pieces):
        parts = sorted(pieces[index])
        if all(quoted for _, _, quoted in parts):
            args.append("".join(v for _, v, _ in parts))
        else:  # hex pieces are cut at arbitrary bytes: join before decoding
            joined = "".join(v for _, v, _ in parts)
            args.append(decode_hex_field(joined) or "")
    values["args"] = args
    values["cmdline"] = " ".join(args)
    values["args_raw"] = raw_map


def parse_audit_line(line: str) -> dict[str, Any]:
    """Parse one auditd line (with or without the syslog header) into its table's record.

    Raises :class:`UnparseableLineError` for a line that is not an auditd record or was cut off
    inside a quoted value; :func:`pexlogs.parse_line` turns that into an ``unparsed_lines`` record.
    """
    syslog_time: str | None = None
    host: str | None = None
    rest = line
    if not line.startswith(("node=", "type=")):
        parts = line.split(" ", 3)
        if len(parts) < 4 or not parts[2].endswith(":"):
            raise UnparseableLineError("not an auditd line: no '<time> <host> <tag>:' header")
        syslog_time, host, rest = parts[0], parts[1], parts[3]
    # The enriched format appends interpreted fields after a raw 0x1D (group separator) byte.
    rest, _, enriched_text = rest.partition("\x1d")
    node: str | None = None
    if rest.startswith("node="):
        node, _, rest = rest[5:].partition(" ")
    if not rest.startswith("type="):
        raise UnparseableLineError("not an auditd record: no type= field")
    record_type, _, rest = rest[5:].partition(" ")
    values: dict[str, Any] = {"syslog_time": syslog_time, "host": host, "node": node}
    values["type"] = record_type
    if rest.startswith("msg=audit("):
        close = rest.find(")", 10)
        if close < 0:
            raise UnparseableLineError("unterminated msg=audit(…) stamp")
        values["audit_time"], values["serial"] = _audit_time(rest[10:close])
        rest = rest[close + 1 :]
        if rest.startswith(":"):
            rest = rest[1:]

    # One pass over the tokens: (column, raw value) of outer and inner pairs in order, and words.
    words: list[str] = []
    msg_words: list[str] = []
    flat: list[tuple[str, str]] = []
    outer_cols, inner_cols = _OUTER_COLUMNS, _INNER_COLUMNS
    for key, raw, word in _TOKEN.findall(rest):
        if word:
            # Free text is kept as is, even a stray quote (real EXECVE lines end in a lone ').
            words.append(word)
        elif key == "msg" and raw[:1] == "'":
            if len(raw) < 2 or raw[-1] != "'":
                raise UnparseableLineError(f"unterminated msg='…' value {raw[:40]!r}")
            for inner_key, inner_raw, inner_word in _TOKEN.findall(raw[1:-1]):
                if inner_word:
                    msg_words.append(inner_word)
                else:
                    col = inner_cols.get(inner_key) or _column_of(inner_key, inner=True)
                    flat.append((col, inner_raw))
        else:
            flat.append((outer_cols.get(key) or _column_of(key, inner=False), raw))

    plan = _plan(record_type)
    if plan.generic:
        # The generic table keeps every value as logged (minus quotes): no typing to apply.
        values["fields"] = {
            col: _unquote(raw)[0] if raw[:1] in ('"', "'") else raw for col, raw in flat
        }
        flat = []
    elif plan.execve:
        _execve(flat, values)
        flat = [(c, r) for c, r in flat if c not in values["args_raw"]]
    decoded_cols = plan.decoded
    for col, raw in flat:
        first = raw[:1]
        if first == '"' or first == "'":
            if len(raw) < 2 or raw[-1] != first:
                raise UnparseableLineError(f"unterminated quoted value {raw[:40]!r}")
            value: str | None = raw[1:-1]
            values[col] = value
            if col in decoded_cols:  # auditd quotes what it did not hex-encode: already text
                values[decoded_cols[col]] = value
            continue
        value = _unquote(raw)[0] if raw in _NO_VALUE or raw[-1:] in (",", ")") else raw
        values[col] = value
        if col in decoded_cols:
            values[decoded_cols[col]] = decode_hex_field(value, nul_as_space=col == "proctitle")
    if plan.sockaddr and isinstance(values.get("saddr"), str):
        _sockaddr(values["saddr"], values)

    if words:
        values["text"] = " ".join(words)
        _avc(words, values)
    if msg_words:
        values["msg_text"] = " ".join(msg_words)  # lands in extra where a table has no msg_text
        _avc(msg_words, values)
    if enriched_text:
        values["enriched"] = {
            k: _unquote(v)[0] for k, v, w in _TOKEN.findall(enriched_text) if not w
        }
    # Every string-column value here is a str or None: the fast path of build_record applies.
    return build_record(plan.table, values, strings_are_str=True)
