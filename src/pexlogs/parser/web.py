"""Web family: the nodes' Apache access log, one request per line.

Grammar (``../shared/samples/README.md``)::

    <syslog_time> <host> apache2: [<vhost>[:<port>] ]<remote_host> <ident> <remote_user> [<time>] "<request>" <status> <bytes> [<tail>]

``<tail>`` is empty (common format) or holds, in any mix:

* quoted fields: the first is ``referer``, the second ``user_agent`` (combined format); later ones
  are kept in ``extra`` as ``quoted_3``, ``quoted_4`` …;
* bare integers: three of them are the **Pexip variant**'s process id, bytes in and bytes out
  (``%P %I %O``), two are ``bytes_in bytes_out`` (Apache's ``combinedio``); any other count is kept
  in ``extra`` as ``number_1`` …;
* ``Key="value"`` pairs (``X-Forwarded-For="…"``) into the column of that name (or ``extra``).

A garbage request (TLS bytes, ``-``, an XSS probe) still makes a ``web_access`` row: ``request`` keeps
it as logged and ``method``/``path``/``protocol`` are null. Apache *error-log* lines that arrive with
the same tag (``[time] [module:level] [pid N] [client a:p] AHnnnnn: message``) go to ``web_error``.
Only a line that is neither (or was cut off inside a quoted field) raises
:class:`UnparseableLineError`. The tables are found by their ``route`` in the registry
(``access_log`` / ``error_log``). Values stay as
Apache logged them, with its ``\\xNN`` and ``\\"`` escapes: the log is ASCII and lossless that way.
Bare access-log lines (no syslog header) are read too.

>>> rec = parse_web_line('2019-07-04T07:20:46.000+00:00 pxpconf01 apache2: 10.0.0.1 - - '
...                      '[04/Jul/2019:09:20:46 +0200] "GET / HTTP/1.1" 200 32953 "-" "curl/8"')
>>> rec["table"], rec["method"], rec["status"], rec["time"].isoformat()
('web_access', 'GET', 200, '2019-07-04T07:20:46+00:00')
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from pexlogs.exceptions import UnparseableLineError
from pexlogs.parser._record import build_record, column_name
from pexlogs.schema import load_registry

__all__ = [
    "parse_apache_time",
    "parse_error_log_time",
    "parse_request_line",
    "parse_web_line",
]

# Possessive/atomic pieces keep a garbage line from backtracking for long. A quoted field is
# "…" with backslash escapes (Apache writes \" and \\ inside).
_ACCESS = re.compile(
    r"(?:(?P<vhost>\S+) )?(?P<remote>\S+) (?P<ident>\S+) (?P<user>\S+) "
    r"\[(?P<time>[^\]]*)\] "
    r'"(?P<request>(?:[^"\\]++|\\.)*+)" '
    r"(?P<status>\d{3}|-) (?P<bytes>\d+|-)"
    r"(?P<tail>.*)",
    re.DOTALL,
)
# Apache before 2.0.46 did not escape quotes inside the request: the request then ends at the first
# '" <status> <bytes>' (the same closing-quote idea as the support grammar). Tried second.
_ACCESS_UNESCAPED = re.compile(
    r"(?:(?P<vhost>\S+) )?(?P<remote>\S+) (?P<ident>\S+) (?P<user>\S+) "
    r"\[(?P<time>[^\]]*)\] "
    r'"(?P<request>.*?)" '
    r"(?P<status>\d{3}|-) (?P<bytes>\d+|-)"
    r"(?P<tail>(?:\s.*)?)",
    re.DOTALL,
)
_TAIL = re.compile(
    r'\s*(?:(?P<key>[A-Za-z][\w-]*)="(?P<kv>(?:[^"\\]++|\\.)*+)"'
    r'|"(?P<quoted>(?:[^"\\]++|\\.)*+)"'
    r"|(?P<bare>\S+))"
)
# Apache error log: [time] [module:level] [pid N:tid M] [client addr:port] AHnnnnn: message
# (2.4), or [time] [level] [client addr] message (2.2); logged to syslog, the time is left out.
_ERROR = re.compile(
    r"(?:\[(?P<time>[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d [\d:.]+ \d{4})\] )?"
    r"\[(?:(?P<module>[\w-]+):)?"
    r"(?P<level>emerg|alert|crit|error|warn|notice|info|debug|trace[1-8])\]"
    r"(?: \[pid (?P<pid>\d+)(?::tid (?P<tid>\d+))?\])?"
    r"(?: \[client (?P<client>[^\]]+)\])?"
    r" (?:(?P<code>AH\d{5}): )?(?P<message>.*)",
    re.DOTALL,
)
# Columns filled from the line's own fields (a Key="value" pair in the tail never overwrites them).
_FILLED = frozenset(
    {"syslog_time", "host", "vhost", "vhost_port", "remote_host", "remote_port", "ident"}
    | {"remote_user", "time", "request", "method", "path", "protocol", "status", "bytes"}
    | {"referer", "user_agent", "pid", "bytes_in", "bytes_out", "extra", "table"}
)
_COMBINED_TAIL = re.compile(r' "((?:[^"\\]++|\\.)*+)" "((?:[^"\\]++|\\.)*+)"')
# RFC 9110 token characters: a method is a token; anything else is a garbage request line.
_METHOD = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_NO_VALUE = "-"


def parse_apache_time(text: str) -> datetime | None:
    """``10/Oct/2000:13:55:36 -0700`` → aware UTC datetime (None if it is not that shape).

    >>> parse_apache_time("10/Oct/2000:13:55:36 -0700").isoformat()
    '2000-10-10T20:55:36+00:00'
    """
    # Fixed layout "dd/Mon/yyyy:HH:MM:SS +hhmm": slicing is ~10x faster than strptime.
    try:
        if len(text) != 26 or text[2] != "/" or text[6] != "/" or text[11] != ":":
            raise ValueError(text)
        sign = text[21]
        offset = int(text[22:24]) * 60 + int(text[24:26])
        if sign == "-":
            offset = -offset
        elif sign != "+":
            raise ValueError(text)
        local = datetime(
            int(text[7:11]),
            _MONTHS[text[3:6]],
            int(text[0:2]),
            int(text[12:14]),
            int(text[15:17]),
            int(text[18:20]),
            tzinfo=UTC,
        )
    except (ValueError, KeyError):
        return None
    return local - timedelta(minutes=offset)


# Busy servers log many requests per second: the same %t string recurs.
_cached_apache_time = lru_cache(maxsize=1024)(parse_apache_time)


def parse_error_log_time(text: str) -> datetime | None:
    """``Mon Jan 05 09:25:18.123456 2026`` (or without the fraction) → aware datetime, as UTC.

    The error log writes the server's local time without a zone; Pexip nodes run on UTC.

    >>> parse_error_log_time("Mon Jan 05 09:25:18.250000 2026").isoformat()
    '2026-01-05T09:25:18.250000+00:00'
    """
    text = " ".join(text.split())
    for layout in ("%a %b %d %H:%M:%S.%f %Y", "%a %b %d %H:%M:%S %Y"):
        try:
            return datetime.strptime(text, layout).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


@lru_cache(maxsize=4)
def _table_for_route(flag: str) -> str:
    """The web table whose ``route`` sets ``flag`` (one source of truth: the registry)."""
    for table in load_registry().tables_for_family("web"):
        if table.route.get(flag):
            return table.name
    raise LookupError(f"no web table routes {flag!r}")  # pragma: no cover - registry error


def parse_request_line(request: str) -> tuple[str | None, str | None, str | None]:
    """``GET /a?b HTTP/1.1`` → (method, path, protocol); (None, None, None) for garbage.

    A target with spaces (seen from broken clients) keeps them: the method ends at the first
    space and the protocol starts at the last one.

    >>> parse_request_line("GET /a b HTTP/1.0")
    ('GET', '/a b', 'HTTP/1.0')
    >>> parse_request_line("\\\\x16\\\\x03\\\\x01")
    (None, None, None)
    """
    method, sep, rest = request.partition(" ")
    if not sep or method == _NO_VALUE or not _METHOD.fullmatch(method):
        return None, None, None
    path, sep, protocol = rest.rpartition(" ")
    if not sep or not protocol.startswith("HTTP/") or not path:
        return None, None, None
    return method, path, protocol


def _split_port(token: str) -> tuple[str, int | None]:
    """``host:80`` → (host, 80); IPv6 addresses (several colons) are left whole."""
    host, sep, port = token.rpartition(":")
    if sep and port.isdigit() and ":" not in host and host:
        return host, int(port)
    if host.startswith("[") and host.endswith("]") and port.isdigit():
        return host[1:-1], int(port)
    return token, None


def _dash(value: str) -> str | None:
    return None if value == _NO_VALUE else value


def _tail(tail: str, values: dict[str, Any]) -> None:
    quoted: list[str] = []
    numbers: list[str] = []
    others: list[str] = []
    pos = 0
    for match in _TAIL.finditer(tail):
        pos = match.end()
        key, bare = match.group("key"), match.group("bare")
        if key is not None:
            col = column_name(key)
            # A pair named like a field of the line itself must not overwrite it.
            values[f"{col}_field" if col in _FILLED else col] = match.group("kv")
        elif bare is None:
            quoted.append(match.group("quoted"))
        elif bare.startswith('"'):
            raise UnparseableLineError("unterminated quoted field in the access-log line")
        elif bare.isdigit():
            numbers.append(bare)
        else:
            others.append(bare)
    if tail[pos:].strip():  # pragma: no cover - the patterns consume any non-space text
        raise UnparseableLineError("unexpected text after the access-log fields")
    if quoted:
        values["referer"] = _dash(quoted[0])
        if len(quoted) > 1:
            values["user_agent"] = _dash(quoted[1])
        for n, value in enumerate(quoted[2:], 3):
            values.setdefault("extra", {})[f"quoted_{n}"] = value
    if len(numbers) == 3:
        values["pid"], values["bytes_in"], values["bytes_out"] = numbers
    elif len(numbers) == 2:
        values["bytes_in"], values["bytes_out"] = numbers
    else:
        for n, value in enumerate(numbers, 1):
            values.setdefault("extra", {})[f"number_{n}"] = value
    for n, value in enumerate(others, 1):
        values.setdefault("extra", {})[f"field_{n}"] = value


def parse_web_line(line: str) -> dict[str, Any]:
    """Parse one Apache access-log line (with or without the syslog header) into ``web_access``.

    Raises :class:`UnparseableLineError` for a line that is not an access-log line.
    """
    values: dict[str, Any] = {}
    body = line
    parts = line.split(" ", 3)
    # "<ISO time> <host> apache2[:|[pid]:] …": the header's time starts with a 4-digit year.
    if len(parts) == 4 and parts[2].endswith(":") and parts[0][:4].isdigit() and "T" in parts[0]:
        values["syslog_time"], values["host"], body = parts[0], parts[1], parts[3]
        tag = parts[2]
        if tag.endswith("]:") and "[" in tag:
            values["pid"] = tag[tag.index("[") + 1 : -2]
    match = _ACCESS.fullmatch(body) or _ACCESS_UNESCAPED.fullmatch(body)
    if match is None:
        if body.startswith("["):
            error = _ERROR.fullmatch(body)
            if error is not None:
                return _error_record(error, values)
        raise UnparseableLineError("not an Apache access-log or error-log line")
    vhost = match.group("vhost")
    if vhost is not None:
        values["vhost"], values["vhost_port"] = _split_port(vhost)
    values["remote_host"], values["remote_port"] = _split_port(match.group("remote"))
    values["ident"] = _dash(match.group("ident"))
    values["remote_user"] = _dash(match.group("user"))
    raw_time = match.group("time")
    values["time"] = _cached_apache_time(raw_time) or raw_time  # unparsable → kept in extra
    request = match.group("request")
    values["request"] = request
    values["method"], values["path"], values["protocol"] = parse_request_line(request)
    values["status"] = _dash(match.group("status"))
    values["bytes"] = _dash(match.group("bytes"))
    tail = match.group("tail")
    combined = _COMBINED_TAIL.fullmatch(tail) if tail else None
    if combined is not None:  # the usual case: just referer and user agent
        values["referer"] = _dash(combined.group(1))
        values["user_agent"] = _dash(combined.group(2))
    elif tail:
        if not tail[0].isspace():
            raise UnparseableLineError(
                "not an Apache access-log line: text glued to the byte count"
            )
        _tail(tail, values)
    return build_record(_table_for_route("access_log"), values, strings_are_str=True)


def _error_record(match: re.Match[str], values: dict[str, Any]) -> dict[str, Any]:
    raw_time = match.group("time")
    if raw_time is not None:
        values["time"] = parse_error_log_time(raw_time) or raw_time  # unparsable → extra
    values["module"] = match.group("module")
    values["level"] = match.group("level")
    if match.group("pid") is not None:
        values["pid"] = match.group("pid")
    values["tid"] = match.group("tid")
    client = match.group("client")
    if client is not None:
        values["remote_host"], values["remote_port"] = _split_port(client)
    values["error_code"] = match.group("code")
    values["message"] = match.group("message")
    return build_record(_table_for_route("error_log"), values, strings_are_str=True)
