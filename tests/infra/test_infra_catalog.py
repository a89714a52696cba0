"""Catalog + Athena construct: database, a table per registry log type, workgroup, named queries."""

from __future__ import annotations

from typing import Any

from cfn_helpers import ref_id, render, resources
from pexlogs_infra.catalog import named_query_files, query_description

from pexlogs.schema import load_registry


def _tables(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        res["Properties"]["TableInput"]["Name"]: res["Properties"]
        for res in resources(template, "AWS::Glue::Table").values()
    }


def test_one_table_per_registry_log_type_plus_unparsed_lines(
    templates: dict[str, dict[str, Any]],
) -> None:
    registry = load_registry()
    tables = _tables(templates["Default"])
    assert set(tables) == set(registry.tables)
    assert "unparsed_lines" in tables
    for name, props in tables.items():
        tdef = registry.table(name)
        table_input = props["TableInput"]
        assert props["DatabaseName"] == "pexip_logs"
        assert table_input["TableType"] == "EXTERNAL_TABLE"
        assert table_input["PartitionKeys"][0]["Name"] == "dt"
        assert [(k["Name"], k["Type"]) for k in table_input["PartitionKeys"]] == [
            ("dt", "string"),
            ("hour", "string"),
        ]
        sd = table_input["StorageDescriptor"]
        assert [(c["Name"], c["Type"]) for c in sd["Columns"]] == [
            (c.name, c.type) for c in tdef.columns
        ]
        assert sd["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
        assert sd["InputFormat"].endswith("MapredParquetInputFormat")
        location = render(sd["Location"])
        assert location.startswith("s3://${StorageCurated")
        assert location.rstrip("/").endswith(f"/{tdef.family}/{name}")
        assert all(len(c.get("Comment", "")) <= 255 for c in sd["Columns"])


def test_tables_follow_the_configured_families(templates: dict[str, dict[str, Any]]) -> None:
    registry = load_registry()
    tables = _tables(templates["Full"])
    expected = {
        t.name for t in registry.tables.values() if t.family in ("support", "audit", "unparsed")
    }
    assert set(tables) == expected
    assert not any(name.startswith("web_") for name in tables)


def test_workgroup_enforces_results_location_encryption_and_cutoff(
    templates: dict[str, dict[str, Any]],
) -> None:
    (workgroup,) = resources(templates["Default"], "AWS::Athena::WorkGroup").values()
    config = workgroup["Properties"]["WorkGroupConfiguration"]
    assert config["EnforceWorkGroupConfiguration"] is True
    assert config["BytesScannedCutoffPerQuery"] == 10240 * 1024 * 1024
    results = config["ResultConfiguration"]
    assert render(results["OutputLocation"]).startswith("s3://${StorageAthenaResults")
    assert render(results["OutputLocation"]).endswith("/athena/")
    assert results["EncryptionConfiguration"] == {"EncryptionOption": "SSE_S3"}
    (full,) = resources(templates["Full"], "AWS::Athena::WorkGroup").values()
    encryption = full["Properties"]["WorkGroupConfiguration"]["ResultConfiguration"][
        "EncryptionConfiguration"
    ]
    assert encryption["EncryptionOption"] == "SSE_KMS"
    assert ref_id(encryption["KmsKey"]) in resources(templates["Full"], "AWS::KMS::Key")


def test_a_named_query_per_sql_file_in_the_workgroup(templates: dict[str, dict[str, Any]]) -> None:
    template = templates["Default"]
    files = {p.stem: p.read_text(encoding="utf-8") for p in named_query_files()}
    queries = {
        res["Properties"]["Name"]: res["Properties"]
        for res in resources(template, "AWS::Athena::NamedQuery").values()
    }
    assert set(queries) == set(files)
    (workgroup_id,) = resources(template, "AWS::Athena::WorkGroup")
    for name, props in queries.items():
        assert props["QueryString"] == files[name]
        assert props["Database"] == "pexip_logs"
        assert ref_id(props["WorkGroup"]) == workgroup_id
        assert props["Description"] == query_description(files[name], name)


def test_issue_required_queries_are_shipped() -> None:
    names = {p.stem for p in named_query_files()}
    required = {
        "conferences_per_day",
        "errors_per_hour",
        "call_rest_exchange",
        "call_sip_messages",
        "call_ids_per_hour",
        "conference_participants",
    }
    assert required <= names, f"missing named queries: {sorted(required - names)}"


def test_query_description_reads_the_leading_comment() -> None:
    sql = "-- Conferences per day.\n-- Counts starts.\nSELECT 1"
    assert query_description(sql, "x") == "Conferences per day. Counts starts."
    assert query_description("SELECT 1", "errors_per_hour") == "errors per hour"
