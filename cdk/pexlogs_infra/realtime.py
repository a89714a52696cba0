"""The optional real-time path (context ``realtime=true``): the 2019 project's main feature.

A subscription filter sends every support line, as it arrives, to a Lambda that parses it with the
shared parser and writes the record as JSON to ``<support log group>_JSON``, where CloudWatch Logs
Insights can filter on any column. The batch ETL stays the system of record; this is for live
troubleshooting.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_logs_destinations as destinations
from constructs import Construct

from pexlogs_infra.config import PexlogsConfig
from pexlogs_infra.log_groups import retention
from pexlogs_infra.nag import acknowledge
from pexlogs_infra.packaging import lambda_bundle_dir

__all__ = ["RealtimePath"]


class RealtimePath(Construct):
    """``function``, its ``json_log_group`` and the ``subscription`` on the support group."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: PexlogsConfig,
        source: logs.ILogGroup,
        key: kms.IKey | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        json_name = f"{config.log_group_name('support')}_JSON"
        self.json_log_group = logs.LogGroup(
            self,
            "JsonLogGroup",
            log_group_name=json_name,
            retention=retention(config.log_retention_days),
            encryption_key=key,
            removal_policy=RemovalPolicy.RETAIN,
        )
        function_name = f"{config.stack_name}-realtime-parser"
        own_logs = logs.LogGroup(
            self,
            "FunctionLogs",
            log_group_name=f"/aws/lambda/{function_name}",
            retention=logs.RetentionDays.ONE_MONTH,
            encryption_key=key,
            removal_policy=RemovalPolicy.DESTROY,
        )
        role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Real-time parser: its own logs, and the parsed JSON log group",
        )
        policy = iam.Policy(
            self,
            "Policy",
            roles=[role],
            statements=[
                iam.PolicyStatement(
                    sid="WriteLogs",
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[own_logs.log_group_arn, self.json_log_group.log_group_arn],
                )
            ],
        )
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=function_name,
            description="Parse support log lines with pexlogs and write them as JSON events",
            # The pexlogs package targets Python 3.11 (Glue 5's interpreter); the parser is tested
            # on it, so the Lambda runs the same version.
            runtime=lambda_.Runtime.PYTHON_3_11,
            architecture=lambda_.Architecture.ARM_64,
            handler="handler.handler",
            code=lambda_.Code.from_asset(str(lambda_bundle_dir())),
            memory_size=512,
            timeout=Duration.seconds(60),
            role=role,
            log_group=own_logs,
            environment={"JSON_LOG_GROUP": json_name, "PEXLOGS_FAMILY": "support"},
        )
        self.function.node.add_dependency(policy)
        acknowledge(
            self.function,
            "AwsSolutions-L1",
            "pexlogs supports Python 3.11 only (requires-python, the Glue 5 interpreter); the "
            "Lambda runs the interpreter the shared parser is tested on.",
        )
        self.subscription = logs.SubscriptionFilter(
            self,
            "Subscription",
            log_group=source,
            destination=destinations.LambdaDestination(self.function),
            filter_pattern=logs.FilterPattern.all_events(),
            filter_name="pexlogs-realtime",
        )
