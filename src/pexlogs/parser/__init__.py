"""The shared parser: one raw Pexip log line in, one record out, never an exception.

>>> rec = parse_line('2021-06-08T07:58:12.307+00:00 pxpmgmt 2021-06-08 07:58:12,304 '
...                  'Level="INFO" Name="administrator.alarm" Message="Alarm raised"', "support")
>>> rec["table"]
'support_administrator_alarm'

A record is ``{"table": <table name>, <column>: <value>, ...}`` whose keys are the table's columns
in ``metadata/`` (absent columns are null; undeclared keys go into ``extra``). A line that cannot be
parsed becomes ``{"table": "unparsed_lines", "family": ..., "reason": ..., "raw_line": ...}``.
Pure Python: no AWS or Spark import, so the same code runs in Glue, Lambda and the CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pexlogs.exceptions import UnparseableLineError, UsageError
from pexlogs.schema import UNPARSED_TABLE

__all__ = ["FAMILIES", "detect_family", "parse_line", "unparsed_record"]

FAMILIES = ("support", "audit", "web")

Record = dict[str, Any]


def detect_family(line: str) -> str:
    """Guess a line's family from its syslog program tag (``audispd:`` audit, ``apache2:`` web).

    >>> detect_family("2016-12-07T02:16:32.414+00:00 pxpmgmt audispd: node=a type=EOE msg=audit(1:2):")
    'audit'
    >>> detect_family("type=EOE msg=audit(1481076992.414:385):")
    'audit'
    """
    if line.startswith(("type=", "node=")):
        return "audit"  # a bare auditd record (audit.log), without a syslog header
    parts = line.split(" ", 3)
    tag = parts[2] if len(parts) > 2 else ""
    if tag.startswith("audispd"):
        return "audit"
    if tag.startswith(("apache2", "httpd")):
        return "web"
    return "support"


def unparsed_record(line: str, family: str, reason: str) -> Record:
    """The quarantine record for a line no parser could read."""
    return {
        "table": UNPARSED_TABLE,
        "family": family,
        "reason": reason,
        "raw_line": line,
        "source": None,
        "extra": None,
    }


def _parsers() -> dict[str, Callable[[str], Record]]:
    # Imported lazily so importing the package stays cheap for the CLI's --help.
    from pexlogs.parser.audit import parse_audit_line
    from pexlogs.parser.support import parse_support_line
    from pexlogs.parser.web import parse_web_line

    return {"support": parse_support_line, "audit": parse_audit_line, "web": parse_web_line}


_PARSERS: dict[str, Callable[[str], Record]] = {}


def parse_line(line: str, family: str = "auto") -> Record:
    """Parse one raw syslog line of ``family`` (``support``, ``audit``, ``web`` or ``auto``).

    Never raises for any line content; raises :class:`UsageError` only for an unknown family.
    A trailing ``\\n``/``\\r\\n`` is ignored.
    """
    if family != "auto" and family not in FAMILIES:
        raise UsageError(f"unknown family {family!r}: expected one of auto, {', '.join(FAMILIES)}")
    if not _PARSERS:
        _PARSERS.update(_parsers())
    line = line.rstrip("\r\n")
    fam = detect_family(line) if family == "auto" else family
    try:
        return _PARSERS[fam](line)
    except UnparseableLineError as exc:
        return unparsed_record(line, fam, exc.reason)
    except Exception as exc:  # a parser bug must never lose a line or stop a job
        return unparsed_record(line, fam, f"parser error: {type(exc).__name__}: {exc}")
