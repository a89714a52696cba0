"""Monitoring: the alert topic, alarms on the workflow, and a rule on Glue job failures.

Alarms: any failed, timed-out or aborted execution; no successful execution in three hours (a
stuck or silently unscheduled pipeline). The EventBridge rule forwards the Glue job's FAILED,
TIMEOUT and ERROR state changes, because Glue's own metrics are not emitted when a run fails early.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from pexlogs_infra.config import PexlogsConfig

__all__ = ["GLUE_FAILURE_STATES", "Monitoring"]

GLUE_FAILURE_STATES = ["FAILED", "TIMEOUT", "ERROR"]


class Monitoring(Construct):
    """``topic`` at construction; :meth:`watch` adds the alarms and the Glue rule."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: PexlogsConfig,
        key: kms.IKey | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self,
            "Alerts",
            display_name="pexlogs alerts",
            master_key=key,
            enforce_ssl=True,
        )
        # Without kms=true the topic stays unencrypted: CloudWatch alarms and EventBridge cannot
        # publish to a topic under the AWS-managed SNS key, only under a customer-managed one.
        if config.alert_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(config.alert_email))
        self.alarms: dict[str, cloudwatch.Alarm] = {}

    def watch(self, state_machine: sfn.StateMachine, job_name: str) -> None:
        """Alarm on the state machine's failures and silence, and on the Glue job's failures."""
        action = cw_actions.SnsAction(self.topic)
        hour = Duration.hours(1)
        failures = cloudwatch.MathExpression(
            expression="FILL(failed, 0) + FILL(timed_out, 0) + FILL(aborted, 0)",
            using_metrics={
                "failed": state_machine.metric_failed(period=hour, statistic="Sum"),
                "timed_out": state_machine.metric_timed_out(period=hour, statistic="Sum"),
                "aborted": state_machine.metric_aborted(period=hour, statistic="Sum"),
            },
            label="failed, timed-out and aborted executions",
            period=hour,
        )
        self.alarms["failed"] = failures.create_alarm(
            self,
            "ExecutionsFailed",
            alarm_description="A pexlogs workflow execution failed, timed out or was aborted.",
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.alarms["silent"] = state_machine.metric_succeeded(
            period=Duration.hours(3), statistic="Sum"
        ).create_alarm(
            self,
            "NoRecentSuccess",
            alarm_description="No pexlogs workflow execution succeeded in the last 3 hours.",
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            # No data at all means nothing ran: that is exactly what this alarm is for.
            treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
        )
        for alarm in self.alarms.values():
            alarm.add_alarm_action(action)
        # The topic has a resource policy (TLS only), which replaces SNS's default one: name the
        # publishers explicitly. CloudWatch may publish for these alarms only.
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AlarmsPublish",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": Stack.of(self).account},
                    "ArnEquals": {"aws:SourceArn": [a.alarm_arn for a in self.alarms.values()]},
                },
            )
        )

        self.glue_rule = events.Rule(
            self,
            "GlueJobFailed",
            description=f"Glue job {job_name} ended FAILED, TIMEOUT or ERROR",
            event_pattern=events.EventPattern(
                source=["aws.glue"],
                detail_type=["Glue Job State Change"],
                detail={"jobName": [job_name], "state": GLUE_FAILURE_STATES},
            ),
        )
        # EventBridge may publish to the topic for this rule only. The target is given the topic
        # by ARN so that CDK adds no grant of its own (its grant on the topic key uses a wildcard
        # action; the key policy already lets EventBridge use the key).
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="GlueFailureRulePublishes",
                principals=[iam.ServicePrincipal("events.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={"ArnEquals": {"aws:SourceArn": self.glue_rule.rule_arn}},
            )
        )
        self.glue_rule.add_target(
            targets.SnsTopic(
                sns.Topic.from_topic_arn(self, "AlertsByArn", self.topic.topic_arn),
                message=events.RuleTargetInput.from_text(
                    f"pexlogs: Glue job {events.EventField.from_path('$.detail.jobName')} run "
                    f"{events.EventField.from_path('$.detail.jobRunId')} ended "
                    f"{events.EventField.from_path('$.detail.state')}: "
                    f"{events.EventField.from_path('$.detail.message')}"
                ),
            )
        )
