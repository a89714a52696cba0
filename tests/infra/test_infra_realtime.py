"""Real-time path construct: off by default; when on, subscription -> Lambda -> ``…_JSON`` group."""

from __future__ import annotations

from typing import Any

from cfn_helpers import as_list, ref_id, resources


def test_off_by_default(templates: dict[str, dict[str, Any]]) -> None:
    default = templates["Default"]
    assert not resources(default, "AWS::Lambda::Function")
    assert not resources(default, "AWS::Logs::SubscriptionFilter")


def test_support_lines_flow_to_the_parser_and_the_json_group(
    templates: dict[str, dict[str, Any]],
) -> None:
    template = templates["Full"]
    ((function_id, function),) = resources(template, "AWS::Lambda::Function").items()
    props = function["Properties"]
    assert props["Handler"] == "handler.handler"
    assert props["Runtime"] == "python3.11"
    assert props["Environment"]["Variables"] == {
        "JSON_LOG_GROUP": "/custom/support_JSON",
        "PEXLOGS_FAMILY": "support",
    }
    groups = {
        res["Properties"]["LogGroupName"]: lid
        for lid, res in resources(template, "AWS::Logs::LogGroup").items()
    }
    assert "/custom/support_JSON" in groups
    (subscription,) = resources(template, "AWS::Logs::SubscriptionFilter").values()
    assert subscription["Properties"]["LogGroupName"] == {"Ref": groups["/custom/support"]}
    assert ref_id(subscription["Properties"]["DestinationArn"]) == function_id
    assert subscription["Properties"]["FilterPattern"] == ""
    (permission,) = resources(template, "AWS::Lambda::Permission").values()
    assert permission["Properties"]["Principal"] == "logs.amazonaws.com"
    assert ref_id(permission["Properties"]["SourceArn"]) == groups["/custom/support"]

    # The function's role writes to its own log group and the JSON group, nothing else.
    (policy,) = [
        r
        for lid, r in resources(template, "AWS::IAM::Policy").items()
        if lid.startswith("RealtimePolicy")
    ]
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert set(statement["Action"]) == {"logs:CreateLogStream", "logs:PutLogEvents"}
    targets = {ref_id(r) for r in as_list(statement["Resource"])}
    assert targets == {groups["/custom/support_JSON"], groups["/aws/lambda/Full-realtime-parser"]}


def test_the_lambda_bundle_is_self_contained(synth: Any, tmp_path: Any) -> None:
    # GIVEN the asset folder CDK uploads for the function (handler + pexlogs, no site-packages)
    import json
    import subprocess
    import sys

    from pexlogs_infra.packaging import lambda_bundle_dir

    bundle = lambda_bundle_dir()
    code = (
        "import sys, json; sys.path.insert(0, sys.argv[1]); import handler; "
        "line = sys.argv[2]; "
        "out = handler.to_json_events({'logGroup': 'g', 'logStream': 's', "
        "'logEvents': [{'id': '1', 'timestamp': 1, 'message': line}]}, 'support'); "
        "print(json.loads(out[0]['message'])['table'])"
    )
    line = (
        '2021-06-08T08:02:45.120+00:00 pxpmgmt 2021-06-08 08:02:45,118 Level="INFO" '
        'Name="administrator.configuration" Message="Object modified" User="admin"'
    )
    # WHEN a bare interpreter (no site-packages: no boto3, no checkout) imports the handler
    done = subprocess.run(
        [sys.executable, "-S", "-c", code, str(bundle), line],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    # THEN the shared parser inside the bundle parses the line
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "support_administrator_configuration"
    assert json.dumps(sorted(p.name for p in bundle.iterdir())) == json.dumps(
        ["handler.py", "pexlogs"]
    )
