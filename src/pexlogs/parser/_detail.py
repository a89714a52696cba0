"""The shapes a support line's ``Detail`` takes, and how each becomes columns.

- dict-like: JSON (newer releases) or a Python literal (older: ``{u'sdp': u'v=0^Mo=…'}``), read
  with :func:`json.loads` then :func:`ast.literal_eval`, never with regex rewriting;
- a SIP message (``^M``-separated start line, headers, blank line, body such as SDP or XML);
- other multi-line text (H.323 ASN.1 dumps, HTTP requests, media statistics): a list of lines;
- anything else: a plain string.

``^M`` (the two characters) is the format's line break.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

__all__ = [
    "DictDetail",
    "SipMessage",
    "is_sip_start_line",
    "parse_dict_detail",
    "parse_sip_message",
    "sdp_lines",
    "split_lines",
]

LINE_BREAK = "^M"

_REQUEST_LINE = re.compile(r"([A-Z][A-Z0-9_-]*) (\S+) SIP/2\.0\Z")
_STATUS_LINE = re.compile(r"SIP/2\.0 (\d{3})(?: (.*))?\Z")
_BOUNDARY = re.compile(r'boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))', re.IGNORECASE)
# RFC 3261 compact header forms.
_COMPACT = {
    "i": "call-id",
    "f": "from",
    "t": "to",
    "c": "content-type",
    "m": "contact",
    "v": "via",
    "l": "content-length",
    "k": "supported",
    "s": "subject",
    "e": "content-encoding",
    "o": "event",
    "u": "allow-events",
    "r": "refer-to",
}


def split_lines(text: str) -> list[str]:
    """Split multi-line text at its ``^M`` breaks; a leading and a trailing break add no line."""
    lines = text.split(LINE_BREAK)
    if len(lines) > 1 and lines[0] == "":
        del lines[0]
    if len(lines) > 1 and lines[-1] == "":
        del lines[-1]
    return lines


def sdp_lines(text: str) -> list[str]:
    """An SDP string's lines, whatever line break it was logged with (``^M``, CRLF or LF)."""
    # Not str.splitlines(): it also breaks at 0x1C-0x1E and other characters SDP may carry.
    lines = text.split(LINE_BREAK) if LINE_BREAK in text else text.replace("\r\n", "\n").split("\n")
    while lines and lines[-1] == "":
        lines.pop()
    return lines


# --- dict details ------------------------------------------------------------------------------


@dataclass
class DictDetail:
    """A dict Detail: its top-level fields as text, the SDP it carries, and the parsed object
    (``value``, read only: a Python-literal Detail's object may be shared with other lines)."""

    value: dict[str, Any]
    fields: dict[str, str | None]
    sdp: list[str] | None


def _field_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.replace(LINE_BREAK, "\n") if LINE_BREAK in value else value
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    try:
        return _ENCODE(value)
    except (TypeError, ValueError):  # e.g. a set with mixed types: still keep the text
        return repr(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


# One encoder for every call: json.dumps() with options builds a new encoder each time.
_ENCODE = json.JSONEncoder(ensure_ascii=False, default=_json_default).encode


def _find_sdp(value: Any, depth: int = 0) -> list[str] | None:
    """Lines of the first string under an ``sdp`` key, at any depth (``sdp``, ``result.sdp``)."""
    if depth > 8:
        return None
    if isinstance(value, dict):
        sdp = value.get("sdp")
        if isinstance(sdp, str):
            return sdp_lines(sdp)
        for inner in value.values():
            if isinstance(inner, dict | list):
                found = _find_sdp(inner, depth + 1)
                if found is not None:
                    return found
    elif isinstance(value, list):
        for inner in value:
            if isinstance(inner, dict | list):
                found = _find_sdp(inner, depth + 1)
                if found is not None:
                    return found
    return None


def _load(text: str) -> Any:
    """A Python literal, or JSON with ``^M`` line breaks between its tokens (plain JSON is read by
    :func:`_json_object_fields` first)."""
    # ``^M`` inside strings must stay as it is (it is text there), so the text is first tried
    # untouched; a pretty-printed literal has ``^M`` between tokens, where a newline is fine.
    candidates = [text]
    if LINE_BREAK in text:
        candidates.append(text.replace(LINE_BREAK, "\n"))
        try:
            return json.loads(candidates[1])
        except ValueError:
            pass
    for candidate in candidates:
        found, value = _literal(candidate) if len(candidate) <= 4096 else _literal_eval(candidate)
        if found:
            return value
    return None


@lru_cache(maxsize=256)
def _literal(text: str) -> tuple[bool, Any]:
    """:func:`_literal_eval`, cached for texts up to 4 KiB: parsing a literal costs as much as
    the whole rest of a line, and real logs repeat small REST Details (``{'status': 'success',
    'result': True}``). The cached object is shared between calls: callers read it and build new
    containers from it (:func:`parse_dict_detail`), never change it."""
    return _literal_eval(text)


def _literal_eval(text: str) -> tuple[bool, Any]:
    """``(True, ast.literal_eval(text))``, or ``(False, None)`` when it is not a literal."""
    try:
        return True, ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False, None


# The decoder's C scanner: (text, index) -> (value, end index); StopIteration when no value.
_JSON_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_JSON_WS = " \t\n\r"


def _json_object_fields(text: str) -> tuple[dict[str, Any], dict[str, str | None]] | None:
    """A JSON object read member by member with the C scanner, so that a nested value's field
    text is its original JSON text (no re-encoding). ``None`` when ``text`` is not exactly one
    JSON object (the caller then tries the general readers)."""
    scan = _JSON_SCAN
    value: dict[str, Any] = {}
    fields: dict[str, str | None] = {}
    n = len(text)
    pos = 0
    try:
        while pos < n and text[pos] in _JSON_WS:
            pos += 1
        if text[pos : pos + 1] != "{":
            return None
        pos += 1
        while pos < n and text[pos] in _JSON_WS:
            pos += 1
        if text[pos : pos + 1] == "}":
            return (value, fields) if not text[pos + 1 :].strip(_JSON_WS) else None
        while True:
            if text[pos : pos + 1] != '"':
                return None
            key, pos = scan(text, pos)
            if text[pos : pos + 2] == ": ":  # json.dumps' separator: the loops below agree
                pos += 2
            else:
                while pos < n and text[pos] in _JSON_WS:
                    pos += 1
                if text[pos : pos + 1] != ":":
                    return None
                pos += 1
            while pos < n and text[pos] in _JSON_WS:
                pos += 1
            start = pos
            member, pos = scan(text, start)
            value[key] = member
            # Strings as text (_field_text), null as null, anything else as its JSON text.
            if member.__class__ is str:
                if LINE_BREAK in member:
                    member = member.replace(LINE_BREAK, "\n")
                fields[key] = member
            else:
                fields[key] = None if member is None else text[start:pos]
            if text[pos : pos + 2] == ", ":
                pos += 2
            else:
                while pos < n and text[pos] in _JSON_WS:
                    pos += 1
                sep = text[pos : pos + 1]
                if sep == "}":
                    return (value, fields) if not text[pos + 1 :].strip(_JSON_WS) else None
                if sep != ",":
                    return None
                pos += 1
            while pos < n and text[pos] in _JSON_WS:
                pos += 1
    except (StopIteration, ValueError, RecursionError):
        return None


def parse_dict_detail(text: str) -> DictDetail | None:
    """Read a ``{…}`` Detail as JSON or a Python literal; ``None`` when it is neither.

    Field texts are strings as they are (``^M`` → newline), ``None`` for null, and JSON text for
    anything else (the original text for a JSON Detail).
    """
    fast = _json_object_fields(text)
    if fast is not None:
        value, fields = fast
    else:
        loaded = _load(text)
        if not isinstance(loaded, dict):
            return None
        value = loaded
        fields = {str(k): _field_text(v) for k, v in value.items()}
    # No quoted "sdp" anywhere in the text: no sdp key either (saves walking the object).
    sdp = _find_sdp(value) if "sdp" in text and ("sdp'" in text or 'sdp"' in text) else None
    return DictDetail(value=value, fields=fields, sdp=sdp)


# --- SIP messages ------------------------------------------------------------------------------


@dataclass
class SipMessage:
    """A SIP message split into start line, headers (in order) and body."""

    start_line: str
    method: str | None = None
    request_uri: str | None = None
    status_code: int | None = None
    reason_phrase: str | None = None
    headers: list[dict[str, str]] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    sdp: list[str] | None = None
    _index: dict[str, str] | None = field(default=None, repr=False)

    def header(self, name: str) -> str | None:
        """The first header called ``name`` (lower case; compact forms included)."""
        return self.header_index().get(name)

    def header_index(self) -> dict[str, str]:
        """Lower-case header name (compact forms expanded) → value of its first occurrence."""
        index = self._index
        if index is None:
            # Built backwards so that the first of repeated headers wins.
            index = self._index = {
                _COMPACT.get(key, key): item["value"]
                for item in reversed(self.headers)
                for key in (item["name"].lower(),)
            }
        return index


def is_sip_start_line(line: str) -> bool:
    """Whether ``line`` is a SIP request line or status line."""
    if line.startswith("SIP/2.0 "):
        return _STATUS_LINE.match(line) is not None
    return line.endswith(" SIP/2.0") and _REQUEST_LINE.match(line) is not None


def _parse_headers(lines: list[str], start: int) -> tuple[list[dict[str, str]], int]:
    """Headers from ``lines[start:]`` up to the blank line; returns them and the body's index."""
    try:
        end = lines.index("", start)
    except ValueError:
        end = len(lines)
    block = lines[start:end]
    headers: list[dict[str, str]] = []
    for line in block:
        name, sep, value = line.partition(":")
        if line[:1] in (" ", "\t") and headers:  # folded continuation of the previous header
            headers[-1]["value"] += " " + line.strip()
        elif sep:
            headers.append({"name": name.strip(), "value": value.strip()})
        else:  # not a header: kept as a nameless one rather than lost
            headers.append({"name": "", "value": line})
    return headers, end + 1


def _content_type(headers: list[dict[str, str]]) -> str:
    for item in headers:
        key = item["name"].lower()
        if _COMPACT.get(key, key) == "content-type":
            return item["value"]
    return ""


def _body_sdp(content_type: str, body: list[str]) -> list[str] | None:
    """SDP lines of a body: the body itself, or every application/sdp part of a multipart body."""
    ctype = content_type.lower()
    if ctype.startswith("application/sdp") or (not ctype and body[:1] == ["v=0"]):
        return _trim(body)
    if not ctype.startswith("multipart/"):
        return None
    match = _BOUNDARY.search(content_type)
    if not match:
        return None
    delimiter = "--" + (match.group(1) or match.group(2))
    sdp: list[str] = []
    found = False
    part: list[str] | None = None
    for line in [*body, delimiter + "--"]:
        if line.startswith(delimiter):
            if part is not None:
                headers, at = _parse_headers(part, 0)
                if _content_type(headers).lower().startswith("application/sdp"):
                    sdp.extend(_trim(part[at:]))
                    found = True
            part = [] if not line.startswith(delimiter + "--") else None
            continue
        if part is not None:
            part.append(line)
    return sdp if found else None


def _trim(lines: list[str]) -> list[str]:
    end = len(lines)
    while end and lines[end - 1] == "":
        end -= 1
    return lines[:end]


def parse_sip_message(lines: list[str]) -> SipMessage | None:
    """Parse a SIP message given as lines; ``None`` unless the first line is a SIP start line."""
    if not lines:
        return None
    start = lines[0]
    # is_sip_start_line(), with each regex run once.
    if start.startswith("SIP/2.0 "):
        status = _STATUS_LINE.match(start)
        if status is None:
            return None
        msg = SipMessage(start_line=start)
        msg.status_code = int(status.group(1))
        msg.reason_phrase = status.group(2)
    elif start.endswith(" SIP/2.0"):
        request = _REQUEST_LINE.match(start)
        if request is None:
            return None
        msg = SipMessage(start_line=start)
        msg.method, msg.request_uri = request.group(1), request.group(2)
    else:
        return None
    msg.headers, body_at = _parse_headers(lines, 1)
    msg.body = _trim(lines[body_at:])
    if msg.method is None:
        cseq = msg.header("cseq")
        if cseq:
            parts = cseq.split()
            msg.method = parts[-1] if len(parts) >= 2 else None
    if msg.body:
        # header() finds the first Content-Type (compact form included), as _content_type does.
        msg.sdp = _body_sdp(msg.header("content-type") or "", msg.body)
    return msg
