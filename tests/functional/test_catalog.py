"""Glue catalog helpers against moto's Glue: tables from the registry, partitions in batches."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pexlogs.catalog import (
    delete_partitions,
    ensure_database,
    ensure_tables,
    partition_for,
    register_partitions,
    table_input,
)
from pexlogs.exceptions import CatalogError
from pexlogs.schema import Column, load_registry

DB = "pexip_logs"


class CountingGlue:
    """A thin fake wrapper recording how many times each Glue call is made (moto does the work)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls: list[tuple[str, int]] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)
        if not callable(method) or name.startswith("get_paginator"):
            return method

        def call(**kwargs: Any) -> Any:
            size = len(kwargs.get("PartitionInputList") or kwargs.get("Entries") or [])
            self.calls.append((name, size))
            return method(**kwargs)

        return call


@pytest.fixture
def glue() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("glue", region_name="eu-west-1")
        ensure_database(client, DB)
        yield client


def test_ensure_database_is_idempotent(glue: Any) -> None:
    assert ensure_database(glue, DB) is False
    assert ensure_database(glue, "other_db") is True
    assert glue.get_database(Name="other_db")["Database"]["Name"] == "other_db"


def test_ensure_tables_creates_missing_and_updates_changed(glue: Any) -> None:
    registry = load_registry()
    tables = list(registry.tables.values())

    # WHEN the catalog is empty THEN every registry table is created
    first = ensure_tables(glue, DB, tables, "s3://curated")
    assert set(first.values()) == {"created"} and len(first) == len(tables)
    stored = glue.get_table(DatabaseName=DB, Name="web_access")["Table"]
    assert stored["StorageDescriptor"]["Location"] == "s3://curated/web/web_access"
    assert [k["Name"] for k in stored["PartitionKeys"]] == ["dt", "hour"]

    # WHEN nothing changed THEN nothing is rewritten
    assert set(ensure_tables(glue, DB, tables, "s3://curated").values()) == {"unchanged"}

    # WHEN metadata gains a column (a new key became a column) THEN that table is updated
    web = registry.table("web_access")
    grown = type(web)(
        name=web.name,
        family=web.family,
        description=web.description,
        route=web.route,
        columns=(*web.columns, Column("new_field", "string", "added")),
    )
    outcome = ensure_tables(glue, DB, [grown, registry.table("support_other")], "s3://curated")
    assert outcome == {"web_access": "updated", "support_other": "unchanged"}
    columns = glue.get_table(DatabaseName=DB, Name="web_access")["Table"]["StorageDescriptor"][
        "Columns"
    ]
    assert columns[-1]["Name"] == "new_field"


def test_register_partitions_batches_and_updates_existing_locations(glue: Any) -> None:
    registry = load_registry()
    tdef = registry.table("support_other")
    glue.create_table(DatabaseName=DB, TableInput=table_input(tdef, "s3://old"))
    counting = CountingGlue(glue)
    # 150 hours: more than one BatchCreatePartition call (100 at most)
    hours = [(f"2026-11-{1 + i // 24:02d}", f"{i % 24:02d}") for i in range(150)]

    # GIVEN 30 partitions already registered at an old location
    register_partitions(glue, DB, [partition_for(tdef, "s3://old", d, h) for d, h in hours[:30]])

    # WHEN all 150 are registered at the new location
    result = register_partitions(
        counting, DB, [partition_for(tdef, "s3://new", d, h) for d, h in hours]
    )

    # THEN 120 are created, 30 updated, in batches of at most 100
    assert result == {"created": 120, "updated": 30}
    creates = [size for name, size in counting.calls if name == "batch_create_partition"]
    assert creates == [100, 50]
    assert all(size <= 100 for name, size in counting.calls)
    parts = glue.get_partitions(DatabaseName=DB, TableName="support_other")["Partitions"]
    assert len(parts) == 150
    locations = {tuple(p["Values"]): p["StorageDescriptor"]["Location"] for p in parts}
    assert locations[hours[0]] == (
        f"s3://new/support/support_other/dt={hours[0][0]}/hour={hours[0][1]}/"
    )
    assert all(loc.startswith("s3://new/") for loc in locations.values())


def test_register_partitions_of_a_missing_table_raises(glue: Any) -> None:
    tdef = load_registry().table("web_access")  # never created in this catalog
    with pytest.raises(CatalogError, match="web_access"):
        register_partitions(glue, DB, [partition_for(tdef, "s3://c", "2026-11-27", "10")])


def test_delete_partitions_ignores_missing_ones(glue: Any) -> None:
    tdef = load_registry().table("audit_other")
    glue.create_table(DatabaseName=DB, TableInput=table_input(tdef, "s3://c"))
    register_partitions(
        glue, DB, [partition_for(tdef, "s3://c", "2026-11-27", f"{h:02d}") for h in range(30)]
    )
    deleted = delete_partitions(
        glue, DB, "audit_other", [["2026-11-27", f"{h:02d}"] for h in range(0, 40, 2)]
    )
    assert deleted == 15  # hours 00..28 even; 30..38 never existed
    left = glue.get_partitions(DatabaseName=DB, TableName="audit_other")["Partitions"]
    assert sorted(p["Values"][1] for p in left) == [f"{h:02d}" for h in range(1, 30, 2)]
