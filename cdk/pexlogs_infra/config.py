"""The app's options: CDK context keys with defaults, parsed and validated in one place.

Every option is a context key (``cdk.json`` ``context``, or ``-c key=value`` on the command line);
values given on the command line arrive as strings, so each is parsed from text as well as from
JSON. ``docs/deploying.md`` lists them; :data:`DEFAULTS` is the authority.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pexlogs.exceptions import UsageError
from pexlogs.schema import UNPARSED_TABLE, load_registry

__all__ = [
    "DEFAULTS",
    "LOG_RETENTION_DAYS",
    "MAX_WINDOW_HOURS",
    "PexlogsConfig",
]

# CloudWatch Logs accepts only these retention periods (days); 0 means never expire.
LOG_RETENTION_DAYS = (
    0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
CURATED_STORAGE_CLASSES = ("STANDARD", "INTELLIGENT_TIERING", "STANDARD_IA")
GLUE_WORKER_TYPES = ("G.1X", "G.2X", "G.4X", "G.8X", "G.025X")
GLUE_EXECUTION_CLASSES = ("STANDARD", "FLEX")
#: Largest range one workflow execution accepts (its MaxWindowHours): bounds the daily catch-up.
MAX_WINDOW_HOURS = 72

DEFAULTS: dict[str, Any] = {
    "stackName": "Pexlogs",
    "families": ["support", "audit", "web"],
    "logGroupNames": {},  # family -> name; missing families get /pexip/<family>
    "logRetentionDays": 90,
    "rawExportExpiryDays": 30,
    "curatedStorageClass": "STANDARD",
    "resultsExpiryDays": 30,
    "databaseName": "pexip_logs",
    "jobName": "pexip-logs-etl",
    "stateMachineName": "pexip-logs-etl",
    "glueWorkerType": "G.1X",
    "glueMaxWorkers": 10,
    "glueExecutionClass": "STANDARD",
    "glueTimeoutMinutes": 120,
    "settleMinutes": 15,
    "catchUpHours": 24,
    "catchUpHourUtc": 2,
    "athenaBytesScannedCutoffMb": 10240,
    "alertEmail": "",
    "kms": False,
    "realtime": False,
}


def _as_bool(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off", ""):
        return False
    raise UsageError(f"context {key}: expected true or false, got {value!r}")


def _as_int(key: str, value: Any, low: int, high: int) -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise UsageError(f"context {key}: expected a whole number, got {value!r}") from None
    if isinstance(number, bool) or not low <= number <= high:
        raise UsageError(f"context {key}: {number} is outside {low}..{high}")
    return number


def _as_choice(key: str, value: Any, choices: tuple[str, ...]) -> str:
    text = str(value).strip().upper()
    if text not in choices:
        raise UsageError(f"context {key}: {value!r} is not one of {', '.join(choices)}")
    return text


def _as_list(key: str, value: Any) -> list[str]:
    if isinstance(value, str):
        text = value.strip()
        value = json.loads(text) if text.startswith("[") else [v for v in text.split(",") if v]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"context {key}: expected a list of names, got {value!r}")
    return [v.strip() for v in value]


def _as_mapping(key: str, value: Any) -> dict[str, str]:
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise UsageError(f"context {key}: expected an object of family -> name, got {value!r}")
    return dict(value)


_LOG_GROUP_NAME = re.compile(r"^[\w\-./#]{1,512}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class PexlogsConfig:
    """Validated options of one deployment (see :data:`DEFAULTS` for the context keys)."""

    stack_name: str = DEFAULTS["stackName"]
    families: tuple[str, ...] = tuple(DEFAULTS["families"])
    log_group_names: Mapping[str, str] = field(default_factory=dict)
    log_retention_days: int = DEFAULTS["logRetentionDays"]
    raw_export_expiry_days: int = DEFAULTS["rawExportExpiryDays"]
    curated_storage_class: str = DEFAULTS["curatedStorageClass"]
    results_expiry_days: int = DEFAULTS["resultsExpiryDays"]
    database_name: str = DEFAULTS["databaseName"]
    job_name: str = DEFAULTS["jobName"]
    state_machine_name: str = DEFAULTS["stateMachineName"]
    glue_worker_type: str = DEFAULTS["glueWorkerType"]
    glue_max_workers: int = DEFAULTS["glueMaxWorkers"]
    glue_execution_class: str = DEFAULTS["glueExecutionClass"]
    glue_timeout_minutes: int = DEFAULTS["glueTimeoutMinutes"]
    settle_minutes: int = DEFAULTS["settleMinutes"]
    catch_up_hours: int = DEFAULTS["catchUpHours"]
    catch_up_hour_utc: int = DEFAULTS["catchUpHourUtc"]
    athena_bytes_scanned_cutoff_mb: int = DEFAULTS["athenaBytesScannedCutoffMb"]
    alert_email: str = DEFAULTS["alertEmail"]
    kms: bool = DEFAULTS["kms"]
    realtime: bool = DEFAULTS["realtime"]

    def __post_init__(self) -> None:
        known = [f for f in load_registry().families if f != "unparsed"]
        if not self.families:
            raise UsageError("context families: at least one family is needed")
        for family in self.families:
            if family not in known:
                raise UsageError(f"context families: unknown family {family!r} (known: {known})")
        if self.realtime and "support" not in self.families:
            raise UsageError("context realtime: the real-time path needs the support family")
        for family, name in self.log_group_names.items():
            if family not in known:
                raise UsageError(f"context logGroupNames: unknown family {family!r}")
            if not _LOG_GROUP_NAME.match(name):
                raise UsageError(f"context logGroupNames: {name!r} is not a log group name")
        if self.log_retention_days not in LOG_RETENTION_DAYS:
            raise UsageError(
                f"context logRetentionDays: {self.log_retention_days} is not one of "
                f"{', '.join(map(str, LOG_RETENTION_DAYS))}"
            )
        if not 1 <= self.catch_up_hours <= MAX_WINDOW_HOURS:
            raise UsageError(
                f"context catchUpHours: {self.catch_up_hours} is outside 1..{MAX_WINDOW_HOURS}"
            )
        if self.glue_execution_class == "FLEX" and self.glue_worker_type not in ("G.1X", "G.2X"):
            raise UsageError("context glueExecutionClass: FLEX runs only on G.1X or G.2X workers")
        if self.alert_email and not _EMAIL.match(self.alert_email):
            raise UsageError(f"context alertEmail: {self.alert_email!r} is not an e-mail address")

    def log_group_name(self, family: str) -> str:
        """The raw CloudWatch log group of ``family`` (default ``/pexip/<family>``)."""
        return self.log_group_names.get(family, f"/pexip/{family}")

    @property
    def tables(self) -> list[str]:
        """The catalog tables this deployment creates: its families' tables + unparsed_lines."""
        registry = load_registry()
        names = [t.name for f in self.families for t in registry.tables_for_family(f)]
        return [*names, UNPARSED_TABLE]

    @classmethod
    def from_context(cls, get: Callable[[str], Any]) -> PexlogsConfig:
        """Build from CDK context: ``get`` is ``node.try_get_context`` (None when unset)."""

        def value(key: str) -> Any:
            got = get(key)
            return DEFAULTS[key] if got is None else got

        return cls(
            stack_name=str(value("stackName")),
            families=tuple(_as_list("families", value("families"))),
            log_group_names=_as_mapping("logGroupNames", value("logGroupNames")),
            log_retention_days=_as_int("logRetentionDays", value("logRetentionDays"), 0, 3653),
            raw_export_expiry_days=_as_int(
                "rawExportExpiryDays", value("rawExportExpiryDays"), 1, 3650
            ),
            curated_storage_class=_as_choice(
                "curatedStorageClass", value("curatedStorageClass"), CURATED_STORAGE_CLASSES
            ),
            results_expiry_days=_as_int("resultsExpiryDays", value("resultsExpiryDays"), 1, 3650),
            database_name=str(value("databaseName")),
            job_name=str(value("jobName")),
            state_machine_name=str(value("stateMachineName")),
            glue_worker_type=_as_choice(
                "glueWorkerType", value("glueWorkerType"), GLUE_WORKER_TYPES
            ),
            glue_max_workers=_as_int("glueMaxWorkers", value("glueMaxWorkers"), 2, 299),
            glue_execution_class=_as_choice(
                "glueExecutionClass", value("glueExecutionClass"), GLUE_EXECUTION_CLASSES
            ),
            glue_timeout_minutes=_as_int(
                "glueTimeoutMinutes", value("glueTimeoutMinutes"), 5, 2880
            ),
            settle_minutes=_as_int("settleMinutes", value("settleMinutes"), 0, 59),
            catch_up_hours=_as_int("catchUpHours", value("catchUpHours"), 1, MAX_WINDOW_HOURS),
            catch_up_hour_utc=_as_int("catchUpHourUtc", value("catchUpHourUtc"), 0, 23),
            athena_bytes_scanned_cutoff_mb=_as_int(
                "athenaBytesScannedCutoffMb", value("athenaBytesScannedCutoffMb"), 10, 10**9
            ),
            alert_email=str(value("alertEmail")).strip(),
            kms=_as_bool("kms", value("kms")),
            realtime=_as_bool("realtime", value("realtime")),
        )
