"""Read: find the export objects of the requested hours and turn them into a DataFrame of lines.

Objects are listed with Hadoop's FileSystem API (the same code lists ``s3://`` on Glue and
``file://`` locally), so the job never depends on the task-id folder AWS puts below a prefix.
Output columns: ``family``, ``dt``, ``hour``, ``source`` (the object's URI) and ``line`` (the raw
syslog line, with the export's leading event timestamp removed).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pexlogs.etl._windows import Hour

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

__all__ = [
    "EXPORT_PATH_PATTERN",
    "SKIPPED_NAMES",
    "ExportObject",
    "list_export_objects",
    "list_plain_files",
    "read_export_lines",
    "read_plain_lines",
]

# CreateExportTask writes this probe object at the top of every destination prefix.
SKIPPED_NAMES = frozenset({"aws-logs-write-test"})
# <raw>/exports/<family>/<YYYY>/<MM>/<DD>/<HH>/...: the last such run of folders in a path wins.
EXPORT_PATH_PATTERN = r".*/exports/([^/]+)/(\d{4})/(\d{2})/(\d{2})/(\d{2})/"
# The event timestamp CloudWatch puts in front of each exported line ("2026-11-27T10:00:01.123Z ").
_EVENT_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})? "


@dataclass(frozen=True)
class ExportObject:
    """One object to read, with the family and hour its prefix says it belongs to."""

    uri: str
    family: str
    hour: Hour
    size: int


def _hadoop_fs(spark: SparkSession, uri: str) -> tuple[Any, Any]:
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    path = jvm.org.apache.hadoop.fs.Path(uri)
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    return path.getFileSystem(conf), path


def _list_files(spark: SparkSession, uri: str) -> list[tuple[str, int]]:
    """Every file below ``uri`` (recursively) as ``(uri, size)``; none if it does not exist."""
    fs, path = _hadoop_fs(spark, uri)
    if not fs.exists(path):
        return []
    if fs.getFileStatus(path).isFile():
        status = fs.getFileStatus(path)
        return [(status.getPath().toString(), int(status.getLen()))]
    found = []
    iterator = fs.listFiles(path, True)
    while iterator.hasNext():
        status = iterator.next()
        found.append((status.getPath().toString(), int(status.getLen())))
    return sorted(found)


def _skippable(uri: str, size: int) -> bool:
    name = uri.rstrip("/").rsplit("/", 1)[-1]
    return size == 0 or name in SKIPPED_NAMES


def list_export_objects(
    spark: SparkSession, raw_uri: str, hours: Sequence[Hour], families: Sequence[str]
) -> tuple[list[ExportObject], list[str]]:
    """The objects to read below each ``exports/<family>/<YYYY>/<MM>/<DD>/<HH>/`` prefix.

    Returns ``(objects, skipped)``: ``skipped`` lists the URIs left out on purpose (the
    ``aws-logs-write-test`` probe and empty objects), so the summary can say so.
    """
    objects: list[ExportObject] = []
    skipped: list[str] = []
    root = raw_uri.rstrip("/")
    for family in families:
        for hour in hours:
            for uri, size in _list_files(spark, f"{root}/{hour.prefix(family)}/"):
                if _skippable(uri, size):
                    skipped.append(uri)
                else:
                    objects.append(ExportObject(uri, family, hour, size))
    return objects, skipped


def list_plain_files(spark: SparkSession, uri: str) -> tuple[list[tuple[str, int]], list[str]]:
    """Every non-empty file below a folder (or the file itself) as ``([(uri, size)], skipped)``.

    Hidden files (``.*``, ``_*``) are skipped, as Hadoop tools do.
    """
    files, skipped = [], []
    for found, size in _list_files(spark, uri):
        name = found.rsplit("/", 1)[-1]
        if size == 0 or name.startswith((".", "_")):
            skipped.append(found)
        else:
            files.append((found, size))
    return files, skipped


def read_export_lines(spark: SparkSession, objects: Sequence[ExportObject]) -> DataFrame:
    """The lines of the export objects with their family, partition and source object.

    The partition is the hour in the object's prefix (the CloudWatch event time), never a time
    written inside the line. Gzip is decompressed by Spark (one task per object).
    """
    from pyspark.sql import functions as F

    if not objects:
        return _empty_lines(spark)
    source = F.input_file_name()
    # Lines end at "\n" only: Spark's default also ends a line at a lone "\r" (or 0x1C-0x1E via
    # Python), which would cut one real line in two; the parser strips a trailing "\r".
    return (
        spark.read.option("lineSep", "\n")
        .text([o.uri for o in objects])
        .select(
            F.regexp_extract(source, EXPORT_PATH_PATTERN, 1).alias("family"),
            F.concat_ws(
                "-",
                F.regexp_extract(source, EXPORT_PATH_PATTERN, 2),
                F.regexp_extract(source, EXPORT_PATH_PATTERN, 3),
                F.regexp_extract(source, EXPORT_PATH_PATTERN, 4),
            ).alias("dt"),
            F.regexp_extract(source, EXPORT_PATH_PATTERN, 5).alias("hour"),
            source.alias("source"),
            F.regexp_replace("value", _EVENT_TIME, "").alias("line"),
        )
    )


def read_plain_lines(spark: SparkSession, files: Sequence[str], family: str) -> DataFrame:
    """Lines of plain syslog files (optionally gzipped) of one family.

    With no export around them, a line's partition is the UTC hour of its own leading syslog
    timestamp (the time the syslog server received it, the closest thing to an event time); a
    line without one lands in the ``dt=1970-01-01/hour=00`` partition, and in ``unparsed_lines``.
    """
    from pyspark.sql import functions as F

    if not files:
        return _empty_lines(spark)
    received = F.coalesce(
        F.try_to_timestamp(F.substring_index("value", " ", 1)),
        F.lit("1970-01-01 00:00:00").cast("timestamp"),
    )
    return (
        spark.read.option("lineSep", "\n")
        .text(list(files))
        .select(
            F.lit(family).alias("family"),
            F.date_format(received, "yyyy-MM-dd").alias("dt"),
            F.date_format(received, "HH").alias("hour"),
            F.input_file_name().alias("source"),
            F.col("value").alias("line"),
        )
    )


def _empty_lines(spark: SparkSession) -> DataFrame:
    return spark.createDataFrame(
        [], "family string, dt string, hour string, source string, line string"
    )


def export_hour_of(uri: str) -> tuple[str, str, str] | None:
    """``(family, dt, hour)`` from an export object's URI (the same rule the job applies)."""
    match = re.match(EXPORT_PATH_PATTERN, uri)
    if not match:
        return None
    family, year, month, day, hour = match.groups()
    return family, f"{year}-{month}-{day}", hour
