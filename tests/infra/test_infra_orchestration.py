"""Orchestration construct: the ASL file inlined with every placeholder substituted; schedules."""

from __future__ import annotations

import json
import re
from typing import Any

from cfn_helpers import as_list, ref_id, render, resources

from pexlogs import workflow

PLACEHOLDER = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_]*)\}")


def _state_machine(template: dict[str, Any]) -> dict[str, Any]:
    (sm,) = resources(template, "AWS::StepFunctions::StateMachine").values()
    return sm["Properties"]


def test_definition_is_the_asl_file_inline_with_every_placeholder_substituted(
    templates: dict[str, dict[str, Any]],
) -> None:
    for template in templates.values():
        props = _state_machine(template)
        definition = props["DefinitionString"]
        # Inline (a plain string, not an S3 asset) and byte-for-byte the shared file.
        assert isinstance(definition, str)
        assert definition == workflow.load_definition()
        used = set(PLACEHOLDER.findall(definition))
        assert used == set(workflow.PLACEHOLDERS)
        assert set(props["DefinitionSubstitutions"]) == used
        # Rendering with the stack's values (tokens shown as strings) gives valid ASL JSON.
        values = {k: render(v) for k, v in props["DefinitionSubstitutions"].items()}
        rendered = workflow.render_definition(values)
        assert not set(PLACEHOLDER.findall(rendered)) & set(workflow.PLACEHOLDERS)
        assert json.loads(rendered)["StartAt"] in json.loads(rendered)["States"]


def test_substitutions_carry_the_stack_values(templates: dict[str, dict[str, Any]]) -> None:
    default = _state_machine(templates["Default"])["DefinitionSubstitutions"]
    assert default["LogFamilies"] == "support=/pexip/support,audit=/pexip/audit,web=/pexip/web"
    assert default["SettleMinutes"] == "15"
    assert default["GlueJobName"] == "pexip-logs-etl"
    assert default["GlueDatabase"] == "pexip_logs"
    assert ref_id(default["RawBucketName"]).startswith("StorageRaw")
    assert ref_id(default["RunSummaryBucketName"]).startswith("StorageCurated")
    assert render(default["RawUri"]).startswith("s3://${StorageRaw")
    assert render(default["CuratedUri"]).startswith("s3://${StorageCurated")
    assert ref_id(default["AlertTopicArn"]).startswith("MonitoringAlerts")
    full = _state_machine(templates["Full"])["DefinitionSubstitutions"]
    assert full["LogFamilies"] == "support=/custom/support,audit=/pexip/audit"
    assert full["SettleMinutes"] == "20"


def test_state_machine_logs_all_and_traces(templates: dict[str, dict[str, Any]]) -> None:
    props = _state_machine(templates["Default"])
    assert props["StateMachineName"] == "pexip-logs-etl"
    assert props["TracingConfiguration"] == {"Enabled": True}
    assert props["LoggingConfiguration"]["Level"] == "ALL"


def test_hourly_and_daily_catch_up_schedules(templates: dict[str, dict[str, Any]]) -> None:
    template = templates["Default"]
    schedules = {
        res["Properties"]["ScheduleExpression"]: res["Properties"]
        for res in resources(template, "AWS::Scheduler::Schedule").values()
    }
    assert set(schedules) == {"cron(15 * * * ? *)", "cron(45 2 * * ? *)"}
    (sm_id,) = resources(template, "AWS::StepFunctions::StateMachine")
    hourly = schedules["cron(15 * * * ? *)"]
    daily = schedules["cron(45 2 * * ? *)"]
    for schedule in (hourly, daily):
        assert schedule["ScheduleExpressionTimezone"] == "UTC"
        assert ref_id(schedule["Target"]["Arn"]) == sm_id
    assert json.loads(hourly["Target"]["Input"]) == {
        "scheduled_time": "<aws.scheduler.scheduled-time>"
    }
    assert json.loads(daily["Target"]["Input"]) == {
        "scheduled_time": "<aws.scheduler.scheduled-time>",
        "hours": 24,
    }
    full = {
        res["Properties"]["ScheduleExpression"]
        for res in resources(templates["Full"], "AWS::Scheduler::Schedule").values()
    }
    assert full == {"cron(20 * * * ? *)", "cron(50 2 * * ? *)"}


def _policy(template: dict[str, Any], prefix: str) -> dict[str, dict[str, Any]]:
    (policy,) = [
        r for lid, r in resources(template, "AWS::IAM::Policy").items() if lid.startswith(prefix)
    ]
    return {
        st.get("Sid", str(i)): st
        for i, st in enumerate(policy["Properties"]["PolicyDocument"]["Statement"])
    }


def test_workflow_role_is_limited_to_its_groups_job_topic_and_prefixes(
    templates: dict[str, dict[str, Any]],
) -> None:
    template = templates["Full"]
    statements = _policy(template, "OrchestrationPolicy")
    exported = {render(r) for r in as_list(statements["ExportConfiguredLogGroups"]["Resource"])}
    names = {r.split("log-group:")[-1] for r in exported}
    group_ids = {
        lid
        for lid, res in resources(template, "AWS::Logs::LogGroup").items()
        if lid.startswith("LogGroups")
    }
    assert names == {"/custom/support", "/pexip/audit"} | {f"<{g}.Arn>" for g in group_ids}
    glue = statements["RunEtlJob"]
    assert render(glue["Resource"]).endswith(":job/pexip-logs-etl")
    assert set(glue["Action"]) == {
        "glue:StartJobRun",
        "glue:GetJobRun",
        "glue:GetJobRuns",
        "glue:BatchStopJobRun",
    }
    assert ref_id(statements["PublishAlerts"]["Resource"]).startswith("MonitoringAlerts")
    assert render(statements["DeleteStaleExports"]["Resource"]).endswith("/exports/*")
    assert render(statements["ReadRunSummaries"]["Resource"]).endswith("/_runs/*")
    assert statements["PollExportTasks"]["Resource"] == "*"

    scheduler = _policy(template, "OrchestrationSchedulerRoleDefaultPolicy")
    (only,) = scheduler.values()
    assert only["Action"] == "states:StartExecution"
    (sm_id,) = resources(template, "AWS::StepFunctions::StateMachine")
    assert ref_id(only["Resource"]) == sm_id
