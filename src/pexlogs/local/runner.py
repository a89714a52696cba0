"""The whole pipeline on one machine: ``pexlogs run`` and ``pexlogs backfill`` (local).

One run: provision the embedded AWS (moto) like the CDK app → ingest the input into CloudWatch Logs
as the agent would → start the real state machine (moto's interpreter) with a backfill-style input
per contiguous range of hours → it exports each hour × family and starts the Glue job → the job hook
stages the exports to the local warehouse and runs the real job on local Spark, which writes Parquet
and registers partitions → check that every line is accounted for → save state and the catalog.

State lives under a home folder (``$PEXLOGS_HOME``, default ``./.pexlogs``); see
``docs/local-run.md`` for its layout.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pexlogs.exceptions import InputError, JobError, UsageError, WorkflowError
from pexlogs.local._catalog_snapshot import load_snapshot, restore_partitions, save_snapshot
from pexlogs.local._ingest import (
    HOUR_MS,
    EventStore,
    IngestResult,
    LogEvent,
    events_from_lines,
    family_from_name,
    put_events,
    read_input_lines,
)
from pexlogs.local._provision import (
    LocalNames,
    LocalStack,
    create_alert_topic,
    create_buckets,
    create_glue_job,
    create_log_groups,
    create_role,
)
from pexlogs.local._stage import stage_exports

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession
    from rich.console import Console

__all__ = [
    "DEFAULT_DEMO_HOURS",
    "JobFunction",
    "RunOptions",
    "RunSummary",
    "backfill_local",
    "default_home",
    "hour_ranges",
    "local_catalog",
    "run_local",
]

#: What one Glue job run executes locally: ``job(arguments, glue_client) -> summary``.
JobFunction = Callable[[Mapping[str, str], Any], dict[str, Any]]

DEFAULT_DEMO_HOURS = 2
# Lines per hour of the demo: enough for every table and call type to show up, small enough that
# `pexlogs run --demo` stays well under 3 minutes on 2 cores.
DEMO_LINES_PER_HOUR = 5000
# Hours per execution; the state machine refuses longer ranges (its configurable maximum).
DEFAULT_MAX_HOURS_PER_EXECUTION = 72
# Ranges of hours at most this far apart are processed by one execution.
JOIN_GAP_HOURS = 6
REGION = "eu-west-1"
ACCOUNT_ID = "123456789012"  # moto's default account
STATE_VERSION = 1


def default_home() -> Path:
    """``$PEXLOGS_HOME``, else ``./.pexlogs``."""
    return Path(os.environ.get("PEXLOGS_HOME") or ".pexlogs")


@dataclass
class RunOptions:
    """What ``pexlogs run`` was asked to do."""

    home: Path = field(default_factory=default_home)
    inputs: Sequence[Path] = ()
    demo: bool = False
    start: datetime | None = None  # first hour (UTC) to generate (demo) or process (input)
    hours: int | None = None
    seed: int = 7
    demo_scale: float = 1.0
    max_hours_per_execution: int = DEFAULT_MAX_HOURS_PER_EXECUTION


@dataclass
class RunSummary:
    """What a run did; ``to_json()`` is the ``--json`` line."""

    windows: list[dict[str, str]]
    lines_in: dict[str, int]  # per family, every line of the processed hours
    rows_written: dict[str, int]  # per table (incl. unparsed_lines)
    quarantined: int
    lines_ingested: dict[str, int] = field(default_factory=dict)  # new this run, per family
    already_ingested: bool = False
    executions: list[dict[str, Any]] = field(default_factory=list)
    home: str = ""
    curated: str = ""
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase
    demo_manifest: dict[str, Any] | None = None
    # The generator's GenerationStats of a --demo run (what the queries should find); not in JSON.
    demo_stats: Any = None

    @property
    def total_lines_in(self) -> int:
        return sum(self.lines_in.values())

    @property
    def total_rows_written(self) -> int:
        return sum(self.rows_written.values())

    def to_json(self) -> dict[str, Any]:
        """The machine-readable summary (``--json``)."""
        return {
            "lines_in": self.total_lines_in,
            "rows_written": self.total_rows_written,
            "quarantined": self.quarantined,
            "tables": dict(sorted(self.rows_written.items())),
            "windows": self.windows,
            "lines_in_per_family": dict(sorted(self.lines_in.items())),
            "lines_ingested": dict(sorted(self.lines_ingested.items())),
            "already_ingested": self.already_ingested,
            "executions": [e.get("executionArn", "") for e in self.executions],
            "home": self.home,
            "curated": self.curated,
            "seconds": round(self.seconds, 1),
            "timings": {k: round(v, 1) for k, v in self.timings.items()},
        }


# ------------------------------------------------------------------------------------ state file


class _State:
    """``<home>/state.json``: what was ingested, and every run's windows and counts."""

    def __init__(self, home: Path) -> None:
        self.path = home / "state.json"
        self.data: dict[str, Any] = {"version": STATE_VERSION, "ingests": {}, "runs": []}
        if self.path.is_file():
            try:
                self.data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise InputError(
                    f"cannot read {self.path}: {exc} (delete it to start over)"
                ) from None

    @property
    def ingest_ids(self) -> list[str]:
        return list(self.data.get("ingests", {}))

    def add_ingest(self, result: IngestResult, source: str) -> None:
        self.data.setdefault("ingests", {})[result.ingest_id] = {
            "source": source,
            "at": _iso(datetime.now(UTC)),
            "lines": result.lines,
            "hours": [_iso(_from_ms(h)) for h in result.hours],
        }

    def add_run(self, command: str, summary: RunSummary) -> None:
        record = {"command": command, "at": _iso(datetime.now(UTC)), **summary.to_json()}
        record.pop("home", None)
        self.data.setdefault("runs", []).append(record)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial")
        partial.write_text(json.dumps(self.data, indent=1) + "\n", encoding="utf-8")
        partial.replace(self.path)


# ------------------------------------------------------------------------------------ helpers


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _to_ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def _floor_hour(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def hour_ranges(
    hours: Sequence[int], max_hours: int, *, gap_hours: int = 0
) -> list[dict[str, str]]:
    """Backfill windows ``{"start","end"}`` covering the given hours (epoch ms): one per run of
    consecutive hours, split so none is longer than ``max_hours``. With ``gap_hours``, runs
    separated by at most that many empty hours are joined (exporting an empty hour costs far less
    than another Glue job run).

    >>> hour_ranges([0, 3_600_000, 4 * 3_600_000], 24)
    [{'start': '1970-01-01T00:00:00Z', 'end': '1970-01-01T02:00:00Z'}, {'start': '1970-01-01T04:00:00Z', 'end': '1970-01-01T05:00:00Z'}]
    >>> len(hour_ranges([0, 3_600_000, 4 * 3_600_000], 24, gap_hours=2))
    1
    """
    ranges: list[list[int]] = []
    for hour in sorted(set(hours)):
        if (
            ranges
            and ranges[-1][1] <= hour <= ranges[-1][1] + gap_hours * HOUR_MS
            and hour + HOUR_MS - ranges[-1][0] <= max_hours * HOUR_MS
        ):
            ranges[-1][1] = hour + HOUR_MS
        else:
            ranges.append([hour, hour + HOUR_MS])
    return [{"start": _iso(_from_ms(a)), "end": _iso(_from_ms(b))} for a, b in ranges]


class _Reporter:
    """Progress and messages on stderr (rich), or nothing when quiet."""

    def __init__(self, console: Console | None, quiet: bool) -> None:
        self.quiet = quiet
        self.timings: dict[str, float] = {}
        self._status: Any = None  # the rich Status on screen, if any
        if console is None and not quiet:
            from rich.console import Console

            console = Console(stderr=True)
        self.console = console

    def say(self, text: str) -> None:
        if self.console is not None and not self.quiet:
            self.console.print(text, highlight=False)

    @contextlib.contextmanager
    def timed(self, key: str) -> Iterator[None]:
        began = time.monotonic()
        try:
            yield
        finally:
            self.timings[key] = self.timings.get(key, 0.0) + time.monotonic() - began

    @contextlib.contextmanager
    def status(self, text: str, key: str) -> Iterator[None]:
        with self.timed(key):
            if self.console is None or self.quiet:
                yield
                return
            with self.console.status(text) as status:
                self._status = status
                try:
                    yield
                finally:
                    self._status = None

    def update(self, text: str) -> None:
        """Change the text of the spinner on screen, if any (called from moto's threads too)."""
        if self._status is not None:
            self._status.update(text)

    @contextlib.contextmanager
    def bar(self, text: str, total: int, key: str) -> Iterator[Callable[[int], None]]:
        if self.console is None or self.quiet:
            with self.timed(key):
                yield lambda _n: None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        with (
            Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=False,
            ) as progress,
            self.timed(key),
        ):
            task = progress.add_task(text, total=total)
            yield lambda n: progress.advance(task, n)


# ------------------------------------------------------------------------------------ inputs


def _demo_events(options: RunOptions, reporter: _Reporter) -> tuple[list[LogEvent], str, Any]:
    """Generated lines of the demo hours, as the agent would ship them; and the manifest."""
    from pexlogs.generate import GenerationStats, generate_lines

    hours = options.hours or DEFAULT_DEMO_HOURS
    if options.start is not None:
        start = _floor_hour(options.start)
    else:
        # The last complete hours: CloudWatch Logs takes events from the last 14 days and up to
        # 2 hours ahead only, and a demo should look like recent traffic.
        start = _floor_hour(datetime.now(UTC)) - timedelta(hours=hours)
    end = start + timedelta(hours=hours)
    per_hour = max(1, round(DEMO_LINES_PER_HOUR * options.demo_scale))
    stats = GenerationStats()
    events: list[LogEvent] = []
    with reporter.status(
        f"Generating demo logs {_iso(start)} → {_iso(end)} (seed {options.seed})", "generate"
    ):
        generated = generate_lines(
            start, hours, seed=options.seed, lines_per_hour=per_hour, stats=stats
        )
        by_family: dict[str, list[str]] = defaultdict(list)
        for item in generated:
            by_family[item.family].append(item.line)
        # The agent tails one file per family, so it knows each line's log group.
        for family, lines in sorted(by_family.items()):
            events.extend(events_from_lines(lines, family=family, default_time_ms=_to_ms(start)))
    source = f"demo seed={options.seed} {_iso(start)}..{_iso(end)} lines/h={per_hour}"
    return events, source, stats


def _input_files(paths: Sequence[Path]) -> list[Path]:
    """The files to read: each path, or every file under a folder (sorted, hidden ones skipped)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                raise InputError(f"no files under {path}")
            files.extend(found)
        else:
            files.append(path)
    return files


def _input_events(paths: Sequence[Path], reporter: _Reporter) -> tuple[list[LogEvent], str]:
    events: list[LogEvent] = []
    now_ms = _to_ms(datetime.now(UTC))
    files = _input_files(paths)
    with reporter.status(f"Reading {len(files)} input file(s)", "read"):
        for path in files:
            family = family_from_name(path)
            events.extend(
                events_from_lines(read_input_lines(path), family=family, default_time_ms=now_ms)
            )
    return events, "files " + " ".join(str(p) for p in paths)


# ------------------------------------------------------------------------------------ the runs


def run_local(
    options: RunOptions,
    *,
    spark: SparkSession | None = None,
    console: Console | None = None,
    quiet: bool = False,
    job: JobFunction | None = None,
) -> RunSummary:
    """``pexlogs run``: ingest the input (or the demo), then process its hours with the real
    workflow and job on the embedded AWS. Returns the reconciled summary; raises
    :class:`JobError` if any line is unaccounted for.

    ``spark``: the session the job runs on (default: a local one, started in the background).
    ``job``: what a Glue job run executes, ``job(arguments, glue_client) -> summary``; default the
    real job (``pexlogs.etl.run_from_arguments``) on ``spark``. Tests pass a fake to skip Spark.
    """
    began = time.monotonic()
    reporter = _Reporter(console, quiet)
    if options.demo == bool(options.inputs):
        raise UsageError("give either --input PATH... or --demo")
    if options.hours is not None and options.hours < 1:
        raise UsageError("--hours must be at least 1")
    if options.hours is not None and options.start is None and not options.demo:
        raise UsageError("--hours needs --start with --input")
    home = options.home
    state = _State(home)
    store = EventStore(home / "cloudwatch")

    manifest: Any = None
    if options.demo:
        events, source, manifest = _demo_events(options, reporter)
    else:
        events, source = _input_events(options.inputs, reporter)
    if not events:
        raise InputError("the input holds no log lines")
    ingest = store.add(events, known_ids=state.ingest_ids)
    if ingest.already_ingested:
        reporter.say(
            f"This input was already ingested (id {ingest.ingest_id}): nothing new is stored; "
            "its hours are processed again."
        )
    else:
        state.add_ingest(ingest, source)
        state.save()

    hours = ingest.hours
    if options.start is not None and not options.demo:
        first = _to_ms(_floor_hour(options.start))
        last = first + (options.hours or 1) * HOUR_MS
        hours = [h for h in range(first, last, HOUR_MS)]
        outside = sum(1 for e in events if not first <= e.timestamp < last)
        if outside:
            reporter.say(
                f"{outside} input line(s) fall outside the hours asked for: stored, not processed."
            )
    summary = _process_hours(
        home, store, hours, options.max_hours_per_execution, spark, job, reporter
    )
    summary.lines_ingested = {} if ingest.already_ingested else ingest.lines
    summary.already_ingested = ingest.already_ingested
    summary.demo_manifest = _manifest_dict(manifest)
    summary.demo_stats = manifest
    summary.seconds = time.monotonic() - began
    summary.timings = dict(reporter.timings)
    state.add_run("run", summary)
    state.save()
    return summary


def backfill_local(
    home: Path,
    start: datetime,
    end: datetime,
    *,
    spark: SparkSession | None = None,
    console: Console | None = None,
    quiet: bool = False,
    job: JobFunction | None = None,
) -> RunSummary:
    """``pexlogs backfill`` (local): ONE backfill execution over ``[start, end)`` (whole hours) on
    the logs ingested so far; the partitions of those hours are rebuilt."""
    began = time.monotonic()
    reporter = _Reporter(console, quiet)
    first, last = _floor_hour(start), _floor_hour(end)
    if last < end.astimezone(UTC) or first != start.astimezone(UTC):
        raise UsageError("--start and --end must be whole hours (e.g. 2026-01-05T10:00:00Z)")
    if last <= first:
        raise UsageError("--end must be after --start")
    state = _State(home)
    store = EventStore(home / "cloudwatch")
    hours = list(range(_to_ms(first), _to_ms(last), HOUR_MS))
    summary = _process_hours(home, store, hours, len(hours), spark, job, reporter)
    summary.seconds = time.monotonic() - began
    summary.timings = dict(reporter.timings)
    state.add_run("backfill", summary)
    state.save()
    return summary


def _manifest_dict(manifest: Any) -> dict[str, Any] | None:
    if manifest is None:
        return None
    if isinstance(manifest, dict):
        return manifest
    to_dict = getattr(manifest, "to_dict", None)
    if callable(to_dict):
        result: dict[str, Any] = to_dict()
        return result
    with contextlib.suppress(TypeError):
        return asdict(manifest)
    return None


def _process_hours(
    home: Path,
    store: EventStore,
    hours: Sequence[int],
    max_hours: int,
    spark: SparkSession | None,
    job: JobFunction | None,
    reporter: _Reporter,
) -> RunSummary:
    """Put the stored events of ``hours`` into a fresh embedded CloudWatch Logs, run one
    execution per range, reconcile, and save the catalog snapshot."""
    names = LocalNames()
    windows = hour_ranges(hours, max_hours, gap_hours=JOIN_GAP_HOURS)
    if len(windows) > 3:
        reporter.say(
            f"The hours to process form {len(windows)} separate ranges: {len(windows)} executions, "
            "one Glue job run each (use --start/--hours to process fewer)."
        )
    warehouse = (home / "warehouse").resolve()
    raw_dir, curated_dir = warehouse / "raw", warehouse / "curated"
    curated_dir.mkdir(parents=True, exist_ok=True)

    lines_in: dict[str, int] = defaultdict(int)
    batches: dict[str, list[LogEvent]] = {}
    for family in names.families:
        family_events: list[LogEvent] = []
        for hour in hours:
            family_events.extend(store.events(family, hour))
        batches[family] = family_events
        lines_in[family] = len(family_events)

    # Spark's JVM starts in the background while moto is provisioned and fed: they overlap.
    spark_start = _SparkStarter(spark) if job is None else None

    job_results: list[dict[str, Any]] = []
    executions: list[dict[str, Any]] = []
    with _embedded_aws() as aws:
        stack = _provision(aws, names, raw_dir, curated_dir, reporter)
        snapshot = load_snapshot(home / "catalog.json")
        if snapshot is not None:
            restore_partitions(aws.client("glue"), snapshot)

        total = sum(lines_in.values())
        with reporter.bar("Ingesting into CloudWatch Logs", total, "ingest") as advance:
            for family in names.families:
                put_events(aws.client("logs"), names.log_groups, batches[family], on_batch=advance)
        batches.clear()

        from pexlogs.local import moto_compat

        if spark_start is not None:
            with reporter.status("Waiting for local Spark", "spark_wait"):
                job = _real_job(spark_start.session())
        assert job is not None
        moto_compat.set_glue_job_runner(
            _job_runner(aws, stack, raw_dir, curated_dir, job, job_results, reporter)
        )
        try:
            for window in windows:
                with reporter.status(
                    f"Workflow {window['start']} → {window['end']}: export each hour × family, "
                    "then the Glue job on local Spark",
                    "workflow",
                ):
                    executions.append(_execute(aws, stack, window))
        finally:
            # Even after a failure: the catalog then shows what the job did register, as on AWS.
            save_snapshot(aws.client("glue"), names.database, home / "catalog.json")

    rows: dict[str, int] = defaultdict(int)
    lines_read: dict[str, int] = defaultdict(int)
    quarantined = 0
    for result in job_results:
        for table, n in result.get("rows_written", {}).items():
            rows[table] += int(n)
        for family, n in result.get("lines_read", {}).items():
            lines_read[family] += int(n)
        quarantined += int(result.get("quarantined", 0))
    summary = RunSummary(
        windows=windows,
        lines_in=dict(lines_in),
        rows_written=dict(rows),
        quarantined=quarantined,
        executions=executions,
        home=str(home.resolve()),
        curated=curated_dir.as_uri(),
    )
    _reconcile(summary, dict(lines_read))
    return summary


def _reconcile(summary: RunSummary, lines_read: dict[str, int]) -> None:
    """Every line in must be a row out: per family as the job read it, and in total."""
    problems = []
    for family in sorted(set(summary.lines_in) | set(lines_read)):
        sent, read = summary.lines_in.get(family, 0), lines_read.get(family, 0)
        if sent != read:
            problems.append(f"{family}: {sent} lines ingested, {read} read by the job")
    if summary.total_lines_in != summary.total_rows_written:
        problems.append(
            f"{summary.total_lines_in} lines in, {summary.total_rows_written} rows written"
        )
    if problems:
        raise JobError("lines unaccounted for: " + "; ".join(problems))


# ------------------------------------------------------------------------------------ embedded AWS


class _Aws:
    """Clients of the embedded AWS, one per service, all in the same region."""

    def __init__(self) -> None:
        import boto3

        self._session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        )
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(service)  # type: ignore[call-overload]
        return self._clients[service]


@contextlib.contextmanager
def _embedded_aws() -> Iterator[_Aws]:
    """A fresh in-process moto with its Step Functions interpreter on (and pexlogs' adaptations)."""
    from moto import mock_aws

    from pexlogs.local import moto_compat

    moto_compat.apply()
    try:
        with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
            yield _Aws()
    finally:
        moto_compat.set_glue_job_runner(None)


def _provision(
    aws: _Aws, names: LocalNames, raw_dir: Path, curated_dir: Path, reporter: _Reporter
) -> LocalStack:
    with reporter.status("Provisioning the embedded AWS (moto)", "provision"):
        stack = LocalStack(names=names, region=REGION, account_id=ACCOUNT_ID)
        create_log_groups(aws.client("logs"), names)
        create_buckets(aws.client("s3"), names, REGION)
        stack.topic_arn = create_alert_topic(aws.client("sns"), names)
        stack.job_role_arn = create_role(aws.client("iam"), "pexip-logs-glue", "glue.amazonaws.com")
        stack.states_role_arn = create_role(
            aws.client("iam"), "pexip-logs-states", "states.amazonaws.com"
        )
        _create_catalog(aws.client("glue"), names.database, curated_dir.as_uri())
        create_glue_job(
            aws.client("glue"),
            names,
            stack.job_role_arn,
            {
                "--raw_uri": f"s3://{names.raw_bucket}",
                "--curated_uri": curated_dir.as_uri(),
                "--database": names.database,
            },
        )
        stack.state_machine_arn = _create_state_machine(aws, stack, curated_dir.as_uri())
    return stack


def _create_catalog(glue_client: Any, database: str, curated_uri: str) -> None:
    from pexlogs import catalog
    from pexlogs.schema import load_registry

    catalog.ensure_database(glue_client, database)
    catalog.ensure_tables(glue_client, database, load_registry().tables.values(), curated_uri)


def _create_state_machine(aws: _Aws, stack: LocalStack, curated_uri: str) -> str:
    """The state machine from its ASL file, rendered with the local values of its placeholders."""
    from pexlogs.local import workflow as local_workflow
    from pexlogs.workflow import format_log_families

    names = stack.names
    values = local_workflow.local_values(
        GlueDatabase=names.database,
        GlueJobName=names.job_name,
        LogFamilies=format_log_families(names.log_groups.items()),
        RawBucketName=names.raw_bucket,
        # What the job gets on AWS; the local job run stages the exports and reads them from disk.
        RawUri=f"s3://{names.raw_bucket}",
        CuratedUri=curated_uri,
        RunSummaryBucketName=names.curated_bucket,
        AlertTopicArn=stack.topic_arn,
    )
    return local_workflow.create_state_machine(
        aws.client("stepfunctions"),
        values,
        name=names.state_machine_name,
        role_arn=stack.states_role_arn,
    )


def _job_runner(
    aws: _Aws,
    stack: LocalStack,
    raw_dir: Path,
    curated_dir: Path,
    job: JobFunction,
    results: list[dict[str, Any]],
    reporter: _Reporter,
) -> Callable[[str, Mapping[str, str]], None]:
    """The Glue job run as it happens locally: stage the windows' exports, run the job."""

    def run_job(job_name: str, arguments: Mapping[str, str]) -> None:
        windows = json.loads(arguments["--windows"])
        reporter.update(f"Glue job run: staging the exports of {len(windows)} hour(s)")
        with reporter.timed("stage"):
            stage_exports(
                aws.client("s3"), stack.names.raw_bucket, windows, stack.names.families, raw_dir
            )
        local_args = {
            **arguments,
            "--raw_uri": raw_dir.as_uri(),
            "--curated_uri": curated_dir.as_uri(),
            "--database": stack.names.database,
        }
        reporter.update(f"Glue job run: parsing and writing {len(windows)} hour(s) on local Spark")
        with reporter.timed("job"):
            summary = job(local_args, aws.client("glue"))
        results.append(summary)
        _put_summary(aws.client("s3"), arguments.get("--summary_uri", ""), summary)

    return run_job


def _execute(aws: _Aws, stack: LocalStack, window: dict[str, str]) -> dict[str, Any]:
    """Start one backfill execution and wait for it; a failed execution is a WorkflowError."""
    from pexlogs.local import workflow as local_workflow

    stamp = window["start"].replace(":", "").replace("-", "")
    result = local_workflow.run_execution(
        aws.client("stepfunctions"),
        stack.state_machine_arn,
        {"start": window["start"], "end": window["end"]},
        name=f"local-{stamp}-{uuid.uuid4().hex[:8]}",
    )
    if not result.succeeded:
        raise WorkflowError(
            f"the workflow {result.status.lower()} for {window['start']} → {window['end']}: "
            f"{result.error or 'no error name'}: {_short_cause(result.cause)}"
        )
    return {"executionArn": result.arn, "status": result.status, "output": result.output or {}}


def _short_cause(cause: str | None) -> str:
    """A failed Glue run's cause is its whole JobRun as JSON: keep its error message."""
    if not cause:
        return "no cause given"
    with contextlib.suppress(ValueError, TypeError, AttributeError):
        message = json.loads(cause).get("ErrorMessage")
        if message:
            return str(message)
    return cause


def _put_summary(s3_client: Any, uri: str, summary: dict[str, Any]) -> None:
    """Write the job's summary where the workflow reads it back (``--summary_uri``), unless the
    job already did (on Glue it writes it itself)."""
    if not uri.startswith("s3://"):
        return
    bucket, _, key = uri[len("s3://") :].partition("/")
    try:
        s3_client.head_object(Bucket=bucket, Key=key)
    except Exception:
        s3_client.put_object(Bucket=bucket, Key=key, Body=json.dumps(summary).encode())


def _real_job(spark: SparkSession) -> JobFunction:
    """The real Glue job (``pexlogs.etl.run_from_arguments``) on ``spark``."""

    def run(arguments: Mapping[str, str], glue_client: Any) -> dict[str, Any]:
        from pexlogs.etl import run_from_arguments

        summary: dict[str, Any] = run_from_arguments(
            arguments, spark=spark, glue_client=glue_client
        )
        return summary

    return run


class _SparkStarter:
    """A Spark session being started in a background thread (or the one the caller passed)."""

    def __init__(self, spark: SparkSession | None) -> None:
        self._spark = spark
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if spark is None:
            self._thread = threading.Thread(target=self._start, name="pexlogs-spark", daemon=True)
            self._thread.start()

    def _start(self) -> None:
        try:
            self._spark = _local_spark()
        except BaseException as exc:  # re-raised in the caller's thread
            self._error = exc

    def session(self) -> SparkSession:
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise JobError(f"local Spark did not start: {self._error}") from self._error
        assert self._spark is not None
        return self._spark


def _local_spark() -> SparkSession:
    # Everything is on this machine: bind Spark to loopback (no "resolves to a loopback
    # address" warnings, no dependence on the machine's network setup).
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pexlogs.etl._spark import local_session

    return local_session()


@contextlib.contextmanager
def local_catalog(home: Path | None = None) -> Iterator[Any]:
    """An embedded Glue catalog holding what the last local run registered (for ``pexlogs query``).

    Yields a boto3 Glue client; the catalog exists only inside the ``with`` block::

        with local_catalog(Path(".pexlogs")) as glue:
            glue.get_tables(DatabaseName="pexip_logs")
    """
    folder = home or default_home()
    snapshot = load_snapshot(folder / "catalog.json")
    if snapshot is None:
        raise UsageError(f"no local run found under {folder} (run `pexlogs run --demo` first)")
    from moto import mock_aws

    with mock_aws():
        aws = _Aws()
        restore_partitions(aws.client("glue"), snapshot)
        yield aws.client("glue")
