"""``pexlogs run``: the whole pipeline on this machine (moto + local Spark), on files or a demo."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pexlogs.exceptions import UsageError

if TYPE_CHECKING:  # pragma: no cover
    from pexlogs.local.runner import RunSummary

__all__ = ["register"]

_EPILOG = """\
examples:
  pexlogs run --demo                         generated logs of the last 2 complete hours
  pexlogs run --demo --start 2026-01-05T09:00:00Z --hours 3 --seed 11
  pexlogs run --input support.log audit.log.gz web.log
  pexlogs run --input logs/*.log --start 2026-01-05T09:00:00Z --hours 1

State lives under --home ($PEXLOGS_HOME, default ./.pexlogs); a second run adds to it.
Then try: pexlogs query conferences_per_day
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "run",
        help="run the whole pipeline locally (embedded AWS + local Spark) on files or a demo",
        description=(
            "Provision an embedded AWS (moto) like the CDK app, ingest logs into its CloudWatch "
            "Logs as the agent would, run the real Step Functions workflow (export per hour, then "
            "the real Glue job on local Spark) and print what landed in which table."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--input",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="log files or folders (plain or .gz); the family comes from the file name or each line",
    )
    source.add_argument(
        "--demo", action="store_true", help="generate realistic logs instead (pexlogs generate)"
    )
    parser.add_argument(
        "--start",
        metavar="ISO",
        help="first hour (UTC) to generate with --demo, or to process with --input",
    )
    parser.add_argument(
        "--hours", type=int, metavar="N", help="number of hours (default: 2 for --demo)"
    )
    parser.add_argument("--seed", type=int, default=7, help="demo generator seed (default 7)")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        metavar="X",
        help="demo size factor (1.0 = about 5,000 lines an hour)",
    )
    add_state_options(parser)
    parser.set_defaults(func=_run)


def add_state_options(parser: argparse.ArgumentParser) -> None:
    """``--home`` and ``--json``, shared by ``pexlogs run`` and ``pexlogs backfill``."""
    parser.add_argument(
        "--home",
        type=Path,
        metavar="PATH",
        help="state folder (default $PEXLOGS_HOME or ./.pexlogs)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the summary as one JSON line (the last line)"
    )


def parse_iso(text: str | None, option: str) -> Any:
    """An ISO-8601 time (naive = UTC) or None; a one-line error otherwise."""
    if text is None:
        return None
    from datetime import UTC, datetime

    try:
        value = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError:
        raise UsageError(f"{option}: not an ISO-8601 time: {text!r}") from None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _run(args: argparse.Namespace) -> int:
    from pexlogs.local.runner import RunOptions, default_home, run_local

    if args.scale <= 0:
        raise UsageError("--scale must be positive")
    options = RunOptions(
        home=args.home or default_home(),
        inputs=tuple(args.input or ()),
        demo=bool(args.demo),
        start=parse_iso(args.start, "--start"),
        hours=args.hours,
        seed=args.seed,
        demo_scale=args.scale,
    )
    summary = run_local(options)
    print_summary(summary, as_json=args.json)
    return 0


def print_summary(summary: RunSummary, *, as_json: bool, command: str = "run") -> None:
    """The human summary (rich tables on stdout), and with ``as_json`` the JSON as last line."""
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    if summary.lines_ingested:
        ingested = ", ".join(f"{f} {n:,}" for f, n in summary.lines_ingested.items())
        console.print(f"Ingested into CloudWatch Logs: {ingested}")
    manifest = summary.demo_manifest
    if manifest:
        protocols = ", ".join(f"{p} {n}" for p, n in manifest.get("calls_by_protocol", {}).items())
        # Per day, as `pexlogs query conferences_per_day` counts them (distinct conference ids and
        # calls on the conference lines of the generated hours), so the two figures agree.
        per_day = ", ".join(
            f"{day}: {n} conferences, {len(manifest.get('conference_call_days', {}).get(day, []))}"
            " calls"
            for day, n in manifest.get("conferences_per_day", {}).items()
        )
        console.print(
            f"Demo: {manifest.get('total_lines', 0):,} generated lines, "
            f"{len(manifest.get('calls', {}))} calls ({protocols}); {per_day}"
        )
    windows = ", ".join(f"{w['start']} → {w['end']}" for w in summary.windows)
    console.print(f"Processed hours: {windows} ({len(summary.executions)} execution(s))")

    lines = Table(title="Lines in (exported)")
    lines.add_column("family")
    lines.add_column("lines", justify="right")
    for family, n in sorted(summary.lines_in.items()):
        lines.add_row(family, f"{n:,}")
    lines.add_row("[bold]total[/bold]", f"[bold]{summary.total_lines_in:,}[/bold]")
    console.print(lines)

    rows = Table(title="Rows written", caption="Parquet, registered in the Glue catalog")
    rows.add_column("table")
    rows.add_column("rows", justify="right")
    for table, n in sorted(summary.rows_written.items(), key=lambda kv: (-kv[1], kv[0])):
        rows.add_row(table, f"{n:,}")
    rows.add_row("[bold]total[/bold]", f"[bold]{summary.total_rows_written:,}[/bold]")
    console.print(rows)

    console.print(
        f"Every line accounted for: {summary.total_lines_in:,} in = "
        f"{summary.total_rows_written:,} rows, of which {summary.quarantined:,} quarantined "
        "in unparsed_lines."
    )
    console.print(f"Tables: {summary.curated}  (state: {summary.home})")
    phases = ", ".join(f"{k} {v:.1f}" for k, v in summary.timings.items())
    console.print(f"Took {summary.seconds:.1f} s ({phases}).")
    console.print("Next: pexlogs query conferences_per_day")
    if as_json:
        # Plain print: the JSON must be the last stdout line, unwrapped.
        print(json.dumps(summary.to_json(), sort_keys=True))
