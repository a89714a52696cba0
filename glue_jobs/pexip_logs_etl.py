"""AWS Glue entry script of the pexlogs ETL job (Glue 5.x: Spark 3.5, Python 3.11).

Thin on purpose: it reads the job arguments and hands them to :func:`pexlogs.etl.run_from_arguments`
(shipped as the pexlogs wheel through ``--extra-py-files``), then prints the JSON summary as its
last stdout line. A plain ``SparkSession`` is used: it is what Glue runs underneath, and unlike
``GlueContext`` it also works where Glue's jars are absent (local runs, tests).

Arguments (see :mod:`pexlogs.etl` for the full list): ``--windows``, ``--raw_uri``,
``--curated_uri``, ``--database``; optional ``--families``, ``--catalog``, ``--parse_method``, and
``--summary_uri`` (``s3://bucket/key.json`` or ``file:///…``): where this script also writes the
summary, because ``glue:startJobRun.sync`` gives the workflow the JobRun, not the job's stdout.

Locally: ``python glue_jobs/pexip_logs_etl.py --windows '[...]' --raw_uri file:///… --curated_uri …``
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

REQUIRED = ("windows", "raw_uri", "curated_uri")
OPTIONAL = ("database", "families", "catalog", "parse_method", "summary_uri")


def resolve_arguments(argv: Sequence[str]) -> dict[str, str]:
    """The job arguments as ``{"--name": value}``: Glue's resolver on Glue, argparse elsewhere."""
    try:
        from awsglue.utils import getResolvedOptions
    except ImportError:  # not on Glue
        getResolvedOptions = None

    if getResolvedOptions is not None:
        # getResolvedOptions fails on an absent name, so ask only for the optional ones given.
        given = [name for name in OPTIONAL if f"--{name}" in argv]
        resolved = getResolvedOptions(list(argv), [*REQUIRED, *given])
        return {f"--{name}": str(resolved[name]) for name in (*REQUIRED, *given)}
    parser = argparse.ArgumentParser(description="pexlogs ETL job (local run of the Glue script)")
    for name in REQUIRED:
        parser.add_argument(f"--{name}", required=True)
    for name in OPTIONAL:
        parser.add_argument(f"--{name}")
    known, _ = parser.parse_known_args(list(argv[1:]))  # Glue adds --JOB_NAME and friends
    return {f"--{k}": v for k, v in vars(known).items() if v is not None}


def write_summary(uri: str, summary: dict[str, object], *, s3_client: object = None) -> None:
    """Store the summary JSON at ``uri`` (``s3://bucket/key`` or a ``file://``/local path)."""
    body = json.dumps(summary).encode()
    if uri.startswith("s3://"):
        bucket, _, key = uri[len("s3://") :].partition("/")
        if s3_client is None:
            import boto3

            s3_client = boto3.client("s3")
        s3_client.put_object(  # type: ignore[attr-defined]
            Bucket=bucket, Key=key, Body=body, ContentType="application/json"
        )
        return
    from urllib.parse import unquote, urlparse

    path = Path(unquote(urlparse(uri).path)) if uri.startswith("file:") else Path(uri)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)


def main(argv: Sequence[str] | None = None) -> int:
    from pyspark.sql import SparkSession

    from pexlogs.etl import run_from_arguments

    arguments = resolve_arguments(sys.argv if argv is None else argv)
    spark = SparkSession.getActiveSession()
    if spark is None:
        if "awsglue" in sys.modules:  # on Glue: the session Glue configured
            spark = SparkSession.builder.getOrCreate()
        else:
            from pexlogs.etl import local_session

            spark = local_session()
    summary = run_from_arguments(arguments, spark=spark)
    if arguments.get("--summary_uri"):
        write_summary(arguments["--summary_uri"], summary)
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
