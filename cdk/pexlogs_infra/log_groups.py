"""The raw CloudWatch log groups the syslog server's agent writes to, one per configured family.

Standard class on purpose: Infrequent Access log groups cannot be exported (CreateExportTask) nor
feed subscription filters, and both are how this pipeline reads them.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from pexlogs_infra.config import PexlogsConfig

__all__ = ["LogGroups", "retention"]

_RETENTION = {
    0: logs.RetentionDays.INFINITE,
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    120: logs.RetentionDays.FOUR_MONTHS,
    150: logs.RetentionDays.FIVE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS,
    545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS,
    1096: logs.RetentionDays.THREE_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    2192: logs.RetentionDays.SIX_YEARS,
    2557: logs.RetentionDays.SEVEN_YEARS,
    2922: logs.RetentionDays.EIGHT_YEARS,
    3288: logs.RetentionDays.NINE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}


def retention(days: int) -> logs.RetentionDays:
    """The CloudWatch retention for ``days`` (validated by the config; 0 = never expire)."""
    return _RETENTION[days]


class LogGroups(Construct):
    """``groups[family]``: the raw log group of each configured family; ``agent_policy``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: PexlogsConfig,
        key: kms.IKey | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.groups: dict[str, logs.LogGroup] = {}
        for family in config.families:
            self.groups[family] = logs.LogGroup(
                self,
                family.capitalize(),
                log_group_name=config.log_group_name(family),
                log_group_class=logs.LogGroupClass.STANDARD,
                retention=retention(config.log_retention_days),
                encryption_key=key,
                # The logs are the source of truth for re-processing: never delete them with
                # the stack.
                removal_policy=RemovalPolicy.RETAIN,
            )
        # What the syslog server's CloudWatch agent needs (attach to its instance role or the
        # on-premises agent's user): write streams of these groups, nothing else.
        self.agent_policy = iam.ManagedPolicy(
            self,
            "AgentPolicy",
            description="pexlogs: the syslog server's CloudWatch agent writes the raw log groups",
            statements=[
                iam.PolicyStatement(
                    sid="ShipPexipLogs",
                    actions=[
                        "logs:CreateLogStream",
                        "logs:PutLogEvents",
                        "logs:DescribeLogStreams",
                    ],
                    resources=[group.log_group_arn for group in self.groups.values()],
                )
            ],
        )
