"""Spark session settings the job relies on, and the registry's Hive types as Spark types.

The same settings are applied to a session we build locally (:func:`local_session`) and to the
session Glue hands us (:func:`configure_session`), so the job behaves the same in both places.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from pexlogs.schema import TableDef

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession
    from pyspark.sql.types import StructType

__all__ = ["RUNTIME_SETTINGS", "configure_session", "local_session", "table_schema"]

# Settings that may be changed on a running session (Glue's included).
RUNTIME_SETTINGS: dict[str, str] = {
    # Every timestamp is UTC whatever the machine's (or the Glue worker's) time zone.
    "spark.sql.session.timeZone": "UTC",
    # Overwrite only the partitions a run writes; the default (static) deletes the whole table.
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
    # dt and hour are strings in the catalog; inference would read them back as DATE and INT.
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    "spark.sql.parquet.compression.codec": "zstd",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


def configure_session(spark: SparkSession) -> SparkSession:
    """Apply :data:`RUNTIME_SETTINGS` to an existing session and return it."""
    for key, value in RUNTIME_SETTINGS.items():
        spark.conf.set(key, value)
    return spark


def local_session(
    master: str = "local[*]",
    *,
    app_name: str = "pexlogs-etl",
    shuffle_partitions: int | None = None,
    driver_memory: str = "4g",
) -> SparkSession:
    """A local Spark session for the CLI, the local runner and tests (no UI, UTC, quiet).

    Locally the driver JVM is also the executor: ``driver_memory`` (only honoured when this call
    starts the JVM) bounds the memory its tasks share before spilling to disk.

    Workers run ``PYSPARK_PYTHON`` (by default ``python3`` from PATH, which may lack pexlogs),
    so it is pointed at the running interpreter unless the caller already set it.
    """
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    cores = os.cpu_count() or 2
    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.driver.memory", driver_memory)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions or max(4, 2 * cores)))
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
    )
    for key, value in RUNTIME_SETTINGS.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return configure_session(spark)


def table_schema(tdef: TableDef) -> StructType:
    """The Spark schema of a table's columns, in registry order (partition keys excluded).

    Glue/Hive type strings (``int``, ``map<string,string>``, ``array<struct<a:string>>``) are
    valid Spark DDL, so each column's type is parsed by Spark itself.
    """
    from pyspark.sql.types import StructField, StructType, _parse_datatype_string

    return StructType(
        [
            StructField(col.name, _parse_datatype_string(col.type), True, {"comment": col.comment})
            for col in tdef.columns
        ]
    )
