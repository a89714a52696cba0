"""Reading log lines the way every pexlogs reader must: streamed, split on ``\\n`` only, never lost.

Shared by ``pexlogs parse`` and anything else that reads raw logs from files (the Glue job may reuse
:func:`split_export_prefix` and :func:`decode_line`).

* **Split on ``\\n`` only.** Binary file iteration splits on ``b"\\n"`` alone. ``str.splitlines()``
  (and text-mode readers with universal newlines) also split on ``\\r``, ``\\x0b``, ``\\x0c`` and
  0x1C-0x1E, 0x85, U+2028/2029: a real enriched auditd record carries a 0x1D byte and would be
  cut in two.
* **Decoding never loses a line.** Each line is decoded as UTF-8 with ``backslashreplace``: a byte
  that is not valid UTF-8 becomes the four characters ``\\xNN``. ``replace`` would lose the byte
  (U+FFFD); ``surrogateescape`` keeps it but yields lone surrogates that JSON, Arrow and Parquet
  writers reject, i.e. the line would fail later. ``\\xNN`` is also how Apache itself writes such
  bytes, so web lines look the same whether Apache or we escaped them.
* **gzip is detected by its magic bytes**, not by the file name (CloudWatch export objects are
  ``000000.gz``; a renamed file still works).
* **CloudWatch export objects** prefix every line with the event's ISO-8601 timestamp and a space;
  :func:`split_export_prefix` detects and removes it per line (a syslog line itself starts with an
  ISO timestamp, so the prefix is recognised as *two* leading timestamps).
"""

from __future__ import annotations

import gzip
import io
import os
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, cast

from pexlogs.exceptions import InputError

__all__ = [
    "STDIN",
    "decode_line",
    "expand_inputs",
    "iter_lines",
    "open_binary",
    "split_export_prefix",
]

STDIN = "-"
_GZIP_MAGIC = b"\x1f\x8b"
# CloudWatch writes e.g. 2021-06-08T07:58:12.310Z; accept any ISO-8601 time with Z or an offset.
_ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?"
_EXPORT_PREFIX = re.compile(rf"({_ISO}) (?={_ISO} )")
# Files in a folder that are not logs: CloudWatch's bucket permission check objects, manifests
# (pexlogs generate writes manifest.json next to its logs), hidden files.
_SKIPPED_NAMES = ("aws-logs-write-test",)
_SKIPPED_SUFFIXES = (".json",)


def _is_log_file(path: Path) -> bool:
    name = path.name
    return (
        path.is_file()
        and not name.startswith(".")
        and not name.endswith(_SKIPPED_SUFFIXES)
        and not any(s in name for s in _SKIPPED_NAMES)
    )


def decode_line(raw: bytes) -> str:
    """One raw line (without or with its ``\\n``/``\\r\\n``) as text; invalid UTF-8 → ``\\xNN``."""
    return raw.decode("utf-8", errors="backslashreplace").rstrip("\r\n")


def split_export_prefix(line: str) -> tuple[str | None, str]:
    """``"<export time> <syslog line>"`` → (export time, syslog line); other lines → (None, line).

    >>> split_export_prefix("2021-06-08T07:58:12.310Z 2021-06-08T07:58:12.307+00:00 h x")
    ('2021-06-08T07:58:12.310Z', '2021-06-08T07:58:12.307+00:00 h x')
    >>> split_export_prefix("2021-06-08T07:58:12.307+00:00 h x")
    (None, '2021-06-08T07:58:12.307+00:00 h x')
    """
    match = _EXPORT_PREFIX.match(line)
    if match is None:
        return None, line
    return match.group(1), line[match.end() :]


def expand_inputs(paths: Iterable[str]) -> list[str]:
    """Check every input up front and expand folders (recursively, sorted) into their files.

    In a folder, ``*.json`` (manifests), hidden files and CloudWatch's ``aws-logs-write-test``
    objects are skipped; a file named explicitly is always read.

    ``-`` is standard input. A missing, unreadable or empty-folder path raises :class:`InputError`
    before anything is read, so a typo never produces half an output.
    """
    out: list[str] = []
    for path in paths:
        if path == STDIN:
            out.append(path)
            continue
        p = Path(path)
        if p.is_dir():
            files = sorted(str(f) for f in p.rglob("*") if _is_log_file(f))
            if not files:
                raise InputError(f"{path}: folder holds no files")
            out.extend(files)
            continue
        if not p.exists():
            raise InputError(f"{path}: no such file")
        if not os.access(p, os.R_OK):
            raise InputError(f"{path}: permission denied")
        out.append(path)
    return out


def open_binary(path: str) -> BinaryIO:
    """Open ``path`` (or ``-`` for stdin) for binary reading, gunzipping transparently."""
    try:
        raw: BinaryIO = sys.stdin.buffer if path == STDIN else open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from exc
    # peek() needs a buffered reader; files and sys.stdin.buffer already are one.
    buffered: Any = raw if hasattr(raw, "peek") else io.BufferedReader(cast(Any, raw))
    if buffered.peek(2)[:2] == _GZIP_MAGIC:
        return cast(BinaryIO, gzip.GzipFile(fileobj=buffered, mode="rb"))
    return cast(BinaryIO, buffered)


def iter_lines(path: str) -> Iterator[str]:
    """Every line of ``path`` (``-`` = stdin, gzip transparent), decoded, in order, streamed.

    Lines are split on ``\\n`` only and decoded with :func:`decode_line`; a trailing newline at
    the end of the input does not make an extra empty line. A corrupt gzip stream raises
    :class:`InputError` (the lines before it have been yielded).
    """
    stream = open_binary(path)
    try:
        for raw in stream:
            yield decode_line(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    finally:
        if path != STDIN:
            stream.close()
