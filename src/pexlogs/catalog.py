"""Glue Data Catalog helpers: tables from the schema registry, partitions the ETL job writes.

The catalog is kept by the job itself (no crawler, no partition Lambdas): :func:`ensure_tables`
creates a table ``metadata/`` knows but the catalog lacks (so a new log type appears on the next
run) and updates one whose columns changed; :func:`register_partitions` creates or updates the
partitions of a run. :func:`table_input` and :func:`partition_input` are pure (no AWS call): the
CDK app and the local runner build the same definitions from them.

Every function that calls AWS takes an injected boto3 Glue client (``boto3.client("glue")``).

>>> from pexlogs.schema import load_registry
>>> ti = table_input(load_registry().table("support_other"), "s3://curated")
>>> ti["StorageDescriptor"]["Location"], [k["Name"] for k in ti["PartitionKeys"]]
('s3://curated/support/support_other', ['dt', 'hour'])
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pexlogs.exceptions import CatalogError
from pexlogs.schema import TableDef

__all__ = [
    "PARQUET_INPUT_FORMAT",
    "PARQUET_OUTPUT_FORMAT",
    "PARQUET_SERDE",
    "Partition",
    "delete_partitions",
    "ensure_database",
    "ensure_tables",
    "partition_for",
    "partition_input",
    "register_partitions",
    "table_input",
]

# A boto3 Glue client (``mypy_boto3_glue.GlueClient``); typed loosely so that plain dict inputs
# built here need no TypedDict casts.
GlueClient = Any

PARQUET_INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"

_CREATE_BATCH = 100  # BatchCreatePartition / BatchUpdatePartition limit
_DELETE_BATCH = 25  # BatchDeletePartition limit
_COMMENT_MAX = 255
_DESCRIPTION_MAX = 2048


def _storage_descriptor(tdef: TableDef, location: str) -> dict[str, Any]:
    return {
        "Columns": [
            {"Name": c.name, "Type": c.type, "Comment": c.comment[:_COMMENT_MAX]}
            for c in tdef.columns
        ],
        "Location": location,
        "InputFormat": PARQUET_INPUT_FORMAT,
        "OutputFormat": PARQUET_OUTPUT_FORMAT,
        "Compressed": True,
        "SerdeInfo": {
            "SerializationLibrary": PARQUET_SERDE,
            "Parameters": {"serialization.format": "1"},
        },
        "StoredAsSubDirectories": False,
    }


def table_input(tdef: TableDef, curated_uri: str) -> dict[str, Any]:
    """The Glue ``TableInput`` of a registry table stored under ``curated_uri`` (pure).

    External Parquet table; columns in registry order with their Hive types; partition keys
    ``dt`` and ``hour`` (strings); location ``<curated_uri>/<family>/<table>``.
    """
    return {
        "Name": tdef.name,
        "Description": tdef.description[:_DESCRIPTION_MAX],
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {
            "classification": "parquet",
            "EXTERNAL": "TRUE",
            "parquet.compression": "ZSTD",
            "pexlogs.family": tdef.family,
        },
        "PartitionKeys": [
            {"Name": c.name, "Type": c.type, "Comment": c.comment[:_COMMENT_MAX]}
            for c in tdef.partition_keys
        ],
        "StorageDescriptor": _storage_descriptor(tdef, tdef.location(curated_uri)),
    }


@dataclass(frozen=True)
class Partition:
    """One catalog partition: its table, its values (``dt``, ``hour``) and its PartitionInput."""

    table: str
    values: tuple[str, ...]
    input: Mapping[str, Any]

    @property
    def location(self) -> str:
        return str(self.input["StorageDescriptor"]["Location"])


def partition_input(tdef: TableDef, curated_uri: str, dt: str, hour: str) -> dict[str, Any]:
    """The Glue ``PartitionInput`` of ``<table location>/dt=<dt>/hour=<hour>/`` (pure)."""
    location = f"{tdef.location(curated_uri)}/dt={dt}/hour={hour}/"
    return {"Values": [dt, hour], "StorageDescriptor": _storage_descriptor(tdef, location)}


def partition_for(tdef: TableDef, curated_uri: str, dt: str, hour: str) -> Partition:
    """A :class:`Partition` of ``tdef`` for :func:`register_partitions` (pure)."""
    return Partition(tdef.name, (dt, hour), partition_input(tdef, curated_uri, dt, hour))


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def ensure_database(glue: GlueClient, database: str, *, description: str = "") -> bool:
    """Create the Glue database unless it exists; return whether it was created."""
    try:
        glue.get_database(Name=database)
        return False
    except Exception as exc:
        if _error_code(exc) != "EntityNotFoundException":
            raise CatalogError(f"cannot read Glue database {database!r}: {exc}") from exc
    try:
        glue.create_database(
            DatabaseInput={
                "Name": database,
                "Description": description or "Pexip Infinity logs (pexlogs)",
            }
        )
    except Exception as exc:
        if _error_code(exc) == "AlreadyExistsException":  # created meanwhile by another run
            return False
        raise CatalogError(f"cannot create Glue database {database!r}: {exc}") from exc
    return True


def _existing_tables(glue: GlueClient, database: str) -> dict[str, dict[str, Any]]:
    tables: dict[str, dict[str, Any]] = {}
    try:
        for page in glue.get_paginator("get_tables").paginate(DatabaseName=database):
            for table in page.get("TableList", []):
                tables[table["Name"]] = table
    except Exception as exc:
        raise CatalogError(f"cannot list tables of Glue database {database!r}: {exc}") from exc
    return tables


def _shape(table: Mapping[str, Any]) -> tuple[Any, ...]:
    """What makes two table definitions the same for our purpose (ignores catalog bookkeeping)."""
    sd = table.get("StorageDescriptor", {})
    return (
        [(c["Name"], c["Type"]) for c in sd.get("Columns", [])],
        [(c["Name"], c["Type"]) for c in table.get("PartitionKeys", [])],
        sd.get("Location", "").rstrip("/"),
        sd.get("InputFormat"),
        sd.get("SerdeInfo", {}).get("SerializationLibrary"),
    )


def ensure_tables(
    glue: GlueClient, database: str, tables: Iterable[TableDef], curated_uri: str
) -> dict[str, str]:
    """Make the catalog hold every table in ``tables`` as :func:`table_input` defines it.

    A missing table is created and one whose columns, partition keys, location or format differ
    is updated (its partitions are kept). Returns ``{table: "created"|"updated"|"unchanged"}``.
    """
    existing = _existing_tables(glue, database)
    outcome: dict[str, str] = {}
    for tdef in tables:
        wanted = table_input(tdef, curated_uri)
        current = existing.get(tdef.name)
        try:
            if current is None:
                glue.create_table(DatabaseName=database, TableInput=wanted)
                outcome[tdef.name] = "created"
            elif _shape(current) != _shape(wanted):
                glue.update_table(DatabaseName=database, TableInput=wanted)
                outcome[tdef.name] = "updated"
            else:
                outcome[tdef.name] = "unchanged"
        except Exception as exc:
            if current is None and _error_code(exc) == "AlreadyExistsException":
                outcome[tdef.name] = "unchanged"  # created meanwhile by another run
                continue
            raise CatalogError(f"cannot create/update Glue table {tdef.name!r}: {exc}") from exc
    return outcome


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def register_partitions(
    glue: GlueClient, database: str, partitions: Iterable[Partition]
) -> dict[str, int]:
    """Create or update catalog partitions so each points at its written location.

    ``BatchCreatePartition`` (at most 100 per call) reports existing partitions in ``Errors``
    instead of raising: those are updated with ``BatchUpdatePartition`` (a re-run may have moved
    the curated root). Any other error raises :class:`CatalogError`.
    Returns ``{"created": n, "updated": n}``.
    """
    by_table: dict[str, dict[tuple[str, ...], Partition]] = defaultdict(dict)
    for part in partitions:
        by_table[part.table][tuple(part.values)] = part  # last one wins for a duplicate
    created = updated = 0
    for table, parts in by_table.items():
        for chunk in _chunks(list(parts.values()), _CREATE_BATCH):
            try:
                response = glue.batch_create_partition(
                    DatabaseName=database,
                    TableName=table,
                    PartitionInputList=[dict(p.input) for p in chunk],
                )
            except Exception as exc:
                raise CatalogError(f"cannot create partitions of {table!r}: {exc}") from exc
            existing: list[Partition] = []
            for error in response.get("Errors", []):
                code = error.get("ErrorDetail", {}).get("ErrorCode", "")
                values = tuple(error.get("PartitionValues", []))
                if code == "AlreadyExistsException" and values in parts:
                    existing.append(parts[values])
                else:
                    message = error.get("ErrorDetail", {}).get("ErrorMessage", "")
                    raise CatalogError(
                        f"cannot create partition {list(values)} of {table!r}: {code} {message}"
                    )
            created += len(chunk) - len(existing)
            updated += _update_partitions(glue, database, table, existing)
    return {"created": created, "updated": updated}


def _update_partitions(
    glue: GlueClient, database: str, table: str, parts: Sequence[Partition]
) -> int:
    for chunk in _chunks(parts, _CREATE_BATCH):
        try:
            response = glue.batch_update_partition(
                DatabaseName=database,
                TableName=table,
                Entries=[
                    {"PartitionValueList": list(p.values), "PartitionInput": dict(p.input)}
                    for p in chunk
                ],
            )
        except Exception as exc:
            raise CatalogError(f"cannot update partitions of {table!r}: {exc}") from exc
        for error in response.get("Errors", []):
            detail = error.get("ErrorDetail", {})
            raise CatalogError(
                f"cannot update partition {error.get('PartitionValueList')} of {table!r}: "
                f"{detail.get('ErrorCode', '')} {detail.get('ErrorMessage', '')}"
            )
    return len(parts)


def delete_partitions(
    glue: GlueClient, database: str, table: str, values: Iterable[Sequence[str]]
) -> int:
    """Delete partitions of ``table`` (at most 25 per call); missing ones are not an error.

    Returns how many were deleted.
    """
    wanted = [list(v) for v in values]
    deleted = 0
    for chunk in _chunks(wanted, _DELETE_BATCH):
        try:
            response = glue.batch_delete_partition(
                DatabaseName=database,
                TableName=table,
                PartitionsToDelete=[{"Values": v} for v in chunk],
            )
        except Exception as exc:
            if _error_code(exc) == "EntityNotFoundException":  # the table itself is gone
                return deleted
            raise CatalogError(f"cannot delete partitions of {table!r}: {exc}") from exc
        missing = 0
        for error in response.get("Errors", []):
            detail = error.get("ErrorDetail", {})
            if detail.get("ErrorCode") != "EntityNotFoundException":
                raise CatalogError(
                    f"cannot delete partition {error.get('PartitionValues')} of {table!r}: "
                    f"{detail.get('ErrorCode', '')} {detail.get('ErrorMessage', '')}"
                )
            missing += 1
        deleted += len(chunk) - missing
    return deleted
