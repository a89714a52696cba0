"""The one stack: composes the constructs, one per concern, in dependency order."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from pexlogs_infra.catalog import Catalog
from pexlogs_infra.config import PexlogsConfig
from pexlogs_infra.encryption import DataKey
from pexlogs_infra.glue_job import EtlJob
from pexlogs_infra.log_groups import LogGroups
from pexlogs_infra.monitoring import Monitoring
from pexlogs_infra.orchestration import Orchestration
from pexlogs_infra.realtime import RealtimePath
from pexlogs_infra.storage import Storage
from pexlogs_infra.syslog import agent_config

__all__ = ["PexlogsStack"]


class PexlogsStack(Stack):
    """Everything pexlogs needs in one account and region (see ``docs/deploying.md``)."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: PexlogsConfig, **kwargs: Any
    ) -> None:
        # ~90 Glue tables with column comments: an unindented template stays well under
        # CloudFormation's 1 MB limit as log types are added.
        kwargs.setdefault("suppress_template_indentation", True)
        super().__init__(
            scope,
            construct_id,
            description="pexlogs: Pexip Infinity logs -> CloudWatch Logs -> Glue -> Athena",
            **kwargs,
        )
        self.config = config
        key = DataKey(self, "Encryption", config=config).key if config.kms else None
        self.storage = Storage(self, "Storage", config=config, key=key)
        self.log_groups = LogGroups(self, "LogGroups", config=config, key=key)
        self.catalog = Catalog(
            self,
            "Catalog",
            config=config,
            curated_bucket=self.storage.curated_bucket,
            results_bucket=self.storage.results_bucket,
            key=key,
        )
        self.etl_job = EtlJob(
            self,
            "EtlJob",
            config=config,
            raw_bucket=self.storage.raw_bucket,
            curated_bucket=self.storage.curated_bucket,
            table_names=list(self.catalog.tables),
            key=key,
        )
        self.monitoring = Monitoring(self, "Monitoring", config=config, key=key)
        self.orchestration = Orchestration(
            self,
            "Orchestration",
            config=config,
            log_groups=dict(self.log_groups.groups),
            raw_bucket=self.storage.raw_bucket,
            curated_bucket=self.storage.curated_bucket,
            job_name=self.etl_job.job_name,
            job_arn=self.etl_job.job_arn,
            database_name=self.catalog.database_name,
            topic=self.monitoring.topic,
            key=key,
        )
        self.orchestration.state_machine.node.add_dependency(self.etl_job.job)
        self.monitoring.watch(self.orchestration.state_machine, self.etl_job.job_name)
        self.realtime = (
            RealtimePath(
                self, "Realtime", config=config, source=self.log_groups.groups["support"], key=key
            )
            if config.realtime
            else None
        )

        outputs = {
            "RawBucketName": self.storage.raw_bucket.bucket_name,
            "CuratedBucketName": self.storage.curated_bucket.bucket_name,
            "AthenaResultsBucketName": self.storage.results_bucket.bucket_name,
            "GlueDatabaseName": self.catalog.database_name,
            "GlueJobName": self.etl_job.job_name,
            "StateMachineArn": self.orchestration.state_machine.state_machine_arn,
            "AthenaWorkGroup": self.catalog.workgroup_name,
            "AlertTopicArn": self.monitoring.topic.topic_arn,
            "AgentPolicyArn": self.log_groups.agent_policy.managed_policy_arn,
            # Ready to save as the agent's configuration (see deploy/syslog/).
            "CloudWatchAgentConfig": json.dumps(agent_config(config), separators=(",", ":")),
        }
        for family, group in self.log_groups.groups.items():
            outputs[f"{family.capitalize()}LogGroupName"] = group.log_group_name
        for name, value in outputs.items():
            CfnOutput(self, name, value=value)
