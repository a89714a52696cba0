"""Transform: parse every line with the shared parser, then shape each table's rows.

Parsing yields an *envelope* DataFrame with one row per input line::

    family, dt, hour, table, record   (record = the parser's record as JSON text)

JSON keeps one schema for every table through the Python step (the job stages the envelope by
table); :func:`table_rows` then types each table's rows with Spark's ``from_json`` against the
registry schema (so the cast to ``int``/``timestamp``/``map``/``struct`` columns happens in the
JVM, once). Two ways of running
the parser are offered because their speed differs by workload: ``arrow`` (``mapInArrow``, the
default; batches cross the Python boundary as Arrow) and ``rdd`` (``mapPartitions``, pickled rows).
See ``bench/etl.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from pexlogs.etl._spark import table_schema
from pexlogs.schema import UNPARSED_TABLE, TableDef

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa
    from pyspark.sql import DataFrame

__all__ = ["ENVELOPE_DDL", "PARSE_METHODS", "parse_lines", "record_json", "table_rows"]

ENVELOPE_DDL = "family string, dt string, hour string, table string, record string"
PARSE_METHODS = ("arrow", "rdd")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        # ISO-8601 with its offset: from_json reads it as the right instant in any session zone.
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def record_json(line: str, family: str, source: str) -> tuple[str, str]:
    """Parse one line; return ``(table, record as JSON)``. Never raises for any line.

    Quarantined lines get their ``source`` (the object they came from) filled in here.
    """
    from pexlogs.parser import parse_line

    record = parse_line(line, family)
    table = str(record.pop("table"))
    if table == UNPARSED_TABLE:
        record["source"] = source
    # Nulls are left out (from_json reads an absent field as null): a quarter fewer bytes to
    # move, shuffle and stage.
    return table, json.dumps(
        {key: value for key, value in record.items() if value is not None}, default=_json_default
    )


def _parse_arrow_batches(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    import pyarrow as pa

    for batch in batches:
        families = batch.column("family")
        lines = batch.column("line").to_pylist()
        sources = batch.column("source").to_pylist()
        tables, records = [], []
        for line, family, source in zip(lines, families.to_pylist(), sources, strict=True):
            table, record = record_json(line or "", family, source)
            tables.append(table)
            records.append(record)
        yield pa.RecordBatch.from_arrays(
            [
                families,
                batch.column("dt"),
                batch.column("hour"),
                pa.array(tables, pa.string()),
                pa.array(records, pa.string()),
            ],
            names=["family", "dt", "hour", "table", "record"],
        )


def _parse_rows(rows: Iterable[Any]) -> Iterator[tuple[str, str, str, str, str]]:
    for row in rows:
        table, record = record_json(row.line or "", row.family, row.source)
        yield row.family, row.dt, row.hour, table, record


def parse_lines(lines: DataFrame, *, method: str = "arrow") -> DataFrame:
    """The envelope (:data:`ENVELOPE_DDL`) of a DataFrame of lines: exactly one row per line.

    ``lines`` has ``family, dt, hour, source, line`` (see :mod:`pexlogs.etl._read`).
    """
    if method == "arrow":
        return lines.select("family", "dt", "hour", "source", "line").mapInArrow(
            _parse_arrow_batches, ENVELOPE_DDL
        )
    if method == "rdd":
        rdd = lines.select("family", "dt", "hour", "source", "line").rdd.mapPartitions(_parse_rows)
        return lines.sparkSession.createDataFrame(rdd, ENVELOPE_DDL)
    raise ValueError(f"unknown parse method {method!r}: expected one of {PARSE_METHODS}")


def table_rows(records: DataFrame, tdef: TableDef) -> DataFrame:
    """One table's rows: its registry columns, typed and in order, then ``dt`` and ``hour``.

    ``records`` holds that table's ``record`` (JSON text), ``dt`` and ``hour``.
    """
    from pyspark.sql import functions as F

    schema = table_schema(tdef)
    parsed = F.from_json(
        "record",
        schema,
        # A record that does not fit its table's types is a parser bug: fail loudly rather than
        # null the row. Timestamps are ISO-8601 with an offset, which Spark's default reads.
        {"mode": "FAILFAST"},
    )
    return records.select(parsed.alias("r"), "dt", "hour").select(
        *[F.col(f"r.`{name}`").alias(name) for name in tdef.column_names], "dt", "hour"
    )
