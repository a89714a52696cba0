"""Athena SQL over the pexlogs tables: the shipped named queries, ad-hoc SQL, locally or on Athena.

Locally, DuckDB answers over the Parquet tables of the warehouse: every table of ``metadata/``
becomes a view ``pexip_logs.<table>`` with exactly the catalog's columns and types (a column the
files lack, or a table with no data yet, reads as typed NULLs/no rows), the partition columns
``dt`` and ``hour`` stay strings, and timestamps are UTC wall-clock ``TIMESTAMP`` as in Athena.
The SQL is Athena's (Trino) dialect, transpiled by sqlglot; what would not give Athena's answer is
refused with a :class:`~pexlogs.exceptions.QueryError` rather than answered wrongly (see
:func:`translate`).

Named queries are ``metadata/queries/<name>.sql``; their header comment is the description and
declares the parameters, bound to the ``?`` placeholders in order (Athena's execution parameters,
DuckDB's prepared-statement parameters)::

    -- call_sip_messages: every SIP message of one call, ...
    -- @param call_id string: the SIP Call-ID
    WITH params AS (SELECT CAST(? AS varchar) AS call_id) SELECT ...

Each parameter appears once (in a ``params`` CTE), so the Athena console asks for it once.

Used by ``pexlogs query`` and by the local runner::

    tables = local_table_sources(home)          # <home>/catalog.json, else the warehouse folders
    tables = table_sources_from_glue(glue)      # or a live (moto) Glue catalog's partitions
    result = run_local_query(sql, params, tables=tables)

SHOW TABLES / DESCRIBE / SHOW PARTITIONS are answered from the registry and the table sources.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pexlogs._paths import metadata_dir
from pexlogs.exceptions import QueryError
from pexlogs.schema import PARTITION_KEYS, Registry, TableDef, load_registry

if TYPE_CHECKING:  # pragma: no cover
    import duckdb
    import sqlglot.expressions as exp

__all__ = [
    "DEFAULT_DATABASE",
    "DEFAULT_WORKGROUP",
    "NamedQuery",
    "QueryParam",
    "QueryResult",
    "bind_parameters",
    "cell_text",
    "connect_local",
    "count_placeholders",
    "default_home",
    "duckdb_type",
    "format_result",
    "load_named_queries",
    "local_table_sources",
    "parse_named_query",
    "referenced_tables",
    "resolve_query",
    "run_athena_query",
    "run_local_query",
    "table_sources_from_glue",
    "translate",
]

DEFAULT_DATABASE = "pexip_logs"
DEFAULT_WORKGROUP = "pexlogs"  # the CDK stack's workgroup (the stack name, lower case)
_PARAM_LINE = re.compile(r"^--\s*@param\s+(\w+)\s+(\w+)\s*:?\s*(.*)$")
_NAME_LINE = re.compile(r"^--\s*(\w+)\s*:\s*(.*)$")


# --------------------------------------------------------------------------- named queries


@dataclass(frozen=True)
class QueryParam:
    """A declared parameter of a named query: ``-- @param <name> <type>: <description>``."""

    name: str
    type: str
    description: str = ""


@dataclass(frozen=True)
class NamedQuery:
    """A shipped query (``metadata/queries/<name>.sql``)."""

    name: str
    description: str
    params: tuple[QueryParam, ...]
    sql: str
    path: Path | None = None


def parse_named_query(name: str, text: str, path: Path | None = None) -> NamedQuery:
    """Read a query file: its leading ``--`` lines describe it and declare its parameters."""
    description: list[str] = []
    params: list[QueryParam] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line.startswith("--"):
            break
        pm = _PARAM_LINE.match(line)
        if pm:
            params.append(QueryParam(pm.group(1), pm.group(2).lower(), pm.group(3).strip()))
            continue
        body = line.lstrip("-").strip()
        nm = _NAME_LINE.match(line)
        if not description and nm and nm.group(1) == name:
            body = nm.group(2)
        if body:
            description.append(body)
    placeholders = count_placeholders(text)
    if placeholders != len(params):
        raise QueryError(
            f"query {name!r} declares {len(params)} parameter(s) but has {placeholders} '?'"
        )
    return NamedQuery(name, " ".join(description), tuple(params), text, path)


def load_named_queries(folder: Path | None = None) -> dict[str, NamedQuery]:
    """Every ``<folder>/*.sql`` (default ``metadata/queries``) by name, sorted."""
    folder = folder or (metadata_dir() / "queries")
    return {
        p.stem: parse_named_query(p.stem, p.read_text(encoding="utf-8"), p)
        for p in sorted(folder.glob("*.sql"))
    }


def count_placeholders(sql: str) -> int:
    """The number of ``?`` placeholders (outside strings, quoted names and comments)."""
    import sqlglot.expressions as exp

    return sum(len(list(s.find_all(exp.Placeholder))) for s in _parse(sql))


def referenced_tables(sql: str) -> set[str]:
    """The (unqualified, lower-case) names of the tables a query reads (CTE names included)."""
    import sqlglot.expressions as exp

    return {t.name.lower() for s in _parse(sql) for t in s.find_all(exp.Table) if t.name}


def _parse(sql: str) -> list[Any]:
    """sqlglot's Athena parse, with its 'falling back to Command' warnings kept quiet (we refuse
    those statements with our own message)."""
    import logging

    import sqlglot

    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        return [s for s in sqlglot.parse(sql, read="athena") if s is not None]
    except sqlglot.errors.ParseError as error:
        raise QueryError(f"cannot parse the SQL: {_first_line(error)}") from None
    finally:
        logger.setLevel(level)


def resolve_query(
    text: str,
    params: Mapping[str, str] | Sequence[tuple[str, str]] = (),
    *,
    queries: Mapping[str, NamedQuery] | None = None,
) -> tuple[str, list[Any], NamedQuery | None]:
    """``NAME``, a ``.sql`` file or SQL text → (SQL, positional parameter values, named query).

    A named query takes its declared parameters by name (all required, none unknown); the values
    are converted to the declared type. Ad-hoc SQL binds the given values to its ``?`` in order.
    """
    queries = load_named_queries() if queries is None else queries
    pairs = list(params.items()) if isinstance(params, Mapping) else list(params)
    named: NamedQuery | None = queries.get(text.strip())
    if named is None and text.strip().endswith(".sql") and Path(text.strip()).is_file():
        path = Path(text.strip())
        named = parse_named_query(path.stem, path.read_text(encoding="utf-8"), path)
    if named is not None:
        given = dict(pairs)
        unknown = sorted(set(given) - {p.name for p in named.params})
        if unknown:
            raise QueryError(
                f"query {named.name!r} has no parameter {', '.join(unknown)}"
                f" (it takes: {_param_list(named)})"
            )
        missing = [p.name for p in named.params if p.name not in given]
        if missing:
            raise QueryError(
                f"query {named.name!r} needs --param {missing[0]}=VALUE"
                f" (it takes: {_param_list(named)})"
            )
        values = [_convert(given[p.name], p) for p in named.params]
        return named.sql, values, named
    if not re.search(r"\s", text.strip()):
        known = ", ".join(queries) or "none"
        raise QueryError(f"no named query {text.strip()!r} (known: {known}); or give SQL text")
    placeholders = count_placeholders(text)
    if placeholders != len(pairs):
        raise QueryError(
            f"the SQL has {placeholders} '?' placeholder(s) but {len(pairs)} --param value(s)"
        )
    return text, [v for _, v in pairs], None


def _param_list(named: NamedQuery) -> str:
    return ", ".join(f"{p.name} ({p.type})" for p in named.params) or "no parameters"


def _convert(value: str, param: QueryParam) -> Any:
    try:
        if param.type in ("int", "integer", "bigint", "smallint", "tinyint"):
            return int(value)
        if param.type in ("double", "float", "real"):
            return float(value)
    except ValueError:
        raise QueryError(f"parameter {param.name} must be {param.type}, not {value!r}") from None
    return value


def bind_parameters(values: Sequence[Any]) -> list[str]:
    """Athena ``ExecutionParameters``: each value as a SQL literal (strings quoted)."""
    out = []
    for v in values:
        if isinstance(v, bool):
            out.append("true" if v else "false")
        elif isinstance(v, int | float):
            out.append(repr(v))
        else:
            out.append("'" + str(v).replace("'", "''") + "'")
    return out


# --------------------------------------------------------------------------- translation


def translate(sql: str, *, map_columns: frozenset[str] = frozenset()) -> str:
    """Transpile one Athena (Trino) query to DuckDB, or refuse with a :class:`QueryError`.

    Rewritten, because sqlglot's literal translation gives another answer:

    - ``date_diff(unit, a, b)`` → DuckDB ``date_sub``: Trino counts whole units elapsed,
      DuckDB's ``date_diff`` counts unit boundaries crossed (09:59 → 10:01 is 0 hours, not 1);
    - ``regexp_extract`` with no match → NULL as in Trino (DuckDB returns ``''``);
    - ``approx_distinct(x)`` → ``count(DISTINCT x)``: exact locally (Athena's estimate has a
      2.3 % standard error, so small counts agree and large ones differ slightly);
    - ``cardinality(<map column>)`` → DuckDB ``cardinality`` (sqlglot writes ``array_length``);
    - ``awsdatacatalog.<db>.<table>`` → ``<db>.<table>``.

    Integer ``/`` truncates as in Trino because the connection runs with DuckDB's
    ``integer_division`` setting (see :func:`connect_local`).

    Refused: ``AT TIME ZONE`` (DuckDB reads a zone-less timestamp as local time in that zone,
    Trino as UTC: a silently different instant); ``UNNEST`` of a map, or with more column aliases
    than arguments (Trino expands map entries and row fields, DuckDB cannot); ``format()``
    (Java-style ``%s`` in Trino, ``{}`` in DuckDB); anything but one read-only query.
    ``map_columns`` names the map-typed columns (from the registry) for the UNNEST check.
    """
    import sqlglot
    import sqlglot.expressions as exp

    statements = _parse(sql)
    if len(statements) != 1:
        raise QueryError(f"give one query at a time (found {len(statements)} statements)")
    tree = statements[0]
    if not isinstance(tree, exp.Query):
        words = sql.split()
        kind = words[0].upper() if words else "an empty statement"
        raise QueryError(
            f"only SELECT queries run locally ({kind} does not); "
            "the tables are read-only views of the warehouse"
        )
    _refuse_untranslatable(tree, map_columns)
    tree = tree.transform(lambda node: _rewrite(node, map_columns))
    try:
        return tree.sql(dialect="duckdb")
    except sqlglot.errors.UnsupportedError as error:  # pragma: no cover - sqlglot warns by default
        raise QueryError(f"cannot translate to DuckDB: {_first_line(error)}") from None


def _refuse_untranslatable(tree: Any, map_columns: frozenset[str]) -> None:
    import sqlglot.expressions as exp

    for node in tree.walk():
        if isinstance(node, exp.AtTimeZone):
            raise QueryError(
                "AT TIME ZONE cannot be run locally faithfully (DuckDB reads the timestamp as "
                "local time in that zone, Athena as UTC, so the answer would be silently "
                "different); timestamps are UTC: convert times in your client, or use --aws"
            )
        if isinstance(node, exp.Format):
            raise QueryError(
                "format() cannot be run locally faithfully (Java %s patterns in Athena, {} in "
                "DuckDB); build the string with || or concat()"
            )
        if isinstance(node, exp.Unnest):
            alias = node.args.get("alias")
            columns = len(alias.columns) if isinstance(alias, exp.TableAlias) else 0
            args = node.expressions
            if columns > len(args) or any(
                isinstance(a, exp.Column) and a.name.lower() in map_columns for a in args
            ):
                raise QueryError(
                    "UNNEST of a map (or of an array of rows into several columns) has no "
                    "faithful DuckDB translation; use map_keys(m)/element_at(m, key), or "
                    "UNNEST(map_keys(m)) AS t(k) with element_at(m, k), or --aws"
                )
            if len(args) > 1:
                raise QueryError(
                    "UNNEST of several arrays at once (zipped) has no faithful DuckDB "
                    "translation here; unnest one array per UNNEST, or use --aws"
                )


def _rewrite(node: exp.Expression, map_columns: frozenset[str]) -> exp.Expression:
    import sqlglot.expressions as exp

    if isinstance(node, exp.ArraySize):
        arg = node.this
        if isinstance(arg, exp.Column) and arg.name.lower() in map_columns:
            # cardinality(map): sqlglot writes ARRAY_LENGTH, which DuckDB rejects for a map.
            return exp.Anonymous(this="CARDINALITY", expressions=[arg.copy()])
        return node

    if isinstance(node, exp.DateDiff):
        unit = node.args.get("unit")
        unit_name = (unit.name if unit is not None else "day").lower()
        # Trino date_diff(unit, a, b) is parsed as DateDiff(this=b, expression=a).
        return exp.Anonymous(
            this="DATE_SUB",
            expressions=[exp.Literal.string(unit_name), node.expression, node.this],
        )
    if isinstance(node, exp.RegexpExtract):
        if node.args.get("_pexlogs_guarded"):
            return node
        plain = node.copy()
        plain.set("_pexlogs_guarded", True)
        matches = exp.RegexpLike(this=node.this.copy(), expression=node.expression.copy())
        return exp.Case(ifs=[exp.If(this=matches, true=plain)])
    if isinstance(node, exp.ApproxDistinct):
        return exp.Count(this=exp.Distinct(expressions=[node.this.copy()]))
    if isinstance(node, exp.Table):
        catalog = node.args.get("catalog")
        if catalog is not None and catalog.name.lower() == "awsdatacatalog":
            node = node.copy()
            node.set("catalog", None)
        return node
    return node


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


# --------------------------------------------------------------------------- local engine


def default_home() -> Path:
    """``$PEXLOGS_HOME``, else ``./.pexlogs`` (where ``pexlogs run`` keeps its state)."""
    return Path(os.environ.get("PEXLOGS_HOME") or ".pexlogs")


def local_table_sources(home: Path, registry: Registry | None = None) -> dict[str, list[str]]:
    """Where each table's data is under ``home``: ``{table: [partition folders]}``.

    From ``<home>/catalog.json`` (the local Glue catalog the runner saves: only registered
    partitions are visible, as in Athena) when it exists; else every partition folder under
    ``<home>/warehouse/curated/<family>/<table>/``. Every registry table is listed (maybe empty).
    """
    registry = registry or load_registry()
    sources: dict[str, list[str]] = {name: [] for name in registry.tables}
    snapshot = home / "catalog.json"
    if snapshot.is_file():
        data = json.loads(snapshot.read_text(encoding="utf-8"))
        for name, table in data.get("tables", {}).items():
            sources[name] = [_local_path(p["location"]) for p in table.get("partitions", [])]
        return sources
    curated = home / "warehouse" / "curated"
    for name, table in registry.tables.items():
        root = curated / table.relative_path
        if root.is_dir():
            sources[name] = sorted(str(p) for p in root.glob("dt=*/hour=*") if p.is_dir())
    return sources


def table_sources_from_glue(
    glue_client: Any, database: str = DEFAULT_DATABASE
) -> dict[str, list[str]]:
    """``{table: [partition locations]}`` from a Glue catalog (e.g. the local runner's moto one).

    Only registered partitions are listed, as Athena would read them; pass the result as
    ``tables`` to :func:`run_local_query` (locations must be local ``file://`` paths).
    """
    sources: dict[str, list[str]] = {}
    for page in glue_client.get_paginator("get_tables").paginate(DatabaseName=database):
        for table in page["TableList"]:
            name = table["Name"]
            locations: list[str] = []
            for ppage in glue_client.get_paginator("get_partitions").paginate(
                DatabaseName=database, TableName=name
            ):
                locations += [
                    p["StorageDescriptor"]["Location"]
                    for p in ppage["Partitions"]
                    if p.get("StorageDescriptor", {}).get("Location")
                ]
            sources[name] = sorted(locations)
    return sources


def _local_path(location: str) -> str:
    if location.startswith("file:"):
        from urllib.parse import unquote, urlparse

        return unquote(urlparse(location).path)
    if "://" in location:
        raise QueryError(
            f"table data at {location} is not local; run the query on Athena with --aws"
        )
    return location


def duckdb_type(hive_type: str) -> str:
    """A Glue/Hive type string as a DuckDB type (``array<struct<a:int>>`` → ``STRUCT("a" INTEGER)[]``)."""
    text = hive_type.replace(" ", "").lower()
    result, pos = _duck(text, 0)
    if pos != len(text):
        raise QueryError(f"unsupported column type {hive_type!r}")
    return result


_DUCK_PRIMITIVES = {
    "string": "VARCHAR",
    "varchar": "VARCHAR",
    "char": "VARCHAR",
    "int": "INTEGER",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "smallint": "SMALLINT",
    "tinyint": "TINYINT",
    "boolean": "BOOLEAN",
    "double": "DOUBLE",
    "float": "FLOAT",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "binary": "BLOB",
}


def _duck(s: str, pos: int) -> tuple[str, int]:
    m = re.compile(r"[a-z]+").match(s, pos)
    if not m:
        raise QueryError(f"unsupported column type {s!r}")
    word, pos = m.group(0), m.end()
    if word in _DUCK_PRIMITIVES:
        return _DUCK_PRIMITIVES[word], pos
    if word == "decimal":
        dm = re.compile(r"\((\d+),(\d+)\)").match(s, pos)
        if dm:
            return f"DECIMAL({dm.group(1)},{dm.group(2)})", dm.end()
        return "DECIMAL(10,0)", pos
    if word == "array" and s.startswith("<", pos):
        inner, pos = _duck(s, pos + 1)
        return f"{inner}[]", _expect(s, pos, ">")
    if word == "map" and s.startswith("<", pos):
        key, pos = _duck(s, pos + 1)
        pos = _expect(s, pos, ",")
        value, pos = _duck(s, pos)
        return f"MAP({key}, {value})", _expect(s, pos, ">")
    if word == "struct" and s.startswith("<", pos):
        pos += 1
        fields = []
        while True:
            fm = re.compile(r"[A-Za-z_][A-Za-z0-9_]*").match(s, pos)
            if not fm:
                raise QueryError(f"unsupported column type {s!r}")
            pos = _expect(s, fm.end(), ":")
            ftype, pos = _duck(s, pos)
            fields.append(f'"{fm.group(0)}" {ftype}')
            if s.startswith(",", pos):
                pos += 1
                continue
            return f"STRUCT({', '.join(fields)})", _expect(s, pos, ">")
    raise QueryError(f"unsupported column type {s!r}")


def _expect(s: str, pos: int, char: str) -> int:
    if not s.startswith(char, pos):
        raise QueryError(f"unsupported column type {s!r}")
    return pos + 1


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def connect_local(
    tables: Mapping[str, str | Sequence[str]],
    *,
    registry: Registry | None = None,
    database: str = DEFAULT_DATABASE,
    only: Collection[str] | None = None,
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one view per table in schema ``database`` (and on the search path).

    ``tables`` maps a table name to its location: a folder (every ``*.parquet`` below it, Hive
    ``dt=…/hour=…`` folders) or a list of partition folders (the catalog's partitions). Every
    registry table gets a view with exactly its catalog columns and types, plus ``dt`` and
    ``hour`` as strings, even with no files yet (no rows). Tables only in ``tables`` (a table
    ``metadata/`` no longer knows) get the columns their files have. ``only`` limits the views
    to those tables (a query's tables: creating all ~100 views costs about a second).
    """
    import duckdb

    registry = registry or load_registry()
    con = duckdb.connect(":memory:")
    # Athena semantics: UTC session, integer division truncates.
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET integer_division = true")
    con.execute(f"CREATE SCHEMA {_quote(database)}")
    con.execute(f"SET search_path = {_sql_string(database + ',main')}")
    names = list(registry.tables) + [n for n in tables if n not in registry.tables]
    if only is not None:
        wanted = {n.lower() for n in only}
        names = [n for n in names if n in wanted]
    for name in names:
        files = _parquet_files(tables.get(name, ()))
        table = registry.tables.get(name)
        view = f"{_quote(database)}.{_quote(name)}"
        con.execute(f"CREATE VIEW {view} AS {_view_sql(con, table, files)}")
    return con


def _parquet_files(location: str | Sequence[str]) -> list[str]:
    folders = [location] if isinstance(location, str) else list(location)
    files: list[str] = []
    for folder in folders:
        path = Path(_local_path(folder))
        if path.is_file() and path.suffix == ".parquet":
            files.append(str(path))
        elif path.is_dir():
            files.extend(str(p) for p in sorted(path.rglob("*.parquet")) if p.is_file())
    return files


def _view_sql(con: duckdb.DuckDBPyConnection, table: TableDef | None, files: list[str]) -> str:
    partition_names = [n for n, _ in PARTITION_KEYS]
    if not files:
        if table is None:
            return "SELECT NULL AS dt WHERE false"
        cols = [f"CAST(NULL AS {duckdb_type(c.type)}) AS {_quote(c.name)}" for c in table.columns]
        cols += [f"CAST(NULL AS VARCHAR) AS {_quote(n)}" for n in partition_names]
        return f"SELECT {', '.join(cols)} WHERE false"
    hive_types = ", ".join(f"'{n}': 'VARCHAR'" for n in partition_names)
    source = (
        f"read_parquet([{', '.join(_sql_string(f) for f in files)}], hive_partitioning = true, "
        f"hive_types = {{{hive_types}}}, union_by_name = true)"
    )
    present = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    if table is None:
        return f"SELECT * FROM {source}"
    cols = []
    for c in table.columns:
        dtype = duckdb_type(c.type)
        if c.name in present:
            cols.append(f"CAST({_quote(c.name)} AS {dtype}) AS {_quote(c.name)}")
        else:
            cols.append(f"CAST(NULL AS {dtype}) AS {_quote(c.name)}")
    for n in partition_names:
        expr = f"CAST({_quote(n)} AS VARCHAR)" if n in present else "CAST(NULL AS VARCHAR)"
        cols.append(f"{expr} AS {_quote(n)}")
    return f"SELECT {', '.join(cols)} FROM {source}"


@dataclass
class QueryResult:
    """Rows of a query, with the column names and what answered it."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    engine: str
    sql: str = ""
    stats: dict[str, Any] = field(default_factory=dict)


def run_local_query(
    sql: str,
    params: Sequence[Any] = (),
    *,
    tables: Mapping[str, str | Sequence[str]] | None = None,
    home: Path | None = None,
    registry: Registry | None = None,
    database: str = DEFAULT_DATABASE,
) -> QueryResult:
    """Run Athena SQL locally with DuckDB; ``params`` bind the ``?`` placeholders in order.

    The tables come from ``tables`` ({table: location or partition folders}, e.g. from the
    Glue catalog), else from ``home`` (:func:`local_table_sources`, default
    :func:`default_home`). Raises :class:`QueryError` for SQL that cannot run faithfully or fails.
    """
    import duckdb

    registry = registry or load_registry()
    if tables is None:
        tables = local_table_sources(home or default_home(), registry)
    answered = _metadata_statement(sql, tables, registry)
    if answered is not None:
        return answered
    map_columns = frozenset(
        c.name for t in registry.tables.values() for c in t.columns if c.type.startswith("map<")
    )
    translated = translate(sql, map_columns=map_columns)
    con = connect_local(tables, registry=registry, database=database, only=referenced_tables(sql))
    try:
        cursor = con.execute(translated, list(params))
        columns = [d[0] for d in cursor.description or []]
        rows = [tuple(r) for r in cursor.fetchall()]
    except duckdb.Error as error:
        raise QueryError(f"the query failed locally: {_first_line(error)}") from None
    finally:
        con.close()
    return QueryResult(columns, rows, "duckdb", translated)


_SHOW_TABLES = re.compile(
    r"^\s*SHOW\s+TABLES(?:\s+(?:IN|FROM)\s+[`\"]?(\w+)[`\"]?)?(?:\s+(?:LIKE\s+)?'([^']*)')?\s*;?\s*$",
    re.IGNORECASE,
)
_DESCRIBE = re.compile(
    r"^\s*(?:DESCRIBE|DESC|SHOW\s+COLUMNS\s+(?:IN|FROM))\s+(?:[`\"]?\w+[`\"]?\.)?[`\"]?(\w+)[`\"]?\s*;?\s*$",
    re.IGNORECASE,
)
_SHOW_PARTITIONS = re.compile(
    r"^\s*SHOW\s+PARTITIONS\s+(?:[`\"]?\w+[`\"]?\.)?[`\"]?(\w+)[`\"]?\s*;?\s*$", re.IGNORECASE
)


def _metadata_statement(
    sql: str, tables: Mapping[str, str | Sequence[str]], registry: Registry
) -> QueryResult | None:
    """Athena's SHOW TABLES / DESCRIBE / SHOW COLUMNS / SHOW PARTITIONS, answered from the
    registry and the table sources (None for anything else)."""
    names = sorted(set(registry.tables) | set(tables))
    m = _SHOW_TABLES.match(sql)
    if m:
        # Athena's LIKE here is a regular expression where * is any text and | separates choices.
        pattern = m.group(2)
        if pattern:
            regex = re.compile(
                "|".join(re.escape(p).replace(r"\*", ".*") for p in pattern.split("|")),
                re.IGNORECASE,
            )
            names = [n for n in names if regex.fullmatch(n)]
        return QueryResult(["tab_name"], [(n,) for n in names], "catalog", sql)
    m = _DESCRIBE.match(sql) or _SHOW_PARTITIONS.match(sql)
    if not m:
        return None
    name = m.group(1).lower()
    if name not in names:
        raise QueryError(f"no table {name!r} (try SHOW TABLES)")
    if _SHOW_PARTITIONS.match(sql):
        parts = sorted(
            {
                "/".join(seg for seg in Path(f).parent.parts if seg.startswith(("dt=", "hour=")))
                for f in _parquet_files(tables.get(name, ()))
            }
        )
        return QueryResult(["partition"], [(p,) for p in parts if p], "catalog", sql)
    table = registry.tables.get(name)
    if table is None:
        raise QueryError(f"table {name!r} is not in metadata/; its columns are unknown")
    rows = [(c.name, c.type, c.comment) for c in table.columns]
    rows += [(c.name, c.type, "partition key") for c in table.partition_keys]
    return QueryResult(["col_name", "data_type", "comment"], rows, "catalog", sql)


# --------------------------------------------------------------------------- Athena


def run_athena_query(
    sql: str,
    params: Sequence[Any] = (),
    *,
    client: Any,
    workgroup: str = DEFAULT_WORKGROUP,
    database: str = DEFAULT_DATABASE,
    output_location: str | None = None,
    poll_seconds: float = 1.0,
    timeout_seconds: float = 900.0,
) -> QueryResult:
    """Run the SQL on Athena (``client``: a boto3 Athena client) in ``workgroup`` and wait.

    ``params`` become ``ExecutionParameters`` (SQL literals). Raises :class:`QueryError` if the
    query fails, is cancelled or does not finish within ``timeout_seconds``.
    """
    request: dict[str, Any] = {
        "QueryString": sql,
        "QueryExecutionContext": {"Database": database},
        "WorkGroup": workgroup,
    }
    if params:
        request["ExecutionParameters"] = bind_parameters(params)
    if output_location:
        request["ResultConfiguration"] = {"OutputLocation": output_location}
    try:
        qid = client.start_query_execution(**request)["QueryExecutionId"]
    except Exception as error:  # botocore ClientError and friends: one clear line
        raise QueryError(f"Athena refused the query: {_first_line(error)}") from None
    deadline = time.monotonic() + timeout_seconds
    while True:
        execution = client.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
        status = execution["Status"]
        state = status["State"]
        if state == "SUCCEEDED":
            break
        if state in ("FAILED", "CANCELLED"):
            reason = status.get("StateChangeReason", "no reason given")
            raise QueryError(f"Athena query {qid} {state.lower()}: {reason}")
        if time.monotonic() > deadline:
            client.stop_query_execution(QueryExecutionId=qid)
            raise QueryError(f"Athena query {qid} did not finish in {timeout_seconds:.0f}s")
        time.sleep(poll_seconds)
    columns: list[str] = []
    types: list[str] = []
    rows: list[tuple[Any, ...]] = []
    first = True
    for page in client.get_paginator("get_query_results").paginate(QueryExecutionId=qid):
        result_set = page["ResultSet"]
        if not columns:
            info = result_set.get("ResultSetMetadata", {}).get("ColumnInfo", [])
            columns = [c["Name"] for c in info]
            types = [c.get("Type", "varchar") for c in info]
        data = result_set.get("Rows", [])
        for i, row in enumerate(data):
            values = [d.get("VarCharValue") for d in row.get("Data", [])]
            # A SELECT's first row repeats the column names.
            if first and i == 0 and columns and values == columns:
                continue
            rows.append(tuple(_athena_value(v, t) for v, t in zip(values, types, strict=False)))
        first = False
    if not columns and rows:
        columns = [f"_col{i}" for i in range(len(rows[0]))]
    stats = execution.get("Statistics", {})
    return QueryResult(columns, rows, "athena", sql, {"query_execution_id": qid, **stats})


def _athena_value(value: str | None, athena_type: str) -> Any:
    if value is None:
        return None
    try:
        if athena_type in ("integer", "bigint", "smallint", "tinyint"):
            return int(value)
        if athena_type in ("double", "float", "real"):
            return float(value)
        if athena_type == "boolean":
            return value == "true"
    except ValueError:
        return value
    return value


# --------------------------------------------------------------------------- output


def cell_text(value: Any) -> str:
    """A value as text for csv and table cells (times ``YYYY-MM-DD HH:MM:SS.mmm``)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="milliseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list | tuple):
        return json.dumps(_jsonable(value), ensure_ascii=False)
    return str(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="milliseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    return value


def format_result(result: QueryResult, fmt: str, *, max_width: int = 120) -> str:
    """The result as ``csv`` (RFC 4180, header row), ``json`` (a list of objects) or ``table``
    (plain text; the CLI prints a rich table instead). Table cells are cut at ``max_width``."""
    if fmt == "json":
        records = [
            {c: _jsonable(v) for c, v in zip(result.columns, row, strict=False)}
            for row in result.rows
        ]
        return json.dumps(records, ensure_ascii=False, indent=1)
    if fmt == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(result.columns)
        for row in result.rows:
            writer.writerow([cell_text(v) for v in row])
        return buffer.getvalue()
    if fmt == "table":
        cells = [[_cut(cell_text(v), max_width) for v in row] for row in result.rows]
        widths = [len(c) for c in result.columns]
        for cell_row in cells:
            widths = [max(w, len(v)) for w, v in zip(widths, cell_row, strict=False)]
        lines = [" | ".join(c.ljust(w) for c, w in zip(result.columns, widths, strict=False))]
        lines.append("-+-".join("-" * w for w in widths))
        lines += [" | ".join(v.ljust(w) for v, w in zip(r, widths, strict=False)) for r in cells]
        return "\n".join(lines)
    raise QueryError(f"unknown format {fmt!r}: expected table, csv or json")


def _cut(text: str, width: int) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"
