"""The local Glue Data Catalog across processes: a JSON snapshot of the emulated catalog.

moto keeps the Glue catalog in memory, so after every ``pexlogs run`` the runner saves what the
catalog holds (tables, their columns and locations, every partition) to ``<home>/catalog.json``;
the next run registers those partitions again, and ``pexlogs query`` can list the tables and
partitions without AWS. The snapshot is written from the catalog's own answers (GetTables,
GetPartitions), so it shows exactly what the job registered.

Format::

    {"database": "pexip_logs",
     "tables": {"<name>": {"location": "file:///…", "columns": [["name", "type"], …],
                          "partition_keys": ["dt", "hour"], "table_input": {…TableInput…},
                          "partitions": [{"values": ["2026-01-01", "13"], "location": "file:///…"}]}}}
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

__all__ = ["load_snapshot", "restore_partitions", "save_snapshot", "snapshot_catalog"]

# TableInput accepts only these keys of a GetTable answer.
_TABLE_INPUT_KEYS = (
    "Name",
    "Description",
    "Owner",
    "Retention",
    "StorageDescriptor",
    "PartitionKeys",
    "TableType",
    "Parameters",
)


def snapshot_catalog(glue_client: Any, database: str) -> dict[str, Any]:
    """Every table and partition of ``database`` as a JSON-ready dict."""
    tables: dict[str, Any] = {}
    for page in glue_client.get_paginator("get_tables").paginate(DatabaseName=database):
        for table in page["TableList"]:
            name = table["Name"]
            sd = table.get("StorageDescriptor", {})
            partitions = []
            for ppage in glue_client.get_paginator("get_partitions").paginate(
                DatabaseName=database, TableName=name
            ):
                for part in ppage["Partitions"]:
                    partitions.append(
                        {
                            "values": list(part["Values"]),
                            "location": part.get("StorageDescriptor", {}).get("Location", ""),
                        }
                    )
            partitions.sort(key=lambda p: p["values"])
            tables[name] = {
                "location": sd.get("Location", ""),
                "columns": [[c["Name"], c["Type"]] for c in sd.get("Columns", [])],
                "partition_keys": [k["Name"] for k in table.get("PartitionKeys", [])],
                "table_input": {k: table[k] for k in _TABLE_INPUT_KEYS if k in table},
                "partitions": partitions,
            }
    return {"database": database, "tables": dict(sorted(tables.items()))}


def save_snapshot(glue_client: Any, database: str, path: Path) -> dict[str, Any]:
    """Write :func:`snapshot_catalog` to ``path`` (atomically) and return it."""
    snapshot = snapshot_catalog(glue_client, database)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(snapshot, indent=1, default=str) + "\n", encoding="utf-8")
    partial.replace(path)
    return snapshot


def load_snapshot(path: Path) -> dict[str, Any] | None:
    """The snapshot at ``path``, or None before the first run."""
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def restore_partitions(glue_client: Any, snapshot: dict[str, Any]) -> int:
    """Register again every partition of the snapshot whose folder still exists.

    Tables missing from the catalog (a log type ``metadata/`` no longer knows) are created from
    the snapshot's TableInput; partitions take their table's current storage descriptor with the
    snapshot's location. Returns the number of partitions registered.
    """
    database = snapshot["database"]
    with contextlib.suppress(glue_client.exceptions.AlreadyExistsException):
        glue_client.create_database(DatabaseInput={"Name": database})
    registered = 0
    for name, table in snapshot["tables"].items():
        try:
            current = glue_client.get_table(DatabaseName=database, Name=name)["Table"]
        except glue_client.exceptions.EntityNotFoundException:
            glue_client.create_table(DatabaseName=database, TableInput=table["table_input"])
            current = glue_client.get_table(DatabaseName=database, Name=name)["Table"]
        base_sd = current.get("StorageDescriptor", {})
        inputs = []
        for part in table["partitions"]:
            location = part["location"]
            if location.startswith("file://") and not Path(location[len("file://") :]).exists():
                continue  # the warehouse folder was removed by hand: do not list a ghost
            inputs.append(
                {"Values": part["values"], "StorageDescriptor": {**base_sd, "Location": location}}
            )
        for start in range(0, len(inputs), 100):  # BatchCreatePartition takes at most 100
            chunk = inputs[start : start + 100]
            answer = glue_client.batch_create_partition(
                DatabaseName=database, TableName=name, PartitionInputList=chunk
            )
            failed = {tuple(e["PartitionValues"]) for e in answer.get("Errors", [])}
            registered += len(chunk) - len(failed)
            for part_input in chunk:
                if tuple(part_input["Values"]) in failed:
                    # Already there (BatchCreatePartition reports, not raises): update instead.
                    glue_client.update_partition(
                        DatabaseName=database,
                        TableName=name,
                        PartitionValueList=part_input["Values"],
                        PartitionInput=part_input,
                    )
                    registered += 1
    return registered
