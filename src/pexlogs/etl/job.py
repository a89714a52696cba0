"""The ETL job: export objects (or a folder of syslog files) in, Parquet tables and catalog out.

Steps (each a DataFrame-in/DataFrame-out function in this package):

1. list the objects of the requested hours and read their lines (:mod:`._read`);
2. spread the lines over all cores (gzip is not splittable: one object is one task), parse them
   with the shared parser into an envelope, one row per line (:mod:`._transform`), and stage it
   as Parquet by table, dt and hour; the lines counted on the way are the lines read. If an
   object cannot be read, the run fails naming it;
3. write each table from its own staged rows, typed to its schema, with dynamic partition
   overwrite (:mod:`._write`), then read the written partitions' Parquet footers back to count
   what was stored;
4. remove partitions a re-run no longer produces, in hours whose exports were read (so a
   re-processed window holds exactly the rows of its current exports, in every table);
5. create missing catalog tables and register every written partition (:mod:`pexlogs.catalog`);
6. check lines read == rows written (``unparsed_lines`` included) or raise :class:`JobError`.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pexlogs.catalog import (
    delete_partitions,
    ensure_database,
    ensure_tables,
    partition_for,
    register_partitions,
)
from pexlogs.etl._read import (
    list_export_objects,
    list_plain_files,
    read_export_lines,
    read_plain_lines,
)
from pexlogs.etl._spark import configure_session
from pexlogs.etl._transform import PARSE_METHODS, parse_lines, table_rows
from pexlogs.etl._windows import Window, parse_windows, window_hours
from pexlogs.etl._write import (
    count_partition_rows,
    count_table_rows,
    delete_partition_dirs,
    existing_hours,
    partition_uri,
    read_staged,
    staged_partitions,
    write_partitions,
)
from pexlogs.exceptions import JobError, PexlogsError, UsageError
from pexlogs.schema import UNPARSED_TABLE, Registry, TableDef, load_registry

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["DEFAULT_DATABASE", "run_folder_job", "run_from_arguments", "run_job"]

DEFAULT_DATABASE = "pexip_logs"
Progress = Callable[[str], None]
# Table writes run concurrently: most tables are small, and one Spark job each would otherwise
# leave cores idle between jobs.
_WRITE_THREADS = 4
_MAX_CORRUPT_REPORTED = 5
# Parsed records wait here between the parse and the table writes (removed after each run).
_STAGING = "_staging"
_BYTES_PER_TASK = 1_000_000  # of input (gzip) bytes: ~15,000 exported lines


def _quiet(_: str) -> None:
    return None


@dataclass
class _Plan:
    """What one run covers: its families, and the (family, dt, hour) whose input was read."""

    families: tuple[str, ...]
    touched: set[tuple[str, str, str]] = field(default_factory=set)
    objects: int = 0
    input_bytes: int = 0
    skipped: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------- public entries


def run_job(
    spark: SparkSession,
    *,
    windows: str | Iterable[Mapping[str, str] | Window],
    raw_uri: str,
    curated_uri: str,
    database: str | None = None,
    glue_client: Any = None,
    families: Sequence[str] | None = None,
    parse_method: str = "arrow",
    registry: Registry | None = None,
    on_progress: Progress | None = None,
) -> dict[str, Any]:
    """Process the export windows: read, parse, write Parquet, update the catalog; return counts.

    ``windows`` is the ``--windows`` JSON text or a list of ``{"start", "end"}`` whole UTC hours.
    With ``database`` set the catalog is updated through ``glue_client`` (default
    ``boto3.client("glue")``). ``families`` defaults to every family of the registry.
    Returns the summary (see :mod:`pexlogs.etl`); raises :class:`JobError` when a line is not
    accounted for, or an export object cannot be read.
    """
    progress = on_progress or _quiet
    registry = registry or load_registry()
    parsed_windows = parse_windows(windows)
    chosen = _families(registry, families)
    configure_session(spark)
    hours = window_hours(parsed_windows)
    progress(f"listing export objects ({len(hours)} hour(s) x {len(chosen)} famil(ies))")
    objects, skipped = list_export_objects(spark, raw_uri, hours, chosen)
    plan = _Plan(
        families=chosen,
        objects=len(objects),
        input_bytes=sum(o.size for o in objects),
        skipped=skipped,
    )
    for obj in objects:
        plan.touched.add((obj.family, obj.hour.dt, obj.hour.hour))
    for uri in skipped:  # an export that ran but held nothing still defines its hour
        for family in chosen:
            for hour in hours:
                if f"/{hour.prefix(family)}/" in uri:
                    plan.touched.add((family, hour.dt, hour.hour))
    lines = read_export_lines(spark, objects)
    summary = _process(
        spark,
        lines,
        plan,
        sources=[o.uri for o in objects],
        curated_uri=curated_uri,
        database=database,
        glue_client=glue_client,
        registry=registry,
        parse_method=parse_method,
        progress=progress,
    )
    summary["windows"] = [w.as_dict() for w in parsed_windows]
    return _ordered(summary)


def run_folder_job(
    spark: SparkSession,
    *,
    input_uri: str,
    family: str,
    curated_uri: str,
    database: str | None = None,
    glue_client: Any = None,
    parse_method: str = "arrow",
    registry: Registry | None = None,
    on_progress: Progress | None = None,
) -> dict[str, Any]:
    """Process a folder (or one file) of plain syslog lines of one family, without AWS exports.

    Each line is partitioned by the UTC hour of its own syslog timestamp; re-running the same
    folder replaces the partitions of the hours it contains. Returns the same summary as
    :func:`run_job` (``windows`` lists the hours found).
    """
    progress = on_progress or _quiet
    registry = registry or load_registry()
    chosen = _families(registry, [family])
    configure_session(spark)
    progress(f"listing {input_uri}")
    found, skipped = list_plain_files(spark, input_uri)
    if not found and not skipped:
        raise UsageError(f"nothing to read at {input_uri}")
    files = [uri for uri, _ in found]
    # Plain text is ~8 times bigger than the same lines gzipped.
    size = sum(n for _, n in found) // 8
    plan = _Plan(families=chosen, objects=len(files), input_bytes=size, skipped=skipped)
    lines = read_plain_lines(spark, files, family)
    summary = _process(
        spark,
        lines,
        plan,
        sources=files,
        curated_uri=curated_uri,
        database=database,
        glue_client=glue_client,
        registry=registry,
        parse_method=parse_method,
        progress=progress,
        touched_from_data=True,
    )
    return _ordered(summary)


def run_from_arguments(
    arguments: Mapping[str, str], *, spark: SparkSession | None = None, glue_client: Any = None
) -> dict[str, Any]:
    """Run the job from Glue-style arguments (``{"--windows": "...", "--raw_uri": ..., ...}``).

    Keys may carry the leading ``--`` (StartJobRun ``Arguments``) or not (``getResolvedOptions``).
    Without ``spark`` the active session is used, or a local one is started.
    """
    args = {key.lstrip("-"): value for key, value in arguments.items() if value is not None}
    missing = [k for k in ("windows", "raw_uri", "curated_uri") if not args.get(k)]
    if missing:
        raise UsageError("missing job argument(s): " + ", ".join(f"--{k}" for k in missing))
    families = [f.strip() for f in args.get("families", "").split(",") if f.strip()] or None
    catalog = args.get("catalog", "true").strip().lower() not in ("false", "0", "no", "off")
    database = (args.get("database") or "").strip() or None
    windows = parse_windows(args["windows"])  # fail on bad input before starting Spark
    if spark is None:
        from pyspark.sql import SparkSession

        spark = SparkSession.getActiveSession()
        if spark is None:
            from pexlogs.etl._spark import local_session

            spark = local_session()
    return run_job(
        spark,
        windows=windows,
        raw_uri=args["raw_uri"],
        curated_uri=args["curated_uri"],
        database=database if catalog else None,
        glue_client=glue_client,
        families=families,
        parse_method=args.get("parse_method", "arrow"),
    )


# ----------------------------------------------------------------------------- the pipeline


def _families(registry: Registry, families: Sequence[str] | None) -> tuple[str, ...]:
    known = tuple(f for f in registry.families if f != "unparsed")
    if not families:
        return known
    unknown = [f for f in families if f not in known]
    if unknown:
        raise UsageError(f"unknown famil(ies) {', '.join(unknown)}: expected {', '.join(known)}")
    return tuple(dict.fromkeys(families))


def _ordered(summary: dict[str, Any]) -> dict[str, Any]:
    keys = ("lines_read", "rows_written", "quarantined", "windows", "partitions")
    return {**{k: summary[k] for k in keys if k in summary}, **summary}


def _root_cause(exc: BaseException) -> str:
    java = getattr(exc, "java_exception", None)
    if java is not None:
        cause = java
        while cause.getCause() is not None:
            cause = cause.getCause()
        return str(cause.toString())
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def _find_unreadable(spark: SparkSession, sources: Sequence[str]) -> list[tuple[str, str]]:
    """Bisect ``sources`` to the objects Spark cannot read (only run after a read failed)."""
    try:
        spark.read.text(list(sources)).count()
        return []
    except Exception as exc:
        if len(sources) == 1:
            return [(sources[0], _root_cause(exc))]
    middle = len(sources) // 2
    found = _find_unreadable(spark, sources[:middle])
    if len(found) < _MAX_CORRUPT_REPORTED:
        found += _find_unreadable(spark, sources[middle:])
    return found


def _process(
    spark: SparkSession,
    lines: DataFrame,
    plan: _Plan,
    *,
    sources: Sequence[str],
    curated_uri: str,
    database: str | None,
    glue_client: Any,
    registry: Registry,
    parse_method: str,
    progress: Progress,
    touched_from_data: bool = False,
) -> dict[str, Any]:
    from pyspark.sql import Observation
    from pyspark.sql import functions as F

    if parse_method not in PARSE_METHODS:
        raise UsageError(f"unknown parse method {parse_method!r}: expected {PARSE_METHODS}")
    started = time.monotonic()
    curated_uri = curated_uri.rstrip("/")
    # One gzip object is one task: spread the lines over every core before the costly parse
    # (a few tasks per core for balance; a small input stays in few tasks, each costs overhead).
    # Hashing a row id spreads them evenly without the sort a round-robin repartition implies.
    slots = max(
        1,
        min(spark.sparkContext.defaultParallelism * 3, -(-plan.input_bytes // _BYTES_PER_TASK)),
    )
    envelope = parse_lines(
        lines.repartition(slots, F.monotonically_increasing_id()), method=parse_method
    )
    # The parse step emits exactly one row per line read: its counts are the lines read.
    observed = Observation("pexlogs-lines-read")
    envelope = envelope.observe(
        observed,
        F.count(F.lit(1)).alias("__total__"),
        *[F.sum(F.when(F.col("family") == f, 1).otherwise(0)).alias(f) for f in plan.families],
    )
    staging = f"{curated_uri}/{_STAGING}/{uuid.uuid4().hex}"
    try:
        progress(f"reading and parsing {plan.objects} object(s)")
        per_table = _stage(spark, envelope, staging, sources, slots)
        counts = observed.get if sources else {}
        lines_read = {f: int(counts.get(f) or 0) for f in plan.families}
        total = int(counts.get("__total__") or 0)
        if sum(lines_read.values()) != total:
            raise JobError(f"lines of unexpected families: {total} read, {lines_read}")
        unknown = sorted(set(per_table) - set(registry.tables))
        if unknown:
            raise JobError(f"the parser produced table(s) metadata does not define: {unknown}")
        if touched_from_data:  # a folder of one family: the hours are those of its lines
            for hours in per_table.values():
                plan.touched |= {(f, dt, hour) for f in plan.families for dt, hour in hours}

        targets = _target_tables(registry, plan)
        written = _write_tables(
            spark, staging, per_table, targets, curated_uri, plan, registry, progress
        )
    finally:
        delete_partition_dirs(spark, [staging])

    stale = _remove_stale(spark, targets, written, curated_uri, registry)
    rows_written = {
        table: total_rows
        for table, counts in sorted(written.counts.items())
        if (total_rows := sum(counts.values()))
    }
    partitions = sorted((t, dt, hour) for t, hours in written.stored.items() for dt, hour in hours)
    catalog: dict[str, Any] = {}
    if database:
        progress(f"updating Glue database {database}")
        catalog = _update_catalog(
            glue_client, database, registry, curated_uri, partitions, stale, plan
        )
    summary: dict[str, Any] = {
        "lines_read": lines_read,
        "rows_written": rows_written,
        "quarantined": rows_written.get(UNPARSED_TABLE, 0),
        "partitions": len(partitions),
        "objects": plan.objects,
        "skipped_objects": len(plan.skipped),
        "deleted_partitions": sum(len(v) for v in stale.values()),
        "seconds": round(time.monotonic() - started, 1),
    }
    if catalog:
        summary["catalog"] = catalog
    if sum(rows_written.values()) != total:
        raise JobError(
            f"line accounting mismatch: {total} line(s) read, "
            f"{sum(rows_written.values())} row(s) written ({rows_written})"
        )
    return summary


def _stage(
    spark: SparkSession, envelope: DataFrame, staging: str, sources: Sequence[str], slots: int
) -> dict[str, set[tuple[str, str]]]:
    """Read and parse everything once, into ``<staging>/table=…/dt=…/hour=…``; return the
    partitions each table got.

    Staging by table lets each table's write read only its own rows (instead of every table
    scanning one cache of all rows, which spills to disk once it outgrows memory).
    """
    if not sources:
        return {}
    try:
        (
            envelope.select("table", "dt", "hour", "record")
            # One shuffle for all tables: each (table, dt, hour) is then staged as one file, which
            # its table's write turns into one Parquet file with no shuffle of its own.
            .repartition(slots, "table", "dt", "hour")
            .write.mode("overwrite")
            .option("compression", "zstd")
            .partitionBy("table", "dt", "hour")
            .parquet(staging)
        )
    except Exception as exc:
        # Spark's error does not say which object broke the read: find it, so the run fails
        # naming it (a corrupt object is never skipped silently).
        bad = _find_unreadable(spark, sources)
        if bad:
            listed = "; ".join(f"{uri} ({cause})" for uri, cause in bad)
            raise JobError(f"cannot read input object(s): {listed}") from exc
        raise JobError(f"reading or parsing the input failed: {_root_cause(exc)}") from exc
    return staged_partitions(spark, staging)


def _target_tables(registry: Registry, plan: _Plan) -> dict[str, set[tuple[str, str]]]:
    """Per table, the partitions this run is responsible for: the hours whose input it read."""
    targets: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for family, dt, hour in plan.touched:
        for tdef in registry.tables_for_family(family):
            targets[tdef.name].add((dt, hour))
        targets[UNPARSED_TABLE].add((dt, hour))
    return targets


def _partial_families(registry: Registry, plan: _Plan) -> bool:
    return set(plan.families) != {f for f in registry.families if f != "unparsed"}


@dataclass
class _Written:
    """Per table: rows this run stored per partition, and the partitions holding any rows."""

    counts: dict[str, dict[tuple[str, str], int]] = field(default_factory=dict)
    stored: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    deleted: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def _write_tables(
    spark: SparkSession,
    staging: str,
    per_table: Mapping[str, set[tuple[str, str]]],
    targets: Mapping[str, set[tuple[str, str]]],
    curated_uri: str,
    plan: _Plan,
    registry: Registry,
    progress: Progress,
) -> _Written:
    """Write every table with rows (and, for a partial run, the shared ``unparsed_lines``)."""
    partial = _partial_families(registry, plan)
    names = set(per_table)
    # unparsed_lines is shared by every family: when only some families run, its partitions
    # must keep the other families' rows, so it is rewritten even where this run adds none.
    if partial and targets.get(UNPARSED_TABLE):
        names.add(UNPARSED_TABLE)
    jobs = [registry.table(name) for name in sorted(names)]
    result = _Written()
    done: list[str] = []

    def write_one(tdef: TableDef) -> None:
        location = tdef.location(curated_uri)
        new_hours = set(per_table.get(tdef.name, set()))
        stored = set(new_hours)
        merged = tdef.name == UNPARSED_TABLE and partial
        try:
            staged = (
                read_staged(spark, staging, tdef.name)
                if new_hours
                else spark.createDataFrame([], "record string, dt string, hour string")
            )
            rows = table_rows(staged, tdef)
            if merged:
                rows, kept_hours, deleted = _merge_unparsed(
                    spark,
                    rows,
                    tdef,
                    location,
                    new_hours | targets[UNPARSED_TABLE],
                    new_hours,
                    plan,
                )
                stored |= kept_hours
                if deleted:
                    result.deleted[tdef.name] = deleted
            if stored:
                # A merged table unions two inputs: only it needs the shuffle.
                write_partitions(rows, location, repartition=merged)
            if merged:  # count only this run's families' rows among the kept ones
                result.counts[tdef.name] = count_partition_rows(
                    spark, location, new_hours, families=plan.families
                )
        except PexlogsError:
            raise
        except Exception as exc:
            raise JobError(f"writing table {tdef.name} failed: {_root_cause(exc)}") from exc
        result.stored[tdef.name] = stored
        done.append(tdef.name)
        progress(f"wrote {tdef.name} ({len(done)}/{len(jobs)} tables)")

    with ThreadPoolExecutor(max_workers=_WRITE_THREADS) as pool:
        list(pool.map(write_one, jobs))

    # Read back what was stored (Parquet footers only, every table in one Spark job).
    progress("counting stored rows")
    counted_above = set(result.counts)  # a merged unparsed_lines
    uris = [
        partition_uri(registry.table(name).location(curated_uri), dt, hour)
        for name, hours in sorted(per_table.items())
        if name not in counted_above
        for dt, hour in sorted(hours)
    ]
    try:
        stored_rows = count_table_rows(spark, uris)
    except Exception as exc:
        raise JobError(f"reading back the written partitions failed: {_root_cause(exc)}") from exc
    for (name, dt, hour), count in stored_rows.items():
        if name not in counted_above:
            result.counts.setdefault(name, {})[(dt, hour)] = count
    return result


def _merge_unparsed(
    spark: SparkSession,
    rows: DataFrame,
    tdef: TableDef,
    location: str,
    hours: set[tuple[str, str]],
    new_hours: set[tuple[str, str]],
    plan: _Plan,
) -> tuple[DataFrame, set[tuple[str, str]], list[tuple[str, str]]]:
    """New quarantined rows plus the rows other families left in the same partitions.

    Returns the rows to write, the partitions that keep other families' rows, and the
    partitions deleted because nothing is left in them.
    """
    from pyspark.sql import functions as F

    present = {
        (dt, h) for dt in {dt for dt, _ in hours} for h in existing_hours(spark, location, dt)
    } & hours
    if not present:
        return rows, set(), []
    kept = (
        spark.read.option("basePath", location)
        .parquet(*[partition_uri(location, dt, h) for dt, h in sorted(present)])
        .where(~F.col("family").isin(list(plan.families)) | F.col("family").isNull())
        .select(*tdef.column_names, "dt", "hour")
    )
    # Materialise the kept rows away from their files, which the overwrite is about to replace.
    kept = kept.localCheckpoint(eager=True)
    kept_hours = {(r["dt"], r["hour"]) for r in kept.select("dt", "hour").distinct().collect()}
    emptied = sorted(present - kept_hours - new_hours)
    delete_partition_dirs(spark, [partition_uri(location, dt, h) for dt, h in emptied])
    return rows.unionByName(kept), kept_hours, emptied


def _remove_stale(
    spark: SparkSession,
    targets: Mapping[str, set[tuple[str, str]]],
    written: _Written,
    curated_uri: str,
    registry: Registry,
) -> dict[str, list[tuple[str, str]]]:
    """Delete partitions of hours this run read that no longer get rows; return them all."""
    stale: dict[str, list[tuple[str, str]]] = {k: list(v) for k, v in written.deleted.items()}
    for name, hours in sorted(targets.items()):
        location = registry.table(name).location(curated_uri)
        missing = hours - written.stored.get(name, set())
        if not missing:
            continue
        present: set[tuple[str, str]] = set()
        for dt in sorted({dt for dt, _ in missing}):
            present |= {(dt, h) for h in existing_hours(spark, location, dt)}
        gone = sorted(missing & present)
        if gone:
            delete_partition_dirs(spark, [partition_uri(location, dt, h) for dt, h in gone])
            stale.setdefault(name, []).extend(gone)
    return stale


def _update_catalog(
    glue_client: Any,
    database: str,
    registry: Registry,
    curated_uri: str,
    partitions: Sequence[tuple[str, str, str]],
    stale: Mapping[str, Sequence[tuple[str, str]]],
    plan: _Plan,
) -> dict[str, Any]:
    if glue_client is None:
        import boto3

        glue_client = boto3.client("glue")
    ensure_database(glue_client, database)
    tables = ensure_tables(glue_client, database, registry.tables.values(), curated_uri)
    registered = register_partitions(
        glue_client,
        database,
        [partition_for(registry.table(t), curated_uri, dt, h) for t, dt, h in sorted(partitions)],
    )
    removed = sum(
        delete_partitions(glue_client, database, table, [list(v) for v in values])
        for table, values in stale.items()
    )
    return {
        "database": database,
        "tables_created": sorted(t for t, how in tables.items() if how == "created"),
        "tables_updated": sorted(t for t, how in tables.items() if how == "updated"),
        "partitions_created": registered["created"],
        "partitions_updated": registered["updated"],
        "partitions_deleted": removed,
    }
