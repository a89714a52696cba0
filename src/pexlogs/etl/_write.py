"""Write: one table's rows as Parquet partitions, overwriting exactly the partitions written.

``partitionOverwriteMode=dynamic`` replaces only the ``dt=/hour=`` folders present in the data
(Spark's default, static, would delete every partition of the table). Rows are repartitioned by
``dt, hour`` first so each partition is written by one task: one file per partition (more only
past :data:`MAX_RECORDS_PER_FILE`), not one per input task.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from pexlogs.etl._read import _hadoop_fs

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

__all__ = [
    "MAX_RECORDS_PER_FILE",
    "count_partition_rows",
    "count_table_rows",
    "delete_partition_dirs",
    "existing_hours",
    "partition_uri",
    "read_staged",
    "staged_partitions",
    "write_partitions",
]

MAX_RECORDS_PER_FILE = 5_000_000


def partition_uri(table_location: str, dt: str, hour: str) -> str:
    """A partition's folder: ``<table location>/dt=<dt>/hour=<hour>/``."""
    return f"{table_location.rstrip('/')}/dt={dt}/hour={hour}/"


def write_partitions(
    rows: DataFrame, table_location: str, *, compression: str = "zstd", repartition: bool = True
) -> None:
    """Write ``rows`` (table columns + ``dt``, ``hour``) below ``table_location``.

    ``repartition=False`` when each partition's rows already come from one staged file (the
    job stages one file per table, dt and hour), which saves a shuffle per table.
    """
    if repartition:
        rows = rows.repartition("dt", "hour")
    (
        rows.write.mode("overwrite")
        .option("partitionOverwriteMode", "dynamic")
        .option("compression", compression)
        .option("maxRecordsPerFile", MAX_RECORDS_PER_FILE)
        .partitionBy("dt", "hour")
        .parquet(table_location)
    )


def count_partition_rows(
    spark: SparkSession,
    table_location: str,
    partitions: Iterable[tuple[str, str]],
    *,
    families: Sequence[str] | None = None,
) -> dict[tuple[str, str], int]:
    """Rows stored in each ``(dt, hour)`` partition, read back from the written Parquet.

    With ``families``, only rows whose ``family`` column is one of them (``unparsed_lines``).
    """
    from pyspark.sql import functions as F

    paths = [partition_uri(table_location, dt, hour) for dt, hour in sorted(set(partitions))]
    if not paths:
        return {}
    stored = spark.read.option("basePath", table_location).parquet(*paths)
    if families is not None:
        stored = stored.where(F.col("family").isin(list(families)))
    counted = stored.groupBy("dt", "hour").agg(F.count(F.lit(1)).alias("n")).collect()
    return {(row["dt"], row["hour"]): int(row["n"]) for row in counted}


# <location>/<table>/dt=<dt>/hour=<hour>/<file>
_PARTITION_FILE = r"^.*/([^/]+)/dt=([^/]+)/hour=([^/]+)/[^/]+$"


def count_table_rows(
    spark: SparkSession, partition_uris: Sequence[str]
) -> dict[tuple[str, str, str], int]:
    """Rows stored per ``(table, dt, hour)`` under partition folders of any tables, in one job.

    Reads only the Parquet footers' row counts (no column is selected), so tables of different
    schemas can be counted together.
    """
    from pyspark.sql import functions as F

    if not partition_uris:
        return {}
    path = F.col("_metadata.file_path")
    counted = (
        spark.read.option("recursiveFileLookup", "true")
        .parquet(*partition_uris)
        .select(
            F.regexp_extract(path, _PARTITION_FILE, 1).alias("table"),
            F.regexp_extract(path, _PARTITION_FILE, 2).alias("dt"),
            F.regexp_extract(path, _PARTITION_FILE, 3).alias("hour"),
        )
        .groupBy("table", "dt", "hour")
        .count()
        .collect()
    )
    return {(r["table"], r["dt"], r["hour"]): int(r["count"]) for r in counted}


def staged_partitions(spark: SparkSession, staging: str) -> dict[str, set[tuple[str, str]]]:
    """The ``table=…/dt=…/hour=…`` folders under a staging root, as ``{table: {(dt, hour)}}``."""
    fs, path = _hadoop_fs(spark, f"{staging.rstrip('/')}/table=*/dt=*/hour=*")
    found: dict[str, set[tuple[str, str]]] = {}
    for status in fs.globStatus(path) or []:
        hour_dir = status.getPath()
        dt_dir = hour_dir.getParent()
        table_dir = dt_dir.getParent()
        found.setdefault(table_dir.getName().split("=", 1)[1], set()).add(
            (dt_dir.getName().split("=", 1)[1], hour_dir.getName().split("=", 1)[1])
        )
    return found


def read_staged(spark: SparkSession, staging: str, table: str) -> DataFrame:
    """One table's staged rows: ``record`` (JSON), ``dt``, ``hour`` (strings)."""
    return (
        spark.read.option("basePath", staging)
        .parquet(f"{staging.rstrip('/')}/table={table}")
        .select("record", "dt", "hour")
    )


def existing_hours(spark: SparkSession, table_location: str, dt: str) -> list[str]:
    """The ``hour=`` partitions stored under ``<table>/dt=<dt>/`` (none if it does not exist)."""
    fs, path = _hadoop_fs(spark, f"{table_location.rstrip('/')}/dt={dt}")
    if not fs.exists(path):
        return []
    hours = []
    for status in fs.listStatus(path):
        name = status.getPath().getName()
        if status.isDirectory() and name.startswith("hour="):
            hours.append(name.split("=", 1)[1])
    return sorted(hours)


def delete_partition_dirs(spark: SparkSession, uris: Iterable[str]) -> int:
    """Delete partition folders (recursively); return how many existed."""
    deleted = 0
    for uri in uris:
        fs, path = _hadoop_fs(spark, uri)
        if fs.exists(path):
            fs.delete(path, True)
            deleted += 1
    return deleted
