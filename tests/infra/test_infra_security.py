"""Whole-template checks: cdk-nag clean, cfn-lint clean, no wildcard actions, scoped resources."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from cfn_helpers import Synth, as_list, policy_statements

# AWS offers no resource-level permission for these actions: "*" is the only possible resource.
RESOURCE_STAR_ALLOWED = {
    "logs:DescribeExportTasks",
    "cloudwatch:PutMetricData",
    # Step Functions log delivery and X-Ray tracing (added by CDK for logging/tracing).
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
}

# Every cdk-nag acknowledgement in the app; a new one must be added here on purpose.
EXPECTED_ACKNOWLEDGEMENTS = {
    "Default": {
        "EtlJob/Job": {"AwsSolutions-GL1", "AwsSolutions-GL3"},
        "EtlJob/Policy": {
            "AwsSolutions-IAM5[Resource::*]",
            "AwsSolutions-IAM5[Resource::<StorageRaw*.Arn>/exports/*]",
            "AwsSolutions-IAM5[Resource::<StorageCurated*.Arn>/*]",
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws-glue/*]",
        },
        "Orchestration/Policy": {
            "AwsSolutions-IAM5[Resource::*]",
            "AwsSolutions-IAM5[Resource::<StorageRaw*.Arn>/exports/*]",
            "AwsSolutions-IAM5[Resource::<StorageCurated*.Arn>/_runs/*]",
        },
        "Orchestration/Role/DefaultPolicy": {"AwsSolutions-IAM5[Resource::*]"},
    },
}


def _is_key_root_delegation(type_: str, statement: dict[str, Any]) -> bool:
    # The standard first statement of a KMS key policy: the account (root) administers the key
    # through IAM. It is the AWS default, not a grant to a service.
    principal = statement.get("Principal", {})
    return (
        type_ == "AWS::KMS::Key"
        and statement.get("Action") == "kms:*"
        and isinstance(principal, dict)
        and "AWS" in principal
        and json.dumps(principal["AWS"]).count(":root") == 1
    )


def test_cdk_nag_finds_nothing_unacknowledged(synth: Synth) -> None:
    # The synth runs cdk-nag as a validation plugin: a finding would have failed it.
    assert synth.error is None, synth.error
    report = synth.outdir / "validation-report.json"
    if report.exists():
        assert json.loads(report.read_text())["pluginReports"] == []


def _acknowledgements(synth: Synth, stack: str) -> dict[str, dict[str, str]]:
    metadata = json.loads((synth.outdir / f"{stack}.metadata.json").read_text())
    found: dict[str, dict[str, str]] = {}
    for path, entries in metadata.items():
        for entry in entries:
            if entry["type"] == "aws:cdk:acknowledged-rules":
                for rule, reason in entry["data"].items():
                    found.setdefault(path.removeprefix(f"/{stack}/"), {})[
                        rule.removeprefix("Annotation::")
                    ] = reason
    return found


def test_every_suppression_is_expected_and_carries_a_reason(
    synth: Synth, templates: dict[str, dict[str, Any]]
) -> None:
    import re

    acks = _acknowledgements(synth, "Default")
    normalised = {
        path: {re.sub(r"<(Storage(?:Raw|Curated))[0-9A-F]{8}\.", r"<\1*.", r) for r in rules}
        for path, rules in acks.items()
    }
    assert normalised == EXPECTED_ACKNOWLEDGEMENTS["Default"]
    for rules in acks.values():
        for rule, reason in rules.items():
            assert len(reason) >= 40, f"{rule}: reason too short: {reason!r}"
    full = _acknowledgements(synth, "Full")
    # With kms=true the Glue findings disappear (the key encrypts logs and bookmarks) and the
    # real-time Lambda adds its runtime note.
    assert "EtlJob/Job" not in full
    assert set(full["Realtime/Function"]) == {"AwsSolutions-L1"}


@pytest.mark.parametrize("stack", ["Default", "Full"])
def test_no_allow_statement_has_a_wildcard_action(
    templates: dict[str, dict[str, Any]], stack: str
) -> None:
    offenders = []
    for lid, type_, statement in policy_statements(templates[stack]):
        if statement["Effect"] != "Allow" or _is_key_root_delegation(type_, statement):
            continue
        for action in as_list(statement.get("Action", [])):
            if "*" in action:
                offenders.append((lid, action))
    assert offenders == []


@pytest.mark.parametrize("stack", ["Default", "Full"])
def test_resource_star_only_where_aws_allows_nothing_else(
    templates: dict[str, dict[str, Any]], stack: str
) -> None:
    offenders = []
    for lid, type_, statement in policy_statements(templates[stack]):
        if type_ in ("AWS::KMS::Key", "AWS::IAM::Role") or statement["Effect"] != "Allow":
            continue  # in a key policy "*" means the key itself; trust policies name no resource
        if "*" in as_list(statement.get("Resource", [])):
            extra = set(as_list(statement["Action"])) - RESOURCE_STAR_ALLOWED
            if extra:
                offenders.append((lid, sorted(extra)))
    assert offenders == []


@pytest.fixture(scope="module")
def cfn_lint(synth: Synth, templates: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """cfn-lint's findings per stack; both templates linted at once (one process each)."""
    runs = {
        stack: subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys, cfnlint.runner; sys.exit(cfnlint.runner.main())",
                "--format",
                "json",
                "--regions",
                "us-east-1",
                "eu-west-1",
                "--",
                str(synth.outdir / f"{stack}.template.json"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for stack in templates
    }
    results = {}
    for stack, run in runs.items():
        out, err = run.communicate(timeout=300)
        assert out.strip().startswith("["), f"cfn-lint did not run: {err[-2000:]}"
        results[stack] = json.loads(out)
    return results


@pytest.mark.parametrize("stack", ["Default", "Full"])
def test_cfn_lint_reports_no_errors(cfn_lint: dict[str, list[dict[str, Any]]], stack: str) -> None:
    matches = cfn_lint[stack]
    errors = [m for m in matches if m["Level"] == "Error"]
    assert errors == []
    # The only warning: CDK's own DependsOn next to a GetAtt (a redundant, harmless dependency).
    warnings = {m["Rule"]["Id"] for m in matches if m["Level"] == "Warning"}
    assert warnings <= {"W3005"}


def test_a_finding_fails_the_synth(tmp_path: Any, synth: Synth) -> None:
    # GIVEN a bucket that breaks AwsSolutions rules, checked the way the app checks itself
    from aws_cdk import App, Stack
    from aws_cdk import aws_s3 as s3
    from pexlogs_infra.app import add_checks

    app = App(outdir=str(tmp_path))
    s3.Bucket(Stack(app, "Bad"), "Plain")
    add_checks(app)
    # WHEN it is synthesized THEN the validation stops it
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()


@pytest.mark.parametrize("stack", ["Default", "Full"])
def test_template_fits_cloudformation_limits(
    synth: Synth, templates: dict[str, dict[str, Any]], stack: str
) -> None:
    # CloudFormation: 1 MB template body (via S3), 500 resources, 200 outputs.
    size = (synth.outdir / f"{stack}.template.json").stat().st_size
    assert size < 1_000_000 * 0.8, f"{stack}: {size} bytes, close to the 1 MB limit"
    assert len(templates[stack]["Resources"]) < 500 * 0.8
    assert len(templates[stack].get("Outputs", {})) < 200
