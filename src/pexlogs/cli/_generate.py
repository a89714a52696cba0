"""``pexlogs generate``: realistic Pexip logs (support, audit, web) for a time range."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pexlogs.exceptions import UsageError

__all__ = ["register"]


def parse_start(text: str | None, hours: float) -> datetime:
    """``--start``: an ISO-8601 time (naive = UTC); default: ``hours`` before the current hour."""
    if text is None:
        now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        return now - timedelta(hours=hours)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--start {text!r} is not an ISO-8601 time (e.g. 2026-01-05T09:00Z)"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from pexlogs.generate import DEFAULT_LINES_PER_HOUR, DEFAULT_MALFORMED_RATE, FAMILIES

    p = sub.add_parser(
        "generate",
        help="generate realistic Pexip logs (support, audit, web) for a time range",
        description=(
            "Generate the logs of a Pexip Infinity deployment (a management node, four "
            "conferencing nodes): conferences with SIP, H.323, WebRTC and Teams participants, "
            "registrations, configuration changes, alarms, auditd records and Apache access "
            "lines, plus a few cut-off lines. The same --seed and --start give the same lines. "
            "With --out, writes <family>.log[.gz] and manifest.json (what was generated) into "
            "the folder; otherwise prints all lines, in time order, to stdout."
        ),
    )
    p.add_argument(
        "--start", help="first hour, ISO-8601 UTC (default: HOURS before the current hour)"
    )
    p.add_argument("--hours", type=float, default=2.0, help="how many hours (default: 2)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument(
        "--rate",
        type=float,
        default=DEFAULT_LINES_PER_HOUR,
        metavar="LINES_PER_HOUR",
        help=f"lines per hour over all families (default: {DEFAULT_LINES_PER_HOUR}; "
        "1000000 for a benchmark)",
    )
    p.add_argument(
        "--families",
        default=",".join(FAMILIES),
        help=f"comma-separated families (default: {','.join(FAMILIES)})",
    )
    p.add_argument(
        "--malformed-rate",
        type=float,
        default=DEFAULT_MALFORMED_RATE,
        help=f"share of lines cut off (default: {DEFAULT_MALFORMED_RATE})",
    )
    p.add_argument("--out", type=Path, help="output folder (default: lines to stdout)")
    p.add_argument("--gzip", action="store_true", help="with --out: write <family>.log.gz")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from pexlogs.generate import GenerationStats, generate_lines, write_logs

    families = [f.strip() for f in args.families.split(",") if f.strip()]
    start = parse_start(args.start, args.hours)
    if args.out is None:
        if args.gzip:
            raise UsageError("--gzip needs --out")
        stats = GenerationStats()
        out = sys.stdout
        for item in generate_lines(
            start,
            args.hours,
            seed=args.seed,
            lines_per_hour=args.rate,
            families=families,
            malformed_rate=args.malformed_rate,
            stats=stats,
        ):
            out.write(item.line + "\n")
        out.flush()
        _summary(stats.to_dict(), None)
        return 0

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    expected = int(args.rate * args.hours)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task("generating", total=expected)
        stats, paths = write_logs(
            args.out,
            start,
            args.hours,
            seed=args.seed,
            lines_per_hour=args.rate,
            families=families,
            malformed_rate=args.malformed_rate,
            compress=args.gzip,
            progress=lambda n: bar.update(task, completed=n),
        )
    _summary(stats.to_dict(), paths)
    return 0


def _summary(manifest: dict[str, object], paths: dict[str, Path] | None) -> None:
    lines = manifest["lines"]
    malformed = manifest["malformed"]
    assert isinstance(lines, dict) and isinstance(malformed, dict)
    err = sys.stderr
    print(
        f"generated {manifest['total_lines']} lines {manifest['start']} .. {manifest['end']}",
        file=err,
    )
    for family, n in lines.items():
        where = f" -> {paths[family]}" if paths else ""
        print(f"  {family:8} {n:>9} lines ({malformed.get(family, 0)} malformed){where}", file=err)
    print(
        f"  conferences per day {manifest['conferences_per_day']}, "
        f"calls by protocol {manifest['calls_by_protocol']}",
        file=err,
    )
