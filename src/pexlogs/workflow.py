"""The pexlogs workflow: one Step Functions state machine, kept as an ASL file.

``state_machines/pexip_logs_etl.asl.json`` is the single definition. It is valid JSON on its own;
deployment-specific values appear as ``${Name}`` placeholders, only inside JSON strings. The CDK app
passes the same names as ``definition_substitutions`` (or renders with :func:`render_definition`); the
local runner renders with :func:`render_definition`. This module is pure: no boto3, no moto.

Placeholders (meaning; value in the CDK stack; value for a local run):

``RawBucketName``
    S3 bucket CreateExportTask writes to (``exports/<family>/<YYYY>/<MM>/<DD>/<HH>/<taskId>/...``);
    the workflow also deletes what earlier exports of the same hour left under that prefix.
    CDK: the raw bucket's name. Local: the raw bucket created in moto.
``RawUri``
    ``--raw_uri`` of the Glue job (where it reads ``exports/...``). CDK: ``s3://<raw bucket>``.
    Local: the folder the runner stages exports to (``file://...``) or ``s3://<raw bucket>``.
``CuratedUri``
    ``--curated_uri`` of the Glue job. CDK: ``s3://<curated bucket>``. Local: ``file://<warehouse>``.
``GlueDatabase``
    ``--database`` of the Glue job. CDK and local: ``pexip_logs``.
``GlueJobName``
    Glue job started with ``glue:startJobRun.sync``. CDK and local: ``pexip-logs-etl``.
``RunSummaryBucketName``
    Bucket where the job writes its summary JSON at ``_runs/<execution name>.json`` (it is told the
    full ``s3://`` URI in ``--summary_uri``); the final state reads it back for the output counts.
    CDK: the curated bucket (``_runs/`` is outside every table location). Local: any moto bucket.
``AlertTopicArn``
    SNS topic that receives one JSON message per failed execution
    (``{"execution", "windows", "error", "cause"}``). CDK: the alert topic. Local: a moto topic.
``LogFamilies``
    Families to export, ``family=/log/group`` comma-separated; a ``?`` after the family name marks
    it optional (a missing log group is then skipped with a warning instead of failing the run).
    Build it with :func:`format_log_families`. CDK and local default:
    ``support=/pexip/support,audit=/pexip/audit,web=/pexip/web``.
``SettleMinutes``
    A scheduled run processes the last hour that ended at least this many minutes before its
    scheduled time (late events settle first). CDK: ``15``. Local: ``15`` (or ``0``).
``MaxWindowHours``
    Largest range one execution accepts (and the largest ``hours``). Bounded by the 25,000 events
    of an execution's history (about 40 events per window x family). CDK: ``72``. Local: ``72``.
``ExportPollSeconds``
    Wait between two DescribeExportTasks calls. CDK: ``10``. Local/tests: ``0``.
``ExportPollMaxAttempts``
    Polls before an export counts as stuck (fails the run). CDK: ``360`` (an hour at 10 s). Local: ``50``.
``ExportRetryBaseSeconds``
    First back-off delay when the account's export slot is busy (LimitExceededException); it
    doubles per attempt, capped at 300 s, with jitter. CDK: ``5``. Local/tests: ``0``.
``ExportRetryBudgetSeconds``
    Total back-off allowed for one export before the run fails. CDK: ``3600``. Local: ``3600``.

Input of an execution: ``{}`` or ``{"scheduled_time": "<aws.scheduler.scheduled-time>"}`` (the last
complete hour, EventBridge Scheduler fills the time in; without it the execution's start time is
used), optionally with ``"hours": n`` (the last n hours, e.g. the daily catch-up uses 24), or
``{"start": "2026-01-01T00:00:00Z", "end": "2026-01-03T00:00:00Z"}`` (whole hours, end exclusive).

Output: ``{"windows": [{"start", "end"}], "exports": {family: [task ids]}, "warnings": [...],
"job": {"name", "run_id", "state", "execution_seconds"}, "counts": <the job's summary or null>}``.

The Glue job receives ``--windows``, ``--raw_uri``, ``--curated_uri``, ``--database`` and
``--summary_uri`` (``s3://<RunSummaryBucketName>/_runs/<execution name>.json``), where it must write
the same JSON object it prints as its last stdout line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

from pexlogs._paths import state_machines_dir
from pexlogs.exceptions import WorkflowError

__all__ = [
    "DEFINITION_FILE",
    "INTEGER_PLACEHOLDERS",
    "LOCAL_DEFAULTS",
    "PLACEHOLDERS",
    "STATE_MACHINE_NAME",
    "LogFamily",
    "definition_path",
    "format_log_families",
    "load_definition",
    "parse_log_families",
    "render_definition",
]

DEFINITION_FILE = "pexip_logs_etl.asl.json"
STATE_MACHINE_NAME = "pexip-logs-etl"

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_]*)\}")
# Log group names allow [A-Za-z0-9_\-/.#]; family names are snake_case identifiers.
_FAMILY_SPEC = re.compile(
    r"^(?P<family>[a-z][a-z0-9_]*)(?P<optional>\?)?=(?P<log_group>[A-Za-z0-9_\-/.#]{1,512})$"
)

#: Placeholders that must render as non-negative whole numbers (they sit inside JSONata arithmetic).
INTEGER_PLACEHOLDERS = frozenset(
    {
        "SettleMinutes",
        "MaxWindowHours",
        "ExportPollSeconds",
        "ExportPollMaxAttempts",
        "ExportRetryBaseSeconds",
        "ExportRetryBudgetSeconds",
    }
)


class LogFamily(NamedTuple):
    """One exported family: its name, its CloudWatch log group, and whether it may be absent."""

    family: str
    log_group: str
    optional: bool = False


def definition_path() -> Path:
    """Path of the ASL file (checkout or installed wheel)."""
    return state_machines_dir() / DEFINITION_FILE


def load_definition() -> str:
    """The ASL file's text, placeholders unrendered."""
    return definition_path().read_text(encoding="utf-8")


def _scan(text: str) -> frozenset[str]:
    return frozenset(_PLACEHOLDER.findall(text))


#: Every ``${Name}`` the ASL file uses, scanned from the file itself.
PLACEHOLDERS: frozenset[str] = _scan(load_definition())

#: Values for a local run on moto (tests override the waits and names as needed).
LOCAL_DEFAULTS: Mapping[str, str] = {
    "GlueDatabase": "pexip_logs",
    "GlueJobName": "pexip-logs-etl",
    "LogFamilies": "support=/pexip/support,audit=/pexip/audit,web=/pexip/web",
    "SettleMinutes": "15",
    "MaxWindowHours": "72",
    "ExportPollSeconds": "0",
    "ExportPollMaxAttempts": "50",
    "ExportRetryBaseSeconds": "0",
    "ExportRetryBudgetSeconds": "3600",
}


def format_log_families(
    families: Iterable[LogFamily | tuple[str, str] | tuple[str, str, bool]],
) -> str:
    """The ``LogFamilies`` placeholder value for these families.

    >>> format_log_families([("support", "/pexip/support"), ("web", "/pexip/web", True)])
    'support=/pexip/support,web?=/pexip/web'
    """
    specs = []
    for entry in families:
        family = LogFamily(*entry)
        spec = f"{family.family}{'?' if family.optional else ''}={family.log_group}"
        if not _FAMILY_SPEC.match(spec):
            raise WorkflowError(
                f"invalid log family {family.family!r} -> {family.log_group!r}: family must be "
                "snake_case and the log group a CloudWatch Logs name"
            )
        specs.append(spec)
    if not specs:
        raise WorkflowError("at least one log family is needed")
    return ",".join(specs)


def parse_log_families(value: str) -> tuple[LogFamily, ...]:
    """Parse a ``LogFamilies`` value (the inverse of :func:`format_log_families`)."""
    families = []
    for spec in value.split(","):
        match = _FAMILY_SPEC.match(spec.strip())
        if not match:
            raise WorkflowError(
                f"invalid LogFamilies entry {spec!r}: expected family=/log/group or family?=/log/group"
            )
        families.append(
            LogFamily(match["family"], match["log_group"], match["optional"] is not None)
        )
    names = [f.family for f in families]
    if len(set(names)) != len(names):
        raise WorkflowError(f"LogFamilies names a family twice: {value!r}")
    return tuple(families)


def _check_value(name: str, value: str) -> None:
    if not isinstance(value, str) or not value:
        raise WorkflowError(f"placeholder {name} needs a non-empty string, got {value!r}")
    if name in INTEGER_PLACEHOLDERS and not value.isdigit():
        raise WorkflowError(f"placeholder {name} must be a whole number >= 0, got {value!r}")
    if name == "LogFamilies":
        parse_log_families(value)
    # The values land inside JSON strings (and JSONata string literals): keep them plain.
    if any(ch in value for ch in "\"'\\\n\r\t"):
        raise WorkflowError(
            f"placeholder {name} must not contain quotes, backslashes or control characters: {value!r}"
        )


def render_definition(values: Mapping[str, str], text: str | None = None) -> str:
    """Substitute every placeholder; refuse missing or unknown names.

    ``values`` must name exactly :data:`PLACEHOLDERS`. The result is checked to be valid JSON.

    >>> asl = render_definition({**LOCAL_DEFAULTS, "RawBucketName": "raw", "RawUri": "s3://raw",
    ...     "CuratedUri": "file:///tmp/c", "RunSummaryBucketName": "raw",
    ...     "AlertTopicArn": "arn:aws:sns:eu-west-1:123456789012:alerts"})
    >>> "${" in asl
    False
    """
    source = load_definition() if text is None else text
    used = _scan(source)
    missing = sorted(used - values.keys())
    unknown = sorted(values.keys() - used)
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing value(s) for {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown placeholder(s) {', '.join(unknown)}")
        raise WorkflowError(f"cannot render {DEFINITION_FILE}: {'; '.join(parts)}")
    for name in used:
        _check_value(name, values[name])
    rendered = _PLACEHOLDER.sub(lambda m: values[m.group(1)], source)
    try:
        json.loads(rendered)
    except json.JSONDecodeError as exc:  # pragma: no cover - guarded by _check_value
        raise WorkflowError(f"rendered {DEFINITION_FILE} is not valid JSON: {exc}") from exc
    return rendered
