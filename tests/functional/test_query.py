"""`pexlogs query` over real Parquet: generated logs → the shared parser → Parquet partitions
(written with pyarrow in the curated layout, as the Glue job would) → the named queries, checked
against the generator's manifest."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pexlogs import parse_line
from pexlogs.cli import main
from pexlogs.exceptions import QueryError
from pexlogs.generate import GenerationStats, generate_lines
from pexlogs.query import (
    load_named_queries,
    local_table_sources,
    resolve_query,
    run_athena_query,
    run_local_query,
)
from pexlogs.schema import Registry, load_registry

START = datetime(2026, 1, 5, 22, tzinfo=UTC)  # 3 hours over midnight: two dt values


def _arrow_type(hive: str) -> pa.DataType:
    """The pyarrow type Spark writes for a Glue/Hive type (timestamps UTC-adjusted)."""
    simple = {
        "string": pa.string(),
        "int": pa.int32(),
        "bigint": pa.int64(),
        "boolean": pa.bool_(),
        "double": pa.float64(),
        "timestamp": pa.timestamp("us", tz="UTC"),
    }
    if hive in simple:
        return simple[hive]
    if hive.startswith("array<") and hive.endswith(">"):
        return pa.list_(_arrow_type(hive[6:-1]))
    if hive == "map<string,string>":
        return pa.map_(pa.string(), pa.string())
    if hive.startswith("struct<") and hive.endswith(">"):
        fields = []
        for part in hive[7:-1].split(","):
            name, _, typ = part.partition(":")
            fields.append(pa.field(name, _arrow_type(typ)))
        return pa.struct(fields)
    raise AssertionError(f"no arrow type for {hive}")


def _arrow_value(value: Any, hive: str) -> Any:
    if value is None:
        return None
    if hive.startswith("map<"):
        return list(value.items())
    return value


def write_warehouse(curated: Path, lines: list[Any], registry: Registry) -> Counter[str]:
    """Parse the lines and write each table's rows as dt=/hour= Parquet partitions."""
    rows: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    counts: Counter[str] = Counter()
    for item in lines:
        record = parse_line(item.line, item.family)
        table = record.pop("table")
        dt, hour = item.event_time.strftime("%Y-%m-%d"), item.event_time.strftime("%H")
        rows[(table, dt, hour)].append(record)
        counts[table] += 1
    for (table, dt, hour), records in rows.items():
        tdef = registry.table(table)
        schema = pa.schema([pa.field(c.name, _arrow_type(c.type)) for c in tdef.columns])
        columns = {
            c.name: [_arrow_value(r.get(c.name), c.type) for r in records] for c in tdef.columns
        }
        folder = curated / tdef.relative_path / f"dt={dt}" / f"hour={hour}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table(columns, schema=schema), folder / "part-00000.snappy.parquet")
    return counts


@pytest.fixture(scope="module")
def warehouse(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, GenerationStats, Counter[str]]:
    # GIVEN three hours of generated logs, parsed and written as the job would write them
    home = tmp_path_factory.mktemp("home")
    stats = GenerationStats()
    lines = list(generate_lines(START, 3, seed=42, lines_per_hour=1500, stats=stats))
    counts = write_warehouse(home / "warehouse" / "curated", lines, load_registry())
    return home, stats, counts


def _named(name: str, home: Path, **params: str) -> list[dict[str, Any]]:
    sql, values, _ = resolve_query(name, params)
    result = run_local_query(sql, values, home=home)
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def test_conferences_per_day_match_the_generated_conferences(warehouse: Any) -> None:
    home, stats, _ = warehouse
    # WHEN the named query runs locally
    rows = _named("conferences_per_day", home)
    # THEN it finds every generated conference instance and call, per day (two days here)
    assert [r["dt"] for r in rows] == ["2026-01-05", "2026-01-06"]
    assert {r["dt"]: r["conferences"] for r in rows} == stats.conferences_per_day()
    assert {r["dt"]: r["calls"] for r in rows} == {
        d: len(ids) for d, ids in stats.conference_call_days.items()
    }
    assert all(isinstance(r["dt"], str) for r in rows)


def test_call_ids_per_hour_count_every_line_of_each_call(warehouse: Any) -> None:
    home, stats, _ = warehouse
    rows = _named("call_ids_per_hour", home)
    got = {(r["dt"], r["hour"], r["call_id"]): r["messages"] for r in rows}
    expected = {}
    for call_id, info in stats.calls.items():
        for hour_key, n in info.hours.items():
            expected[(hour_key[:10], hour_key[11:13], call_id)] = n
    assert expected  # the generator made calls
    # Every conference call's lines per hour, exactly; other call ids (REGISTER, OPTIONS) too.
    assert {k: got.get(k) for k in expected} == expected
    assert {r["hour"] for r in rows} == {"22", "23", "00"}


def test_call_sip_messages_returns_the_sip_dialog_of_one_call(warehouse: Any) -> None:
    home, stats, _ = warehouse
    call_id, info = next(
        (k, v) for k, v in stats.calls.items() if v.protocol == "SIP" and v.messages["sip"] >= 6
    )
    rows = _named("call_sip_messages", home, call_id=call_id)
    assert len(rows) == info.messages["sip"]
    assert {r["call_id"] for r in rows} == {call_id}
    assert rows[0]["sip_method"] == "INVITE" and rows[0]["sip_start_line"].startswith("INVITE")
    times = [r["syslog_time"] for r in rows]
    assert times == sorted(times)
    assert {r["direction"] for r in rows} == {"received", "sending"}


def test_call_rest_exchange_finds_the_whole_webrtc_exchange(warehouse: Any) -> None:
    home, stats, _ = warehouse
    call_id, info = next(
        (k, v) for k, v in stats.calls.items() if v.protocol == "WebRTC" and v.messages["rest"] >= 8
    )
    # The call's Call-id and its participant UUID (Conversation-id) both find it.
    for key in (call_id, info.conversation_id):
        rows = _named("call_rest_exchange", home, call_id=str(key))
        assert len(rows) == info.messages["rest"], key
        assert Counter(r["direction"] for r in rows) == {
            "received": info.messages["rest"] // 2,
            "sending": info.messages["rest"] // 2,
        }
        assert any(r["request"].endswith("/request_token") for r in rows)


def test_conference_participants_lists_protocols_and_endpoints(warehouse: Any) -> None:
    home, stats, _ = warehouse
    conf_id, conf = next(iter(stats.conferences.items()))
    rows = _named("conference_participants", home, conference=conf["alias"])
    mine = [r for r in rows if r["conference_id"] == conf_id]
    expected = {
        cid: c
        for cid, c in stats.calls.items()
        if c.conference_id == conf_id and c.messages["conference"] >= 2
    }
    assert {r["call_id"] for r in mine} == set(expected)
    for r in mine:
        assert r["protocol"] == expected[r["call_id"]].protocol
        assert r["remote_address"] == expected[r["call_id"]].remote_address
        assert r["endpoint"]


def test_errors_per_hour_counts_error_lines(warehouse: Any) -> None:
    home, stats, _ = warehouse
    rows = _named("errors_per_hour", home)
    errors: Counter[str] = Counter()
    warnings: Counter[str] = Counter()
    for r in rows:
        errors[f"{r['dt']}T{r['hour']}"] += r["errors"]
        warnings[f"{r['dt']}T{r['hour']}"] += r["warnings"]
    assert errors == stats.levels.get("ERROR", Counter())
    assert warnings == stats.levels.get("WARNING", Counter())


def test_every_named_query_runs_on_the_data(warehouse: Any) -> None:
    home, _, _ = warehouse
    for name, named in load_named_queries().items():
        params = {p.name: "x" for p in named.params}
        sql, values, _ = resolve_query(name, params)
        result = run_local_query(sql, values, home=home)
        assert result.columns, name


def test_views_have_the_catalog_columns_and_string_partitions(warehouse: Any) -> None:
    home, _, counts = warehouse
    registry = load_registry()
    result = run_local_query(
        "SELECT * FROM pexip_logs.support_sip_received LIMIT 1", home=home, registry=registry
    )
    assert result.columns == [*registry.table("support_sip_received").column_names, "dt", "hour"]
    typed = run_local_query(
        "SELECT typeof(dt), typeof(hour), typeof(syslog_time), typeof(src_port), typeof(extra),"
        " count(*) OVER () FROM support_sip_received LIMIT 1",
        home=home,
    )
    assert typed.rows[0][:5] == (
        "VARCHAR",
        "VARCHAR",
        "TIMESTAMP",
        "INTEGER",
        "MAP(VARCHAR, VARCHAR)",
    )
    assert typed.rows[0][5] == counts["support_sip_received"]


def test_a_table_without_data_is_empty_with_its_schema(warehouse: Any) -> None:
    home, _, counts = warehouse
    assert counts["support_rtmp"] == 0  # the generator writes no RTMP lines
    result = run_local_query("SELECT * FROM support_rtmp", home=home)
    assert result.rows == []
    assert "url" in result.columns and result.columns[-2:] == ["dt", "hour"]


def test_utc_times_and_integer_division_answer_as_athena(warehouse: Any) -> None:
    home, _, _ = warehouse
    result = run_local_query(
        "SELECT min(syslog_time) >= from_iso8601_timestamp('2026-01-05T23:00:00+01:00'),"
        " 7 / 2, date_diff('hour', TIMESTAMP '2026-01-05 09:59:00', TIMESTAMP '2026-01-05 10:01:00'),"
        " regexp_extract('abc', 'z(b)', 1)"
        " FROM support_administrator_conference",
        home=home,
    )
    assert result.rows == [(True, 3, 0, None)]


def test_the_catalog_snapshot_decides_which_partitions_are_visible(
    warehouse: Any, tmp_path: Path
) -> None:
    home, _, _ = warehouse
    # GIVEN a catalog snapshot that registers only one partition of web_access
    part = home / "warehouse/curated/web/web_access/dt=2026-01-05/hour=22"
    snap_home = tmp_path / "h"
    snap_home.mkdir()
    (snap_home / "catalog.json").write_text(
        json.dumps(
            {
                "database": "pexip_logs",
                "tables": {
                    "web_access": {
                        "location": "file://" + str(part.parent.parent) + "/",
                        "partitions": [{"values": ["2026-01-05", "22"], "location": part.as_uri()}],
                    }
                },
            }
        )
    )
    # WHEN the tables are read from it
    sources = local_table_sources(snap_home)
    result = run_local_query("SELECT DISTINCT dt, hour FROM web_access", tables=sources)
    # THEN only the registered partition is visible (as in Athena), other tables are empty
    assert result.rows == [("2026-01-05", "22")]
    assert sources["support_ice"] == []


def test_cli_query_prints_csv_and_json(warehouse: Any, capsys: pytest.CaptureFixture[str]) -> None:
    home, stats, _ = warehouse
    assert main(["query", "conferences_per_day", "--home", str(home), "--format", "csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "dt,conferences,rooms,calls,participants"
    assert out[1].startswith("2026-01-05,")
    assert main(["query", "conferences_per_day", "--home", str(home), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {d["dt"]: d["conferences"] for d in data} == stats.conferences_per_day()


def test_cli_refuses_untranslatable_sql_in_one_line(
    warehouse: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    home, _, _ = warehouse
    code = main(
        [
            "query",
            "SELECT syslog_time AT TIME ZONE 'Europe/Oslo' FROM support_ice",
            "--home",
            str(home),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("pexlogs: error: AT TIME ZONE") and err.count("\n") == 1


def test_cli_table_output_and_list(warehouse: Any, capsys: pytest.CaptureFixture[str]) -> None:
    home, _, _ = warehouse
    assert main(["query", "conferences_per_day", "--home", str(home)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split(" | ")[0].strip() == "dt" and "2026-01-06" in out
    assert main(["query", "--list"]) == 0
    assert "call_sip_messages --param call_id=" in capsys.readouterr().out


def test_engine_errors_become_query_errors(warehouse: Any) -> None:
    home, _, _ = warehouse
    with pytest.raises(QueryError, match="failed locally"):
        run_local_query("SELECT no_such_column FROM support_ice", home=home)


# --------------------------------------------------------------------------- --aws (moto)


def test_run_athena_query_under_moto() -> None:
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    from moto.athena.models import QueryResults, athena_backends
    from moto.core import DEFAULT_ACCOUNT_ID

    with moto.mock_aws():
        client = boto3.client("athena", region_name="eu-west-1")
        client.create_work_group(
            Name="pexlogs",
            Configuration={"ResultConfiguration": {"OutputLocation": "s3://results/athena/"}},
        )
        # GIVEN the answer Athena will give (moto returns what it is told to)
        rows = [
            {"Data": [{"VarCharValue": "dt"}, {"VarCharValue": "conferences"}]},
            {"Data": [{"VarCharValue": "2026-01-05"}, {"VarCharValue": "12"}]},
        ]
        meta = {
            "ColumnInfo": [
                {"Name": "dt", "Type": "varchar"},
                {"Name": "conferences", "Type": "bigint"},
            ]
        }
        athena_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].query_results_queue.append(
            QueryResults(rows=rows, column_info=meta["ColumnInfo"])
        )
        sql, values, _ = resolve_query("call_sip_messages", {"call_id": "it's"})
        # WHEN a query runs with --aws
        result = run_athena_query(sql, values, client=client, poll_seconds=0)
        # THEN the header row is dropped, values are typed, the parameter went as a literal
        assert result.columns == ["dt", "conferences"]
        assert result.rows == [("2026-01-05", 12)]
        qid = result.stats["query_execution_id"]
        execution = client.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
        assert execution["ExecutionParameters"] == ["'it''s'"]
        assert execution["WorkGroup"] == "pexlogs"


def test_cli_aws_runs_the_named_query_on_athena(capsys: pytest.CaptureFixture[str]) -> None:
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    from moto.athena.models import QueryResults, athena_backends
    from moto.core import DEFAULT_ACCOUNT_ID

    with moto.mock_aws():
        boto3.client("athena", region_name="eu-west-1").create_work_group(
            Name="pexlogs",
            Configuration={"ResultConfiguration": {"OutputLocation": "s3://results/athena/"}},
        )
        athena_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].query_results_queue.append(
            QueryResults(
                rows=[
                    {"Data": [{"VarCharValue": "dt"}, {"VarCharValue": "conferences"}]},
                    {"Data": [{"VarCharValue": "2026-01-05"}, {"VarCharValue": "3"}]},
                ],
                column_info=[
                    {"Name": "dt", "Type": "varchar"},
                    {"Name": "conferences", "Type": "bigint"},
                ],
            )
        )
        code = main(
            ["query", "conferences_per_day", "--aws", "--region", "eu-west-1", "--format", "json"]
        )
    assert code == 0
    assert json.loads(capsys.readouterr().out) == [{"dt": "2026-01-05", "conferences": 3}]


def test_table_sources_from_a_glue_catalog(warehouse: Any) -> None:
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    from pexlogs.query import table_sources_from_glue

    home, _, _ = warehouse
    part = home / "warehouse/curated/support/support_ice/dt=2026-01-05/hour=23"
    with moto.mock_aws():
        glue = boto3.client("glue", region_name="eu-west-1")
        glue.create_database(DatabaseInput={"Name": "pexip_logs"})
        glue.create_table(
            DatabaseName="pexip_logs",
            TableInput={
                "Name": "support_ice",
                "StorageDescriptor": {"Location": part.parent.parent.as_uri() + "/"},
                "PartitionKeys": [
                    {"Name": "dt", "Type": "string"},
                    {"Name": "hour", "Type": "string"},
                ],
            },
        )
        glue.create_partition(
            DatabaseName="pexip_logs",
            TableName="support_ice",
            PartitionInput={
                "Values": ["2026-01-05", "23"],
                "StorageDescriptor": {"Location": part.as_uri()},
            },
        )
        sources = table_sources_from_glue(glue)
    assert sources == {"support_ice": [part.as_uri()]}
    result = run_local_query("SELECT DISTINCT dt, hour FROM support_ice", tables=sources)
    assert result.rows == [("2026-01-05", "23")]
