"""The batch ETL: CloudWatch export objects → shared parser → Parquet tables + Glue catalog.

Runs unchanged on AWS Glue 5.x (``glue_jobs/pexip_logs_etl.py``) and on local Spark
(``pexlogs etl``, the local runner). Entry points:

- :func:`run_job` ``(spark, *, windows, raw_uri, curated_uri, database=None, glue_client=None,
  families=None, parse_method="arrow") -> summary``;
- :func:`run_from_arguments` ``(arguments, *, spark=None, glue_client=None) -> summary``: the same,
  from the ``--key`` → value mapping of Glue's StartJobRun ``Arguments``;
- :func:`run_folder_job`: a folder of plain syslog files of one family (no AWS).

Job arguments (``--key value``; the leading ``--`` is optional in :func:`run_from_arguments`):

``--windows`` (required)
    JSON list of ``{"start": "2026-11-27T10:00:00Z", "end": "2026-11-27T11:00:00Z"}``, whole UTC
    hours; a window may span several hours. Overlapping windows are merged.
``--raw_uri`` (required)
    Root of the raw bucket (``s3://raw-bucket`` or ``file:///…``); objects are read from
    ``<raw_uri>/exports/<family>/<YYYY>/<MM>/<DD>/<HH>/`` (anything below; the
    ``aws-logs-write-test`` probe and empty objects are skipped).
``--curated_uri`` (required)
    Root of the curated tables: ``<curated_uri>/<family>/<table>/dt=…/hour=…/part-*.parquet``.
``--database`` (optional, default none)
    Glue database to create/update tables and partitions in; empty or absent: no catalog calls.
``--families`` (optional, default every family in ``metadata/``)
    Comma-separated subset, e.g. ``support,web``.
``--catalog`` (optional, default ``true``)
    ``false`` skips the catalog even when ``--database`` is given.
``--parse_method`` (optional, default ``arrow``)
    ``arrow`` (mapInArrow) or ``rdd`` (mapPartitions); see ``bench/etl.py``.
``--summary_uri`` (optional; read by the Glue entry script only)
    ``s3://bucket/key.json`` (or ``file:///…``) where ``glue_jobs/pexip_logs_etl.py`` also writes
    the summary, for the workflow to read back. :func:`run_from_arguments` ignores it (the local
    runner stores the summary itself).

Summary (returned; the Glue script prints it as its last stdout line)::

    {"lines_read": {"support": 120, ...}, "rows_written": {"support_other": 3, ...,
     "unparsed_lines": 2}, "quarantined": 2, "windows": [{"start": ..., "end": ...}],
     "partitions": 7, "objects": 6, "skipped_objects": 3, "deleted_partitions": 0,
     "seconds": 4.2, "catalog": {...}}

``rows_written`` includes ``unparsed_lines``; the job raises :class:`~pexlogs.exceptions.JobError`
unless the lines read (all families) equal the rows written (all tables).
"""

from __future__ import annotations

from pexlogs.etl._spark import configure_session, local_session, table_schema
from pexlogs.etl._windows import Hour, Window, parse_windows, window_hours
from pexlogs.etl.job import DEFAULT_DATABASE, run_folder_job, run_from_arguments, run_job

__all__ = [
    "DEFAULT_DATABASE",
    "Hour",
    "Window",
    "configure_session",
    "local_session",
    "parse_windows",
    "run_folder_job",
    "run_from_arguments",
    "run_job",
    "table_schema",
    "window_hours",
]
