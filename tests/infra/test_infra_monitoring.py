"""Monitoring construct: alert topic, failure and silence alarms, Glue failure rule."""

from __future__ import annotations

import json
from typing import Any

from cfn_helpers import ref_id, resources


def test_alarms_on_failures_and_on_three_silent_hours(
    templates: dict[str, dict[str, Any]],
) -> None:
    template = templates["Default"]
    (topic_id,) = resources(template, "AWS::SNS::Topic")
    alarms = {
        lid: res["Properties"] for lid, res in resources(template, "AWS::CloudWatch::Alarm").items()
    }
    assert len(alarms) == 2
    failed = next(a for lid, a in alarms.items() if "ExecutionsFailed" in lid)
    silent = next(a for lid, a in alarms.items() if "NoRecentSuccess" in lid)
    for alarm in (failed, silent):
        assert [ref_id(a) for a in alarm["AlarmActions"]] == [topic_id]
    expression = next(m for m in failed["Metrics"] if "Expression" in m)
    assert "failed" in expression["Expression"] and "timed_out" in expression["Expression"]
    names = {
        m["MetricStat"]["Metric"]["MetricName"] for m in failed["Metrics"] if "MetricStat" in m
    }
    assert names == {"ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"}
    assert failed["TreatMissingData"] == "notBreaching"
    assert silent["MetricName"] == "ExecutionsSucceeded"
    assert silent["Period"] == 3 * 3600
    assert silent["ComparisonOperator"] == "LessThanThreshold"
    # No data means nothing ran: that must alarm.
    assert silent["TreatMissingData"] == "breaching"
    # The topic's policy lets CloudWatch publish, for these two alarms only.
    (policy,) = resources(template, "AWS::SNS::TopicPolicy").values()
    (allow,) = [
        st
        for st in policy["Properties"]["PolicyDocument"]["Statement"]
        if isinstance(st.get("Principal"), dict)
        and st["Principal"].get("Service") == "cloudwatch.amazonaws.com"
    ]
    assert allow["Action"] == "sns:Publish"
    assert {ref_id(a) for a in allow["Condition"]["ArnEquals"]["aws:SourceArn"]} == set(alarms)


def test_glue_job_failures_reach_the_topic(templates: dict[str, dict[str, Any]]) -> None:
    template = templates["Default"]
    (topic_id,) = resources(template, "AWS::SNS::Topic")
    (rule,) = resources(template, "AWS::Events::Rule").values()
    pattern = rule["Properties"]["EventPattern"]
    assert pattern["source"] == ["aws.glue"]
    assert pattern["detail-type"] == ["Glue Job State Change"]
    assert pattern["detail"]["jobName"] == ["pexip-logs-etl"]
    assert set(pattern["detail"]["state"]) >= {"FAILED", "TIMEOUT"}
    (target,) = rule["Properties"]["Targets"]
    assert ref_id(target["Arn"]) == topic_id
    # EventBridge may publish to the topic (and only for this rule).
    (policy,) = resources(template, "AWS::SNS::TopicPolicy").values()
    allows = [
        st
        for st in policy["Properties"]["PolicyDocument"]["Statement"]
        if st["Effect"] == "Allow"
        and st.get("Principal", {}).get("Service") == "events.amazonaws.com"
    ]
    assert [st["Action"] for st in allows] == ["sns:Publish"]
    assert ref_id(allows[0]["Condition"]["ArnEquals"]["aws:SourceArn"]) == next(
        iter(resources(template, "AWS::Events::Rule"))
    )


def test_topic_is_tls_only_and_optionally_encrypted_with_email(
    templates: dict[str, dict[str, Any]],
) -> None:
    default, full = templates["Default"], templates["Full"]
    (policy,) = resources(default, "AWS::SNS::TopicPolicy").values()
    assert any(
        st["Effect"] == "Deny" and st["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for st in policy["Properties"]["PolicyDocument"]["Statement"]
    )
    assert not resources(default, "AWS::SNS::Subscription")
    (topic,) = resources(full, "AWS::SNS::Topic").values()
    assert ref_id(topic["Properties"]["KmsMasterKeyId"]) in resources(full, "AWS::KMS::Key")
    (subscription,) = resources(full, "AWS::SNS::Subscription").values()
    assert subscription["Properties"]["Protocol"] == "email"
    assert subscription["Properties"]["Endpoint"] == "ops@example.com"
    assert json.dumps(subscription)  # serialisable: a plain resource
