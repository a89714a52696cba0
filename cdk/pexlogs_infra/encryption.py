"""The optional customer-managed KMS key (context ``kms=true``) and who may use it.

Off by default: buckets then use S3-managed keys and the other services their own keys. When on,
one key encrypts the buckets, the log groups, the Glue security configuration, the Athena results
and the alert topic, so its policy names each AWS service that must use it on our behalf.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from pexlogs_infra.config import PexlogsConfig

__all__ = ["DataKey", "export_source_arns"]

_COLON = ArnFormat.COLON_RESOURCE_NAME


class DataKey(Construct):
    """A rotating customer-managed key whose policy lets CloudWatch Logs, Events and Alarms use it."""

    def __init__(self, scope: Construct, construct_id: str, *, config: PexlogsConfig) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.key = kms.Key(
            self,
            "Key",
            description="pexlogs: raw exports, curated tables, query results, logs and alerts",
            enable_key_rotation=True,
            pending_window=Duration.days(30),
            removal_policy=RemovalPolicy.RETAIN,
        )
        logs_service = iam.ServicePrincipal(f"logs.{Aws.REGION}.amazonaws.com")
        log_group_arns = [
            stack.format_arn(
                service="logs", resource="log-group", resource_name=name, arn_format=_COLON
            )
            for name in _encrypted_log_group_prefixes(config)
        ]
        # CloudWatch Logs encrypts the log groups it stores with this key (raw groups, the Glue
        # job's groups when its security configuration asks for it, workflow and Lambda logs).
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchLogsEncryptLogGroups",
                principals=[logs_service],
                actions=[
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncryptFrom",
                    "kms:ReEncryptTo",
                    "kms:GenerateDataKey",
                    "kms:GenerateDataKeyWithoutPlaintext",
                    "kms:DescribeKey",
                ],
                resources=["*"],  # in a key policy "*" means this key
                conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_group_arns}},
            )
        )
        # CreateExportTask writes into the SSE-KMS raw bucket with this key.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchLogsExportToBucket",
                principals=[logs_service],
                actions=["kms:GenerateDataKey", "kms:Decrypt"],
                resources=["*"],
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                    "ArnLike": {"aws:SourceArn": export_source_arns(self, config)},
                },
            )
        )
        # Alarms and the Glue-failure rule publish to the encrypted alert topic.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AlertPublishersUseTopicKey",
                principals=[
                    iam.ServicePrincipal("cloudwatch.amazonaws.com"),
                    iam.ServicePrincipal("events.amazonaws.com"),
                ],
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            )
        )


def _encrypted_log_group_prefixes(config: PexlogsConfig) -> list[str]:
    names = [config.log_group_name(f) for f in config.families]
    names += [f"{n}_JSON" for n in names if config.realtime]
    # Glue names its job log groups itself (/aws-glue/jobs/..., with the security configuration's
    # name inside); Step Functions and Lambda groups are named by this app under these prefixes.
    return [*names, "/aws-glue/*", "/aws/vendedlogs/states/*", "/aws/lambda/*"]


def export_source_arns(scope: Construct, config: PexlogsConfig) -> list[str]:
    """The ``aws:SourceArn`` values of CloudWatch export requests for the configured log groups.

    Both ARN spellings of a log group (with and without the trailing ``:*``) are listed, so the
    condition holds whichever form the service sends.
    """
    stack = Stack.of(scope)
    arns: list[str] = []
    for family in config.families:
        name = config.log_group_name(family)
        bare = stack.format_arn(
            service="logs", resource="log-group", resource_name=name, arn_format=_COLON
        )
        arns += [bare, f"{bare}:*"]
    return arns
