"""``pexlogs etl``: run the Glue ETL job on local Spark (exports, or a folder of plain logs)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pexlogs.exceptions import UsageError

__all__ = ["register", "to_uri"]

_EPILOG = """\
examples:
  pexlogs etl --raw-uri ./raw --curated-uri ./curated \\
      --start 2026-11-27T10:00Z --end 2026-11-27T12:00Z
        read ./raw/exports/<family>/2026/11/27/{10,11}/…, write ./curated/<family>/<table>/dt=…/hour=…
  pexlogs etl --family support --raw-uri /var/log/pexip/ --curated-uri ./curated
        a folder of plain (or gzipped) support log files; each line is partitioned by the UTC
        hour of its own syslog time
  pexlogs etl … --catalog --database pexip_logs
        also create tables and register partitions in the Glue catalog the environment
        configures (AWS_ENDPOINT_URL_GLUE, region, credentials)

The last line printed is the job's JSON summary with --json. Every input line is accounted for:
lines read = rows written, unparsed lines included (table unparsed_lines); otherwise the run fails.
"""


def to_uri(location: str) -> str:
    """A URI Spark can read: ``s3://…``/``file://…`` as given, a local path as ``file:///abs``."""
    if "://" in location:
        return location
    return Path(location).expanduser().resolve().as_uri()


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``etl`` subcommand."""
    parser = sub.add_parser(
        "etl",
        help="run the ETL job on local Spark: logs in, Parquet tables out",
        description="Run the pexlogs Glue job on local Spark: read CloudWatch export objects "
        "(or a folder of plain Pexip log files with --family), parse every line, write one "
        "Parquet table per log type partitioned by dt/hour, and optionally update the catalog.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--raw-uri",
        required=True,
        metavar="URI",
        help="root of the export objects (holding exports/<family>/YYYY/MM/DD/HH/); with "
        "--family, a folder or file of plain syslog lines. A local path or file:// / s3:// URI",
    )
    parser.add_argument(
        "--curated-uri", required=True, metavar="URI", help="root of the Parquet tables"
    )
    parser.add_argument("--start", metavar="ISO", help="first UTC hour, e.g. 2026-11-27T10:00Z")
    parser.add_argument("--end", metavar="ISO", help="end UTC hour (exclusive)")
    parser.add_argument(
        "--family",
        choices=("support", "audit", "web"),
        help="read --raw-uri as a folder of plain log files of this family (no --start/--end)",
    )
    parser.add_argument(
        "--families",
        metavar="LIST",
        help="comma-separated families to process from the exports (default: all)",
    )
    parser.add_argument(
        "--database", default="pexip_logs", help="Glue database (default: %(default)s)"
    )
    parser.add_argument(
        "--catalog",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="create tables and register partitions in the Glue catalog (default: off)",
    )
    parser.add_argument(
        "--master", default="local[*]", help="Spark master (default: %(default)s, all cores)"
    )
    parser.add_argument(
        "--parse-method",
        choices=("arrow", "rdd"),
        default="arrow",
        help="how lines reach the parser: mapInArrow (default) or RDD mapPartitions",
    )
    parser.add_argument(
        "--json", action="store_true", help="print only the JSON summary (one line) on stdout"
    )
    parser.set_defaults(func=run_etl)


def run_etl(args: argparse.Namespace) -> int:
    """Run the job as the arguments say; print the summary."""
    from pexlogs.etl import parse_windows, run_folder_job, run_job
    from pexlogs.etl._spark import local_session

    if args.family:
        if args.start or args.end or args.families:
            raise UsageError(
                "--family reads plain log files: --start/--end/--families do not apply"
            )
    elif not (args.start and args.end):
        raise UsageError("--start and --end are required (or --family for a folder of log files)")
    else:  # a bad window is a usage error: say so before spending seconds starting Spark
        windows = parse_windows([{"start": args.start, "end": args.end}])
    families = [f.strip() for f in (args.families or "").split(",") if f.strip()] or None
    raw, curated = to_uri(args.raw_uri), to_uri(args.curated_uri)
    database = args.database if args.catalog else None

    from rich.console import Console

    console = Console(stderr=True)
    with console.status("starting Spark…") as status:

        def progress(message: str) -> None:
            status.update(message)

        spark = local_session(args.master)
        if args.family:
            summary = run_folder_job(
                spark,
                input_uri=raw,
                family=args.family,
                curated_uri=curated,
                database=database,
                parse_method=args.parse_method,
                on_progress=progress,
            )
        else:
            summary = run_job(
                spark,
                windows=windows,
                raw_uri=raw,
                curated_uri=curated,
                database=database,
                families=families,
                parse_method=args.parse_method,
                on_progress=progress,
            )
    if not args.json:
        _print_summary(summary, curated)
    print(json.dumps(summary), flush=True)
    return 0


def _print_summary(summary: dict[str, Any], curated: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=sys.stdout)
    table = Table(title=f"rows written under {curated}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in summary["rows_written"].items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    read = ", ".join(f"{family} {n:,}" for family, n in summary["lines_read"].items())
    console.print(
        f"lines read: {read}; quarantined: {summary['quarantined']:,}; "
        f"partitions: {summary['partitions']}; {summary['seconds']} s"
    )
