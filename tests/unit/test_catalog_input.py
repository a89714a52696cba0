"""The Glue TableInput/PartitionInput built from the schema registry (pure, no AWS)."""

from __future__ import annotations

from pexlogs.catalog import (
    PARQUET_SERDE,
    partition_for,
    partition_input,
    table_input,
)
from pexlogs.schema import load_registry


def test_table_input_follows_the_registry() -> None:
    # GIVEN every table the registry defines
    registry = load_registry()
    for tdef in registry.tables.values():
        # WHEN its TableInput is built for a curated root
        ti = table_input(tdef, "s3://curated-bucket/")
        sd = ti["StorageDescriptor"]
        # THEN columns, types and order are the registry's, partitioned by dt/hour strings
        assert ti["Name"] == tdef.name
        assert [(c["Name"], c["Type"]) for c in sd["Columns"]] == [
            (c.name, c.type) for c in tdef.columns
        ]
        assert [(k["Name"], k["Type"]) for k in ti["PartitionKeys"]] == [
            ("dt", "string"),
            ("hour", "string"),
        ]
        assert sd["Location"] == f"s3://curated-bucket/{tdef.family}/{tdef.name}"
        assert sd["SerdeInfo"]["SerializationLibrary"] == PARQUET_SERDE
        assert ti["TableType"] == "EXTERNAL_TABLE"
        assert ti["Parameters"]["classification"] == "parquet"
        assert all(len(c["Comment"]) <= 255 for c in sd["Columns"])


def test_unparsed_lines_lives_under_unparsed() -> None:
    ti = table_input(load_registry().table("unparsed_lines"), "s3://c")
    assert ti["StorageDescriptor"]["Location"] == "s3://c/unparsed/unparsed_lines"
    assert [c["Name"] for c in ti["StorageDescriptor"]["Columns"]] == [
        "family",
        "reason",
        "raw_line",
        "source",
        "extra",
    ]


def test_partition_input_points_at_the_partition_folder() -> None:
    tdef = load_registry().table("support_other")
    pi = partition_input(tdef, "file:///tmp/curated", "2026-11-27", "10")
    assert pi["Values"] == ["2026-11-27", "10"]
    assert (
        pi["StorageDescriptor"]["Location"]
        == "file:///tmp/curated/support/support_other/dt=2026-11-27/hour=10/"
    )
    # The partition carries the table's columns, so Athena reads it with the same schema.
    assert (
        pi["StorageDescriptor"]["Columns"] == table_input(tdef, "x")["StorageDescriptor"]["Columns"]
    )
    part = partition_for(tdef, "file:///tmp/curated", "2026-11-27", "10")
    assert (part.table, part.values) == ("support_other", ("2026-11-27", "10"))
    assert part.location.endswith("/dt=2026-11-27/hour=10/")


def test_table_input_is_pure_and_stable() -> None:
    tdef = load_registry().table("web_access")
    assert table_input(tdef, "s3://b") == table_input(tdef, "s3://b")
