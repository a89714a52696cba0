"""Provision the embedded AWS (moto) with what the CDK app deploys: log groups, raw and curated
buckets, the alert topic, roles, the Glue database and tables from ``metadata/``, the Glue job and
the state machine from its ASL file. moto keeps all of it in memory, so every run provisions again;
partitions written by earlier runs are registered again from the catalog snapshot under the home
folder (see :mod:`pexlogs.local._catalog_snapshot`)."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DEFAULT_DATABASE",
    "DEFAULT_JOB_NAME",
    "DEFAULT_STATE_MACHINE_NAME",
    "LocalNames",
    "LocalStack",
    "create_alert_topic",
    "create_buckets",
    "create_glue_job",
    "create_log_groups",
    "create_role",
]

DEFAULT_DATABASE = "pexip_logs"
DEFAULT_JOB_NAME = "pexip-logs-etl"
DEFAULT_STATE_MACHINE_NAME = "pexip-logs-etl"


@dataclass(frozen=True)
class LocalNames:
    """Resource names of the local stack (the CDK app's defaults where it fixes them)."""

    families: tuple[str, ...] = ("support", "audit", "web")
    database: str = DEFAULT_DATABASE
    job_name: str = DEFAULT_JOB_NAME
    state_machine_name: str = DEFAULT_STATE_MACHINE_NAME
    raw_bucket: str = "pexip-logs-raw"
    curated_bucket: str = "pexip-logs-curated"
    alert_topic: str = "pexip-logs-alerts"

    @property
    def log_groups(self) -> dict[str, str]:
        """family → log group name (``/pexip/<family>``)."""
        return {family: f"/pexip/{family}" for family in self.families}


@dataclass
class LocalStack:
    """What :func:`provision` created: names and ARNs the runner passes on."""

    names: LocalNames
    region: str
    account_id: str
    topic_arn: str = ""
    job_role_arn: str = ""
    states_role_arn: str = ""
    state_machine_arn: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def create_log_groups(logs_client: Any, names: LocalNames) -> None:
    """The raw log groups (Standard class: Infrequent Access groups cannot be exported)."""
    for group in names.log_groups.values():
        with contextlib.suppress(logs_client.exceptions.ResourceAlreadyExistsException):
            logs_client.create_log_group(logGroupName=group, logGroupClass="STANDARD")


def create_buckets(s3_client: Any, names: LocalNames, region: str) -> None:
    """The raw (exports) and curated buckets."""
    for bucket in (names.raw_bucket, names.curated_bucket):
        kwargs: dict[str, Any] = {"Bucket": bucket}
        if region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        with contextlib.suppress(s3_client.exceptions.BucketAlreadyOwnedByYou):
            s3_client.create_bucket(**kwargs)


def create_role(iam_client: Any, name: str, service: str) -> str:
    """A role the given service may assume (moto records it; nothing enforces it locally)."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        ],
    }
    try:
        role = iam_client.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
    except iam_client.exceptions.EntityAlreadyExistsException:
        role = iam_client.get_role(RoleName=name)
    return str(role["Role"]["Arn"])


def create_alert_topic(sns_client: Any, names: LocalNames) -> str:
    """The SNS topic the workflow publishes failures to."""
    return str(sns_client.create_topic(Name=names.alert_topic)["TopicArn"])


def create_glue_job(
    glue_client: Any, names: LocalNames, role_arn: str, default_arguments: dict[str, str]
) -> None:
    """The Glue job as the CDK app defines it (Glue 5.0, the thin entry script); locally its runs
    are executed by the hook the runner installs, which calls the real job on local Spark."""
    job = {
        "Role": role_arn,
        "Command": {
            "Name": "glueetl",
            "ScriptLocation": f"s3://{names.raw_bucket}/glue/pexip_logs_etl.py",
            "PythonVersion": "3",
        },
        "DefaultArguments": default_arguments,
        "GlueVersion": "5.0",
        "WorkerType": "G.1X",
        "NumberOfWorkers": 2,
        "Timeout": 120,
    }
    try:
        glue_client.create_job(Name=names.job_name, **job)
    except glue_client.exceptions.AlreadyExistsException:
        glue_client.update_job(JobName=names.job_name, JobUpdate=job)
