"""The ASL file on its own: valid JSON, placeholders only inside strings and all documented,
every state reachable, the integrations and error names AWS expects, and the JSONata that plans
the windows."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pexlogs import workflow
from pexlogs.exceptions import WorkflowError

PLACEHOLDER = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_]*)\}")
SAMPLE_VALUES = workflow.LOCAL_DEFAULTS | {
    "RawBucketName": "pexlogs-raw",
    "RawUri": "s3://pexlogs-raw",
    "CuratedUri": "s3://pexlogs-curated",
    "RunSummaryBucketName": "pexlogs-curated",
    "AlertTopicArn": "arn:aws:sns:eu-west-1:123456789012:pexlogs-alerts",
}


@pytest.fixture(scope="module")
def asl() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(workflow.load_definition())
    return loaded


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def all_states(states: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(name, state, the States block it belongs to), nested Map processors included."""
    for name, state in states.items():
        yield name, state, states
        if "ItemProcessor" in state:
            yield from all_states(state["ItemProcessor"]["States"])


def transitions(state: dict[str, Any]) -> list[str]:
    targets = [state.get("Next"), state.get("Default")]
    targets += [rule["Next"] for rule in state.get("Choices", [])]
    targets += [catcher["Next"] for catcher in state.get("Catch", [])]
    return [t for t in targets if t]


def test_file_is_valid_json_with_placeholders_only_inside_strings(asl: dict[str, Any]) -> None:
    text = workflow.load_definition()
    in_strings = sum(len(PLACEHOLDER.findall(s)) for s in strings(asl))
    assert in_strings == len(PLACEHOLDER.findall(text)) > 0
    assert not any(PLACEHOLDER.search(key) for key in _keys(asl))
    assert asl["QueryLanguage"] == "JSONata"


def _keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from _keys(item)


def test_placeholders_are_scanned_from_the_file_and_documented() -> None:
    assert set(PLACEHOLDER.findall(workflow.load_definition())) == workflow.PLACEHOLDERS
    doc = workflow.__doc__ or ""
    undocumented = [name for name in workflow.PLACEHOLDERS if f"``{name}``\n" not in doc]
    assert undocumented == []
    assert workflow.INTEGER_PLACEHOLDERS <= workflow.PLACEHOLDERS
    assert set(workflow.LOCAL_DEFAULTS) <= workflow.PLACEHOLDERS


def test_every_state_is_reachable_and_every_transition_exists(asl: dict[str, Any]) -> None:
    def check(block: dict[str, Any]) -> None:
        states = block["States"]
        seen: set[str] = set()
        todo = [block["StartAt"]]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            assert name in states, f"transition to missing state {name}"
            seen.add(name)
            state = states[name]
            nexts = transitions(state)
            if state["Type"] in {"Succeed", "Fail"}:
                assert not nexts, name
            elif state["Type"] != "Choice":
                assert state.get("Next") or state.get("End"), f"{name} neither continues nor ends"
            todo.extend(nexts)
            if "ItemProcessor" in state:
                check(state["ItemProcessor"])
        assert seen == set(states), f"unreachable: {set(states) - seen}"

    check(asl)


def test_integrations_error_names_and_one_export_at_a_time(asl: dict[str, Any]) -> None:
    resources = {
        state["Resource"] for _, state, _ in all_states(asl["States"]) if state["Type"] == "Task"
    }
    assert resources == {
        "arn:aws:states:::aws-sdk:cloudwatchlogs:createExportTask",
        "arn:aws:states:::aws-sdk:cloudwatchlogs:describeExportTasks",
        "arn:aws:states:::aws-sdk:s3:listObjectsV2",
        "arn:aws:states:::aws-sdk:s3:deleteObjects",
        "arn:aws:states:::aws-sdk:s3:getObject",
        "arn:aws:states:::glue:startJobRun.sync",
        "arn:aws:states:::sns:publish",
    }
    errors = {
        error
        for _, state, _ in all_states(asl["States"])
        for handler in state.get("Retry", []) + state.get("Catch", [])
        for error in handler["ErrorEquals"]
    }
    # AWS names aws-sdk errors <Service>.<Exception>: a lower-case service never matches
    assert all(
        e == "States.ALL" or re.match(r"^(CloudWatchLogs|S3|Glue)\.[A-Za-z]+Exception$", e)
        for e in errors
    )
    assert "CloudWatchLogs.LimitExceededException" in errors
    assert [r["ErrorEquals"] for r in asl["States"]["RunEtlJob"]["Retry"]] == [
        ["Glue.ConcurrentRunsExceededException"]
    ]
    export_map = asl["States"]["ExportWindows"]
    assert export_map["Type"] == "Map"
    assert export_map["MaxConcurrency"] == 1
    job = asl["States"]["RunEtlJob"]["Arguments"]["Arguments"]
    assert set(job) == {"--windows", "--raw_uri", "--curated_uri", "--database", "--summary_uri"}


def test_every_failure_path_alerts_before_failing(asl: dict[str, Any]) -> None:
    for name in ("ExportWindows", "RunEtlJob"):
        assert [c["Next"] for c in asl["States"][name]["Catch"]] == ["NotifyFailure"]
    assert asl["States"]["NotifyFailure"]["Arguments"]["TopicArn"] == "${AlertTopicArn}"
    assert asl["States"]["NotifyFailure"]["Next"] == "Failed"


# ------------------------------------------------------------------------------------ JSONata

jsonata = pytest.importorskip("jsonata")


def expressions(asl: dict[str, Any]) -> Iterator[str]:
    rendered = json.loads(workflow.render_definition(SAMPLE_VALUES))
    for text in strings(rendered):
        if text.startswith("{%") and text.endswith("%}"):
            yield text[2:-2]


def test_every_jsonata_expression_compiles(asl: dict[str, Any]) -> None:
    compiled = 0
    for expression in expressions(asl):
        jsonata.Jsonata(expression)
        compiled += 1
    assert compiled > 30


def plan(
    execution_input: dict[str, Any], start_time: str = "2026-01-01T00:00:00.000Z", **values: str
) -> Any:
    rendered = json.loads(workflow.render_definition(SAMPLE_VALUES | values))
    expression = rendered["States"]["PlanWindows"]["Assign"]["windows"][2:-2]
    states = {"input": execution_input, "context": {"Execution": {"StartTime": start_time}}}
    return jsonata.Jsonata(expression).evaluate(None, {"states": states})


def test_windows_of_a_scheduled_run() -> None:
    assert plan({"scheduled_time": "2026-05-05T10:14:59Z"}) == [
        {"start": "2026-05-05T08:00:00Z", "end": "2026-05-05T09:00:00Z"}
    ]
    assert plan({"scheduled_time": "2026-05-05T10:15:00Z"}) == [
        {"start": "2026-05-05T09:00:00Z", "end": "2026-05-05T10:00:00Z"}
    ]
    # a late start still processes the hour of its scheduled time
    assert plan({"scheduled_time": "2026-05-05T10:15:00Z"}, start_time="2026-05-05T13:40:00.000Z")[
        0
    ]["start"] == ("2026-05-05T09:00:00Z")
    # no scheduled time: the execution's start time
    assert plan({}, start_time="2026-05-05T00:20:00.123Z") == [
        {"start": "2026-05-04T23:00:00Z", "end": "2026-05-05T00:00:00Z"}
    ]
    assert (
        plan({}, start_time="2026-05-05T00:20:00.123Z", SettleMinutes="0")[0]["start"]
        == "2026-05-04T23:00:00Z"
    )
    assert (
        plan({}, start_time="2026-05-05T01:00:00.000Z", SettleMinutes="0")[0]["start"]
        == "2026-05-05T00:00:00Z"
    )


def test_windows_of_a_range_and_of_a_catch_up() -> None:
    windows = plan({"start": "2026-05-04T22:00:00Z", "end": "2026-05-05T01:00:00Z"})
    assert windows == [
        {"start": "2026-05-04T22:00:00Z", "end": "2026-05-04T23:00:00Z"},
        {"start": "2026-05-04T23:00:00Z", "end": "2026-05-05T00:00:00Z"},
        {"start": "2026-05-05T00:00:00Z", "end": "2026-05-05T01:00:00Z"},
    ]
    assert plan({"start": "2026-05-05T00:00:00Z", "end": "2026-05-05T01:00:00Z"}) == [
        {"start": "2026-05-05T00:00:00Z", "end": "2026-05-05T01:00:00Z"}
    ]
    catch_up = plan({"scheduled_time": "2026-05-05T00:30:00Z", "hours": 24})
    assert len(catch_up) == 24
    assert catch_up[0]["start"] == "2026-05-04T00:00:00Z"
    assert catch_up[-1]["end"] == "2026-05-05T00:00:00Z"


def test_families_spec_is_parsed_like_the_python_helper() -> None:
    value = "support=/pexip/support,web?=/pexip/web"
    rendered = json.loads(workflow.render_definition(SAMPLE_VALUES | {"LogFamilies": value}))
    expression = rendered["States"]["PlanWindows"]["Assign"]["families"][2:-2]
    parsed = jsonata.Jsonata(expression).evaluate(None)
    assert parsed == [f._asdict() for f in workflow.parse_log_families(value)]


# ------------------------------------------------------------------------------------ rendering


def test_render_substitutes_every_placeholder() -> None:
    rendered = workflow.render_definition(SAMPLE_VALUES)
    assert "${" not in rendered
    assert "arn:aws:sns:eu-west-1:123456789012:pexlogs-alerts" in rendered
    json.loads(rendered)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"AlertTopicArn": None}, "missing value(s) for AlertTopicArn"),
        ({"Bogus": "x"}, "unknown placeholder(s) Bogus"),
        ({"SettleMinutes": "fifteen"}, "SettleMinutes must be a whole number"),
        ({"RawUri": 's3://raw"'}, "must not contain quotes"),
        ({"LogFamilies": "support:/pexip/support"}, "invalid LogFamilies entry"),
        ({"LogFamilies": "a=/x,a=/y"}, "names a family twice"),
        ({"GlueJobName": ""}, "non-empty"),
    ],
)
def test_render_refuses_bad_values(change: dict[str, str | None], message: str) -> None:
    values = {k: v for k, v in (SAMPLE_VALUES | change).items() if v is not None}
    with pytest.raises(WorkflowError, match=re.escape(message)):
        workflow.render_definition(values)


def test_log_families_round_trip() -> None:
    families = [
        workflow.LogFamily("support", "/pexip/support"),
        workflow.LogFamily("web", "/pexip/web", optional=True),
    ]
    text = workflow.format_log_families(families)
    assert text == "support=/pexip/support,web?=/pexip/web"
    assert list(workflow.parse_log_families(text)) == families
    with pytest.raises(WorkflowError):
        workflow.format_log_families([("Support Logs", "/pexip/support")])
    with pytest.raises(WorkflowError):
        workflow.format_log_families([])


# ------------------------------------------------------------------------------------ properties


EPOCH_2020 = datetime(2020, 1, 1, tzinfo=UTC)


def _z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@settings(max_examples=40, deadline=None)
@given(first=st.integers(0, 24 * 365 * 10), hours=st.integers(1, 72))
def test_a_range_becomes_contiguous_hours(first: int, hours: int) -> None:
    start = EPOCH_2020 + timedelta(hours=first)
    windows = plan({"start": _z(start), "end": _z(start + timedelta(hours=hours))})
    assert [w["start"] for w in windows] == [_z(start + timedelta(hours=i)) for i in range(hours)]
    assert [w["end"] for w in windows] == [_z(start + timedelta(hours=i + 1)) for i in range(hours)]


@settings(max_examples=40, deadline=None)
@given(seconds=st.integers(0, 10 * 365 * 24 * 3600), settle=st.integers(0, 120))
def test_a_scheduled_run_takes_the_last_hour_ended_settle_minutes_ago(
    seconds: int, settle: int
) -> None:
    scheduled = EPOCH_2020 + timedelta(seconds=seconds)
    (window,) = plan({"scheduled_time": _z(scheduled)}, SettleMinutes=str(settle))
    end = datetime.fromisoformat(window["end"].replace("Z", "+00:00"))
    cutoff = scheduled - timedelta(minutes=settle)
    assert end.minute == end.second == 0
    assert end <= cutoff < end + timedelta(hours=1)
