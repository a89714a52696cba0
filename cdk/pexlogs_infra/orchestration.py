"""Orchestration: the Step Functions state machine from the ASL file, and its schedules.

The definition is ``state_machines/pexip_logs_etl.asl.json`` inlined as a string with
``definition_substitutions`` (so the template carries the ASL itself and cfn-lint validates it);
the placeholder values come from this stack. EventBridge Scheduler starts it every hour, a few
minutes after the hour (``settleMinutes``), and once a day over the last ``catchUpHours`` hours for
late-arriving events.
"""

from __future__ import annotations

import json

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from pexlogs import workflow
from pexlogs_infra.config import MAX_WINDOW_HOURS, PexlogsConfig
from pexlogs_infra.log_groups import retention
from pexlogs_infra.nag import acknowledge
from pexlogs_infra.storage import EXPORT_PREFIX

__all__ = ["RUN_SUMMARY_PREFIX", "Orchestration", "scheduled_input"]

RUN_SUMMARY_PREFIX = "_runs/"
# Export timing on AWS (see pexlogs.workflow for each placeholder).
_WAITS = {
    "MaxWindowHours": str(MAX_WINDOW_HOURS),
    "ExportPollSeconds": "10",
    "ExportPollMaxAttempts": "360",
    "ExportRetryBaseSeconds": "5",
    "ExportRetryBudgetSeconds": "3600",
}


def scheduled_input(hours: int | None = None) -> str:
    """A schedule's execution input: Scheduler fills in its own scheduled time."""
    body: dict[str, object] = {"scheduled_time": "<aws.scheduler.scheduled-time>"}
    if hours is not None:
        body["hours"] = hours
    return json.dumps(body)


class Orchestration(Construct):
    """``state_machine`` (named ``config.state_machine_name``), ``hourly`` and ``catch_up``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: PexlogsConfig,
        log_groups: dict[str, logs.ILogGroup],
        raw_bucket: s3.IBucket,
        curated_bucket: s3.IBucket,
        job_name: str,
        job_arn: str,
        database_name: str,
        topic: sns.ITopic,
        key: kms.IKey | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.substitutions = {
            **_WAITS,
            "RawBucketName": raw_bucket.bucket_name,
            "RawUri": f"s3://{raw_bucket.bucket_name}",
            "CuratedUri": f"s3://{curated_bucket.bucket_name}",
            "GlueDatabase": database_name,
            "GlueJobName": job_name,
            "RunSummaryBucketName": curated_bucket.bucket_name,
            "AlertTopicArn": topic.topic_arn,
            "LogFamilies": workflow.format_log_families(
                (family, config.log_group_name(family)) for family in config.families
            ),
            "SettleMinutes": str(config.settle_minutes),
        }
        missing = workflow.PLACEHOLDERS - self.substitutions.keys()
        unknown = self.substitutions.keys() - workflow.PLACEHOLDERS
        if missing or unknown:
            raise ValueError(
                f"ASL placeholders out of step with the stack: missing {sorted(missing)}, "
                f"unknown {sorted(unknown)}"
            )

        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("states.amazonaws.com"),
            description=f"State machine {config.state_machine_name}: exports and the ETL job",
        )
        policy = iam.Policy(self, "Policy", roles=[self.role])
        # CreateExportTask is authorised on the log group; list both ARN spellings (bare, and
        # CloudFormation's with ":*") so the grant holds whichever form IAM evaluates.
        group_arns = []
        for family, group in log_groups.items():
            bare = stack.format_arn(
                service="logs",
                resource="log-group",
                resource_name=config.log_group_name(family),
                arn_format=ArnFormat.COLON_RESOURCE_NAME,
            )
            group_arns += [bare, group.log_group_arn]
        policy.add_statements(
            iam.PolicyStatement(
                sid="ExportConfiguredLogGroups",
                actions=["logs:CreateExportTask"],
                resources=group_arns,
            ),
            iam.PolicyStatement(
                sid="PollExportTasks",
                actions=["logs:DescribeExportTasks"],
                resources=["*"],
            ),
            iam.PolicyStatement(
                sid="ListExports",
                actions=["s3:ListBucket"],
                resources=[raw_bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{EXPORT_PREFIX}*"]}},
            ),
            iam.PolicyStatement(
                sid="DeleteStaleExports",
                actions=["s3:DeleteObject"],
                resources=[raw_bucket.arn_for_objects(f"{EXPORT_PREFIX}*")],
            ),
            iam.PolicyStatement(
                sid="ReadRunSummaries",
                actions=["s3:GetObject"],
                resources=[curated_bucket.arn_for_objects(f"{RUN_SUMMARY_PREFIX}*")],
            ),
            iam.PolicyStatement(
                sid="RunEtlJob",
                actions=[
                    "glue:StartJobRun",
                    "glue:GetJobRun",
                    "glue:GetJobRuns",
                    "glue:BatchStopJobRun",
                ],
                resources=[job_arn],
            ),
            iam.PolicyStatement(
                sid="PublishAlerts", actions=["sns:Publish"], resources=[topic.topic_arn]
            ),
        )
        if key:
            policy.add_statements(
                iam.PolicyStatement(
                    sid="UseDataKey",
                    # Reads SSE-KMS run summaries; publishes to the key-encrypted topic.
                    actions=["kms:Decrypt", "kms:GenerateDataKey"],
                    resources=[key.key_arn],
                )
            )
        raw_id = stack.resolve(raw_bucket.bucket_arn)["Fn::GetAtt"][0]
        curated_id = stack.resolve(curated_bucket.bucket_arn)["Fn::GetAtt"][0]
        for finding, reason in {
            "Resource::*": "logs:DescribeExportTasks supports no resource-level permission.",
            f"Resource::<{raw_id}.Arn>/{EXPORT_PREFIX}*": "Export objects are named by "
            "CloudWatch at run time; the workflow deletes only stale ones under exports/.",
            f"Resource::<{curated_id}.Arn>/{RUN_SUMMARY_PREFIX}*": "One summary object per "
            "execution, named after it; read access is limited to the _runs/ prefix.",
        }.items():
            acknowledge(policy, f"AwsSolutions-IAM5[{finding}]", reason)

        self.log_group = logs.LogGroup(
            self,
            "ExecutionLogs",
            # The vendedlogs prefix keeps CloudWatch's resource policy small (AWS guidance).
            log_group_name=f"/aws/vendedlogs/states/{config.state_machine_name}",
            retention=retention(config.log_retention_days),
            encryption_key=key,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_name=config.state_machine_name,
            definition_body=sfn.DefinitionBody.from_string(workflow.load_definition()),
            definition_substitutions=self.substitutions,
            role=self.role,
            timeout=Duration.hours(24),
            tracing_enabled=True,
            logs=sfn.LogOptions(
                destination=self.log_group, level=sfn.LogLevel.ALL, include_execution_data=True
            ),
        )
        default_policy = self.role.node.try_find_child("DefaultPolicy")
        if default_policy is not None:
            acknowledge(
                default_policy,
                "AwsSolutions-IAM5[Resource::*]",
                "Step Functions log delivery and X-Ray tracing actions support no resource-level "
                "permission (AWS documents Resource '*' for both).",
            )

        self.scheduler_role = iam.Role(
            self,
            "SchedulerRole",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
            ),
            description=f"EventBridge Scheduler: start {config.state_machine_name}",
        )
        self.scheduler_role.add_to_policy(
            iam.PolicyStatement(
                actions=["states:StartExecution"],
                resources=[self.state_machine.state_machine_arn],
            )
        )
        catch_up_minute = (config.settle_minutes + 30) % 60
        self.hourly = self._schedule(
            "Hourly",
            f"cron({config.settle_minutes} * * * ? *)",
            scheduled_input(),
            "pexlogs: the last complete hour, every hour",
        )
        self.catch_up = self._schedule(
            "DailyCatchUp",
            f"cron({catch_up_minute} {config.catch_up_hour_utc} * * ? *)",
            scheduled_input(config.catch_up_hours),
            f"pexlogs: re-process the last {config.catch_up_hours} hours (late events)",
        )

    def _schedule(
        self, construct_id: str, expression: str, payload: str, description: str
    ) -> scheduler.CfnSchedule:
        return scheduler.CfnSchedule(
            self,
            construct_id,
            description=description,
            schedule_expression=expression,
            schedule_expression_timezone="UTC",
            flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
            state="ENABLED",
            target=scheduler.CfnSchedule.TargetProperty(
                arn=self.state_machine.state_machine_arn,
                role_arn=self.scheduler_role.role_arn,
                input=payload,
                retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(
                    maximum_event_age_in_seconds=3600, maximum_retry_attempts=5
                ),
            ),
        )
