"""Athena → DuckDB translation: what is rewritten gives Athena's answer, what cannot is refused with
a clear message, and the shipped named queries are well-formed against the schema registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from pexlogs.exceptions import QueryError
from pexlogs.query import (
    QueryResult,
    bind_parameters,
    duckdb_type,
    format_result,
    load_named_queries,
    parse_named_query,
    referenced_tables,
    resolve_query,
    run_local_query,
    translate,
)
from pexlogs.schema import load_registry

EMPTY: dict[str, list[str]] = {}  # no data: every registry table is an empty typed view


def one(sql: str, params: list[object] | None = None) -> tuple[object, ...]:
    result = run_local_query(sql, params or [], tables=EMPTY)
    assert len(result.rows) == 1
    return result.rows[0]


# --------------------------------------------------------------------------- refused


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT syslog_time AT TIME ZONE 'Europe/Oslo' FROM support_ice", "AT TIME ZONE"),
        ("SELECT k, v FROM support_ice CROSS JOIN UNNEST(extra) AS t(k, v)", "UNNEST of a map"),
        ("SELECT k FROM support_ice CROSS JOIN UNNEST(extra) AS t(k)", "UNNEST of a map"),
        (
            "SELECT n, v FROM support_sip_received CROSS JOIN UNNEST(sip_headers) AS h(n, v)",
            "array of rows",
        ),
        ("SELECT x, y FROM UNNEST(ARRAY[1], ARRAY[2]) AS t(x, y)", "several arrays"),
        ("SELECT format('%s-%s', level, module) FROM support_ice", "format()"),
        ("DROP TABLE support_ice", "only SELECT"),
        ("INSERT INTO support_ice SELECT * FROM support_ice", "only SELECT"),
        ("MSCK REPAIR TABLE support_ice", "only SELECT"),
        ("SELECT 1; SELECT 2", "one query at a time"),
        ("SELECT FROM WHERE (", "cannot parse"),
    ],
)
def test_untranslatable_sql_is_refused_with_the_reason(sql: str, message: str) -> None:
    with pytest.raises(QueryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run_local_query(sql, tables=EMPTY)


def test_at_time_zone_would_have_been_silently_wrong() -> None:
    # Why it is refused: DuckDB runs the literal translation and answers another instant.
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    naive = con.execute(
        "SELECT CAST(TIMESTAMP '2026-01-05 09:00:00' AT TIME ZONE 'Europe/Oslo' AS VARCHAR)"
    ).fetchone()
    assert naive is not None and naive[0].startswith("2026-01-05 08:00")  # Athena: 10:00 Oslo


# --------------------------------------------------------------------------- rewritten


def test_date_diff_counts_whole_units_as_in_trino() -> None:
    assert "DATE_SUB" in translate("SELECT date_diff('hour', a, b) FROM t")
    row = one(
        "SELECT date_diff('hour', TIMESTAMP '2026-01-05 09:59:00', TIMESTAMP '2026-01-05 10:01:00'),"
        " date_diff('minute', TIMESTAMP '2026-01-05 09:00:00', TIMESTAMP '2026-01-05 10:30:00'),"
        " date_diff('day', TIMESTAMP '2026-01-06 00:00:00', TIMESTAMP '2026-01-05 12:00:00')"
    )
    assert row == (0, 90, 0)


def test_regexp_extract_without_a_match_is_null() -> None:
    row = one(
        "SELECT regexp_extract('call abc-123', '([a-z]+)-(\\d+)', 2),"
        " regexp_extract('nothing', '([a-z]+)-(\\d+)', 2), regexp_extract('x9', '\\d')"
    )
    assert row == ("123", None, "9")


def test_approx_distinct_is_exact_locally() -> None:
    assert "COUNT(DISTINCT" in translate("SELECT approx_distinct(x) FROM t")
    assert one("SELECT approx_distinct(x) FROM (VALUES 1, 2, 2, NULL) AS t(x)") == (2,)


def test_integer_division_truncates_as_in_trino() -> None:
    assert one("SELECT 7 / 2, -7 / 2, 7.0 / 2, CAST(7 AS double) / 2") == (3, -3, 3.5, 3.5)


def test_catalog_prefix_and_unqualified_names_reach_the_views() -> None:
    assert "awsdatacatalog" not in translate("SELECT * FROM awsdatacatalog.pexip_logs.support_ice")
    for sql in (
        "SELECT count(*) FROM awsdatacatalog.pexip_logs.support_ice",
        "SELECT count(*) FROM pexip_logs.support_ice",
        'SELECT count(*) FROM "pexip_logs"."support_ice"',
        "SELECT count(*) FROM support_ice",
    ):
        assert one(sql) == (0,)


# --------------------------------------------------------------------------- kept as they are


def test_functions_that_translate_faithfully() -> None:
    row = one(
        "SELECT date_trunc('hour', TIMESTAMP '2026-01-05 09:59:59.123'),"
        " from_iso8601_timestamp('2026-01-05T11:00:00+02:00') = TIMESTAMP '2026-01-05 09:00:00',"
        " split_part('meet.alice@example.com', '@', 1), strpos('abc', 'c'),"
        " cardinality(ARRAY['a', 'b']), element_at(MAP(ARRAY['k'], ARRAY['v']), 'k'),"
        " date_format(TIMESTAMP '2026-01-05 09:07:03', '%Y-%m-%d %H:%i'),"
        " regexp_like('sip:bob@example.com', '^sip:'), hour(TIMESTAMP '2026-01-05 09:07:03'),"
        " CAST('5061' AS integer) + 1, try_cast('x' AS integer), concat('a', 'b'),"
        ' json_extract_scalar(\'{"a": {"b": "c"}}\', \'$.a.b\')'
    )
    from datetime import datetime

    assert row == (
        datetime(2026, 1, 5, 9, 0),
        True,
        "meet.alice",
        3,
        2,
        "v",
        "2026-01-05 09:07",
        True,
        9,
        5062,
        None,
        "ab",
        "c",
    )


def test_unnest_of_an_array_still_works() -> None:
    result = run_local_query(
        "SELECT x FROM UNNEST(ARRAY['a', 'b']) AS t(x) ORDER BY x", tables=EMPTY
    )
    assert result.rows == [("a",), ("b",)]


def test_placeholders_bind_in_order() -> None:
    assert one("SELECT ? || '-' || ?, ? + 1", ["a", "b", 41]) == ("a-b", 42)


# --------------------------------------------------------------------------- named queries


def test_every_named_query_is_well_formed_and_runs_on_empty_tables() -> None:
    queries = load_named_queries()
    required = {
        "conferences_per_day",
        "errors_per_hour",
        "call_rest_exchange",
        "call_sip_messages",
        "call_ids_per_hour",
        "conference_participants",
    }
    assert required <= set(queries)
    registry = load_registry()
    for name, named in queries.items():
        first = named.sql.splitlines()[0]
        assert first.startswith(f"-- {name}: "), name
        assert named.description and len(named.description) <= 1024
        # Every table it reads exists (or is one of its CTEs) and it runs on empty views, so
        # every column it names exists in metadata/.
        assert referenced_tables(named.sql) - {
            "params",
            "ids",
            "rest",
            "matched",
            "paired",
            "calls",
            "lines",
        } <= set(registry.tables), name
        sql, values, _ = resolve_query(name, {p.name: "x" for p in named.params})
        assert run_local_query(sql, values, tables=EMPTY).rows == []
        assert "?" not in named.description


def test_union_queries_cover_every_support_table() -> None:
    # A new support table in metadata/ must be added to these queries too.
    registry = load_registry()
    support = {t for t, d in registry.tables.items() if d.family == "support"}
    queries = load_named_queries()
    for name in ("errors_per_hour", "call_ids_per_hour"):
        assert referenced_tables(queries[name].sql) >= support, name


def test_call_queries_take_the_call_id_once() -> None:
    queries = load_named_queries()
    for name in ("call_sip_messages", "call_rest_exchange"):
        assert [p.name for p in queries[name].params] == ["call_id"]
        assert queries[name].sql.count("?") == 1


def test_resolve_query_checks_parameters() -> None:
    with pytest.raises(QueryError, match="needs --param call_id"):
        resolve_query("call_sip_messages", {})
    with pytest.raises(QueryError, match="no parameter day"):
        resolve_query("conferences_per_day", {"day": "1"})
    with pytest.raises(QueryError, match="no named query 'nope'"):
        resolve_query("nope")
    with pytest.raises(QueryError, match="1 '\\?' placeholder"):
        resolve_query("SELECT ? FROM support_ice", [])
    _, values, named = resolve_query("SELECT ? AS a", [("1", "x")])
    assert values == ["x"] and named is None


def test_a_query_file_can_be_given_by_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.sql"
    path.write_text("-- mine: levels\n-- @param n int: how many\nSELECT ? + 1 AS n\n")
    sql, values, named = resolve_query(str(path), {"n": "41"})
    assert values == [41] and named is not None and named.description == "levels"
    assert run_local_query(sql, values, tables=EMPTY).rows == [(42,)]


def test_declared_parameters_must_match_the_placeholders() -> None:
    with pytest.raises(QueryError, match="declares 0 parameter"):
        parse_named_query("x", "-- x: y\nSELECT ?")


def test_athena_parameters_are_sql_literals() -> None:
    assert bind_parameters(["it's", 5, 2.5, True]) == ["'it''s'", "5", "2.5", "true"]


@pytest.mark.parametrize(
    ("hive", "duck"),
    [
        ("string", "VARCHAR"),
        ("bigint", "BIGINT"),
        ("map<string,string>", "MAP(VARCHAR, VARCHAR)"),
        ("array<struct<name:string,value:string>>", 'STRUCT("name" VARCHAR, "value" VARCHAR)[]'),
        ("decimal(10,2)", "DECIMAL(10,2)"),
    ],
)
def test_catalog_types_map_to_duckdb(hive: str, duck: str) -> None:
    assert duckdb_type(hive) == duck


def test_unknown_catalog_type_is_a_query_error() -> None:
    with pytest.raises(QueryError):
        duckdb_type("uniontype<int>")


def test_formats() -> None:
    from datetime import datetime

    result = QueryResult(["a", "t", "m"], [(1, datetime(2026, 1, 5, 9), {"k": "v"})], "duckdb")
    assert format_result(result, "csv") == 'a,t,m\n1,2026-01-05 09:00:00.000,"{""k"": ""v""}"\n'
    assert '"t": "2026-01-05 09:00:00.000"' in format_result(result, "json")
    assert format_result(result, "table").splitlines()[0].split(" | ")[0] == "a"
    with pytest.raises(QueryError):
        format_result(result, "xml")


def test_every_recipe_in_the_cookbook_runs_locally() -> None:
    # GIVEN the SQL blocks of docs/queries.md (the ones without placeholders or elisions)
    import re

    text = (Path(__file__).resolve().parents[2] / "docs" / "queries.md").read_text()
    blocks = [
        b for b in re.findall(r"```sql\n(.*?)```", text, re.S) if "?" not in b and "..." not in b
    ]
    assert len(blocks) >= 10
    # THEN each translates and runs on the (empty) typed views: tables and columns exist
    for sql in blocks:
        assert run_local_query(sql, tables=EMPTY).columns, sql


def test_show_and_describe_are_answered_from_the_registry(tmp_path: Path) -> None:
    registry = load_registry()
    tables = run_local_query("SHOW TABLES", tables=EMPTY)
    assert tables.columns == ["tab_name"] and {r[0] for r in tables.rows} == set(registry.tables)
    some = run_local_query("SHOW TABLES IN pexip_logs 'support_sip*|web_access'", tables=EMPTY)
    assert [r[0] for r in some.rows] == [
        "support_sip_other",
        "support_sip_received",
        "support_sip_sending",
        "web_access",
    ]
    described = run_local_query("DESCRIBE pexip_logs.support_ice", tables=EMPTY)
    assert [r[0] for r in described.rows] == [
        *registry.table("support_ice").column_names,
        "dt",
        "hour",
    ]
    # SHOW PARTITIONS lists the partition folders that hold Parquet files.
    part = tmp_path / "web_access" / "dt=2026-01-05" / "hour=09"
    part.mkdir(parents=True)
    (part / "part-0.parquet").write_bytes(b"")
    shown = run_local_query("SHOW PARTITIONS web_access", tables={"web_access": [str(part)]})
    assert shown.rows == [("dt=2026-01-05/hour=09",)]
    with pytest.raises(QueryError, match="no table 'nope'"):
        run_local_query("DESCRIBE nope", tables=EMPTY)
