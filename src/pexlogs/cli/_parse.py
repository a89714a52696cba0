"""``pexlogs parse``: raw log lines in, one JSON record per line out (the shared parser, no AWS)."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import date, datetime
from typing import Any, Protocol, TextIO

__all__ = ["register", "run_parse"]

_EPILOG = """\
examples:
  pexlogs parse support.log                      every line as a JSON record
  pexlogs parse --family audit --summary a.log   force a family; counts per table on stderr
  zcat 000000.gz | pexlogs parse -               read stdin
  pexlogs parse exports/web/2021/06/08/07/       a CloudWatch export prefix, recursively
                                                 (skips *.json, hidden files, aws-logs-write-test)

Each output line is {"table": <table>, <column>: <value>, ...} with exactly that table's columns
from metadata/; timestamps are ISO-8601 strings. Lines that cannot be parsed come out as
unparsed_lines records: no input line is ever dropped. gzip is detected from the content, and the
timestamp CloudWatch export objects put before each line is removed.
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``parse`` subcommand."""
    parser = sub.add_parser(
        "parse",
        help="parse raw log lines into JSON records (one per line)",
        description="Parse Pexip support/administrator, audit and web log lines into typed "
        "records, one JSON object per input line, in input order.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="log file (plain or gzip), folder (read recursively) or - for standard input",
    )
    parser.add_argument(
        "--family",
        choices=("auto", "support", "audit", "web"),
        default="auto",
        help="log family of the input; auto (default) tells audit (audispd:) and web (apache2:) "
        "lines by their syslog tag and reads everything else as support",
    )
    parser.add_argument(
        "--summary",
        action="store_true",
        help="print the number of records per table to stderr when done",
    )
    parser.set_defaults(func=_main)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return value.decode("utf-8", errors="backslashreplace")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


class _Progress(Protocol):
    def file_started(self, path: str) -> None: ...
    def lines_done(self, n: int) -> None: ...
    def close(self) -> None: ...


class _NoProgress:
    def file_started(self, path: str) -> None:
        pass

    def lines_done(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


class _RichProgress:
    """Files done and lines parsed, on stderr, gone when finished (stdout carries the records)."""

    def __init__(self, files: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            TextColumn("parsing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files, {task.fields[lines]:,} lines"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = self._progress.add_task("parse", total=files, lines=0)
        self._started = 0
        self._progress.start()

    def file_started(self, path: str) -> None:
        if self._started:
            self._progress.advance(self._task)
        self._started += 1

    def lines_done(self, n: int) -> None:
        self._progress.update(self._task, lines=n)

    def close(self) -> None:
        self._progress.stop()


def _progress_for(files: int, enabled: bool) -> _Progress:
    if not enabled:
        return _NoProgress()
    try:
        return _RichProgress(files)
    except ImportError:  # rich is in the "local" extra; the core parser does not need it
        return _NoProgress()


def run_parse(
    paths: list[str], family: str, out: TextIO, *, progress: bool = False
) -> Counter[str]:
    """Parse every line of ``paths`` to ``out`` as JSON lines; return the count per table.

    With ``progress``, a progress bar on stderr shows files done and lines parsed.
    """
    from pexlogs._lines import expand_inputs, iter_lines, split_export_prefix
    from pexlogs.parser import parse_line

    inputs = expand_inputs(paths)  # fails before any output on a bad path
    counts: Counter[str] = Counter()
    encoder = json.JSONEncoder(ensure_ascii=False, default=_json_default)
    write = out.write
    bar = _progress_for(len(inputs), progress)
    total = 0
    try:
        for path in inputs:
            bar.file_started(path)
            for line in iter_lines(path):
                record = parse_line(split_export_prefix(line)[1], family)
                counts[record["table"]] += 1
                write(encoder.encode(record))
                write("\n")
                total += 1
                if not total % 10000:
                    bar.lines_done(total)
    finally:
        bar.close()
    return counts


def _main(args: argparse.Namespace) -> int:
    # A bar only where someone watches stderr while the records go to a file or a pipe.
    show = sys.stderr.isatty() and not sys.stdout.isatty()
    counts = run_parse(args.paths, args.family, sys.stdout, progress=show)
    sys.stdout.flush()
    if args.summary:
        total = sum(counts.values())
        width = max((len(t) for t in counts), default=5)
        lines = [f"{table:<{width}}  {n:>9}" for table, n in sorted(counts.items())]
        lines.append(f"{'total':<{width}}  {total:>9}")
        print("\n".join(lines), file=sys.stderr)
    return 0
