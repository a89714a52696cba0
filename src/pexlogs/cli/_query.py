"""``pexlogs query``: a named query or Athena SQL, answered locally (DuckDB) or on Athena."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path

from pexlogs.exceptions import UsageError

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "query",
        help="run a named query or Athena SQL over the tables (locally, or on Athena with --aws)",
        description=(
            "Run one of the shipped named queries (metadata/queries/*.sql; see --list) or "
            "ad-hoc Athena SQL. Locally, DuckDB answers over the Parquet tables under "
            "--home (what `pexlogs run` wrote), with the SQL transpiled from Athena's dialect; "
            "SQL that would not give Athena's answer is refused with the reason. Tables are "
            "pexip_logs.<table> (or just <table>); partitions dt and hour are strings."
        ),
        epilog=(
            "examples:\n"
            "  pexlogs query conferences_per_day\n"
            "  pexlogs query call_sip_messages --param call_id=2d2de330-ef19-4a30-87ae-92eead73bc6f\n"
            '  pexlogs query "SELECT level, count(*) AS n FROM support_other GROUP BY level"\n'
            "  pexlogs query errors_per_hour --format csv > errors.csv\n"
            "  pexlogs query conferences_per_day --aws --workgroup pexlogs"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("query", nargs="?", metavar="NAME|SQL|FILE.sql", help="what to run")
    p.add_argument(
        "--param",
        "-p",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter of the named query (repeat); for ad-hoc SQL, values bind to ? in order",
    )
    p.add_argument(
        "--format", "-f", choices=("table", "csv", "json"), default="table", help="output format"
    )
    p.add_argument(
        "--home",
        type=Path,
        help="the local state folder (default: $PEXLOGS_HOME, else ./.pexlogs)",
    )
    p.add_argument("--list", action="store_true", help="list the named queries and exit")
    p.add_argument(
        "--show-sql", action="store_true", help="print the SQL that runs (DuckDB's) to stderr"
    )
    p.add_argument("--aws", action="store_true", help="run on Amazon Athena instead")
    p.add_argument(
        "--workgroup", default=None, help="Athena workgroup with --aws (default: pexlogs)"
    )
    p.add_argument("--database", default=None, help="Glue database (default: pexip_logs)")
    p.add_argument(
        "--output-location",
        help="with --aws: s3:// folder for results, if the workgroup does not set one",
    )
    p.add_argument("--region", help="with --aws: AWS region (default: your AWS configuration)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from pexlogs import query as q

    if args.list:
        _print_list(q.load_named_queries())
        return 0
    if not args.query:
        raise UsageError("give a query NAME, SQL text or a .sql file (see --list)")
    params: list[tuple[str, str]] = []
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--param {item!r}: expected NAME=VALUE")
        params.append((name.strip(), value))
    sql, values, named = q.resolve_query(args.query, params)
    database = args.database or q.DEFAULT_DATABASE
    if args.aws:
        import boto3

        session = boto3.session.Session(region_name=args.region)
        if args.show_sql:
            print(sql, file=sys.stderr)
        result = q.run_athena_query(
            sql,
            values,
            client=session.client("athena"),
            workgroup=args.workgroup or q.DEFAULT_WORKGROUP,
            database=database,
            output_location=args.output_location,
        )
    else:
        home = args.home or q.default_home()
        tables = q.local_table_sources(home)
        if not any(tables.values()):
            print(
                f"pexlogs: note: no data under {home} yet (run `pexlogs run --demo`); "
                "the tables are empty",
                file=sys.stderr,
            )
        result = q.run_local_query(sql, values, tables=tables, database=database)
        if args.show_sql:
            print(result.sql, file=sys.stderr)
    if args.format == "table":
        _print_table(result, named.name if named else None)
    else:
        sys.stdout.write(q.format_result(result, args.format) + "\n")
    return 0


def _print_table(result: object, title: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    from pexlogs.query import QueryResult, cell_text, format_result

    assert isinstance(result, QueryResult)
    console = Console()
    if not console.is_terminal:
        # Piped: plain aligned text, nothing cut but long cells.
        sys.stdout.write(format_result(result, "table") + "\n")
        print(f"({len(result.rows)} rows)", file=sys.stderr)
        return
    cells = [[cell_text(v) for v in row] for row in result.rows]
    widths = [
        min(40, max([len(c), *(len(r[i]) for r in cells)])) for i, c in enumerate(result.columns)
    ]
    if sum(widths) + 3 * len(widths) + 1 > console.width and len(result.columns) > 2:
        # Too wide to read as a grid: one block per row, "column: value" (like psql's \x).
        label = max(len(c) for c in result.columns)
        for n, row in enumerate(cells, 1):
            console.rule(f"[bold]{title or 'row'} {n}", align="left")
            for column, value in zip(result.columns, row, strict=False):
                console.print(
                    f"{column.rjust(label)}  {_cut(value, 1000)}", highlight=False, markup=False
                )
    else:
        table = Table(title=title, show_lines=False, header_style="bold")
        for column in result.columns:
            table.add_column(column, overflow="fold", max_width=60)
        for row_cells in cells:
            table.add_row(*[_cut(v) for v in row_cells])
        console.print(table)
    console.print(f"[dim]{len(result.rows)} rows ({result.engine})[/dim]")


def _cut(text: str, width: int = 240) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_list(queries: Mapping[str, object]) -> None:
    from pexlogs.query import NamedQuery

    for name, nq in queries.items():
        assert isinstance(nq, NamedQuery)
        params = " ".join(f"--param {p.name}=…" for p in nq.params)
        print(f"{name} {params}".rstrip())
        print(f"    {nq.description}")
