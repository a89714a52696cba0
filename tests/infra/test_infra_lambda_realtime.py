"""The real-time Lambda handler, fed real subscription payloads (gzip + base64), on moto."""

from __future__ import annotations

import base64
import gzip
import importlib.util
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws

HANDLER = Path(__file__).resolve().parents[2] / "lambdas" / "realtime" / "handler.py"
JSON_GROUP = "/pexip/support_JSON"
STREAM = "pxpconf01"
# CloudWatch refuses events older than 14 days: the batches are "now", as live lines are.
NOW_MS = (int(time.time()) - 3600) * 1000

SUPPORT_LINES = [
    '2021-06-08T07:58:12.312+00:00 pxpmgmt 2021-06-08 07:58:12,311 Level="WARNING" '
    'Name="administrator.alarm" Message="Alarm raised" Node="10.1.2.40" '
    'Alarm="connectivity_lost" Time="2021-06-08 07:58:12.309871" '
    'Instance="Source=10.1.1.127, Destination=10.1.2.40" Detail=""',
    '2021-06-08T08:02:45.120+00:00 pxpmgmt 2021-06-08 08:02:45,118 Level="INFO" '
    'Name="administrator.configuration" Message="Object modified" User="admin" '
    'Remote-address="10.1.0.55" Remote-port="52814" Type="conference" Id="14" '
    'Fields="pin, allow_guests"',
    "this line is not a Pexip support line",
]


def _load_handler() -> ModuleType:
    # lambdas/realtime is not a package: load handler.py the way the Lambda runtime does.
    spec = importlib.util.spec_from_file_location("realtime_handler", HANDLER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["realtime_handler"] = module
    spec.loader.exec_module(module)
    return module


handler = _load_handler()


def subscription_event(
    lines: list[str], *, message_type: str = "DATA_MESSAGE", start_ms: int = NOW_MS
) -> dict[str, Any]:
    """A Lambda event exactly as CloudWatch Logs delivers a subscription batch."""
    payload = {
        "messageType": message_type,
        "owner": "123456789012",
        "logGroup": "/pexip/support",
        "logStream": STREAM,
        "subscriptionFilters": ["pexlogs-realtime"],
        "logEvents": [
            {"id": str(36_000_000 + i), "timestamp": start_ms + i * 1000, "message": line}
            for i, line in enumerate(lines)
        ],
    }
    data = base64.b64encode(gzip.compress(json.dumps(payload).encode("utf-8"))).decode("ascii")
    return {"awslogs": {"data": data}}


@pytest.fixture
def logs_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A moto CloudWatch Logs client with the JSON group created, and the handler's env set."""
    monkeypatch.setenv("JSON_LOG_GROUP", JSON_GROUP)
    monkeypatch.setenv("PEXLOGS_FAMILY", "support")
    with mock_aws():
        client = boto3.client("logs", region_name="eu-west-1")
        client.create_log_group(logGroupName=JSON_GROUP)
        yield client


def _written(client: Any) -> list[dict[str, Any]]:
    events = client.get_log_events(
        logGroupName=JSON_GROUP, logStreamName=STREAM, startFromHead=True
    )["events"]
    return [{"timestamp": e["timestamp"], **json.loads(e["message"])} for e in events]


def test_each_line_becomes_one_parsed_json_event(logs_client: Any) -> None:
    # GIVEN a subscription batch of two support lines and one unreadable line
    event = subscription_event(SUPPORT_LINES)
    # WHEN the handler runs
    result = handler.handler(event, None, logs_client=logs_client)
    # THEN every line is in the JSON group, parsed by the shared parser, same timestamps
    written = _written(logs_client)
    assert [w["table"] for w in written] == [
        "support_administrator_alarm",
        "support_administrator_configuration",
        "unparsed_lines",
    ]
    assert [w["timestamp"] for w in written] == [NOW_MS, NOW_MS + 1000, NOW_MS + 2000]
    alarm, config, unparsed = written
    assert alarm["alarm"] == "connectivity_lost"
    assert alarm["level"] == "WARNING"
    assert alarm["originating_time"] == "2021-06-08T07:58:12.311000+00:00"
    assert config["user"] == "admin" and config["remote_port"] == 52814
    assert unparsed["raw_line"] == SUPPORT_LINES[2]
    assert unparsed["source"] == f"/pexip/support/{STREAM}"
    assert result == {
        "written": 3,
        "rejected": 0,
        "tables": {
            "support_administrator_alarm": 1,
            "support_administrator_configuration": 1,
            "unparsed_lines": 1,
        },
    }


def test_a_second_batch_appends_to_the_existing_stream(logs_client: Any) -> None:
    handler.handler(subscription_event(SUPPORT_LINES[:1]), None, logs_client=logs_client)
    handler.handler(
        subscription_event(SUPPORT_LINES[1:2], start_ms=NOW_MS + 100_000),
        None,
        logs_client=logs_client,
    )
    assert len(_written(logs_client)) == 2


def test_control_message_writes_nothing(logs_client: Any) -> None:
    event = subscription_event(
        ["CWL CONTROL MESSAGE: Checking health of destination"], message_type="CONTROL_MESSAGE"
    )
    assert handler.handler(event, None, logs_client=logs_client)["written"] == 0
    streams = logs_client.describe_log_streams(logGroupName=JSON_GROUP)["logStreams"]
    assert streams == []


def test_shared_samples_all_arrive(logs_client: Any, shared_samples: Path) -> None:
    lines = [
        line
        for line in (shared_samples / "support.sample.log").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    result = handler.handler(subscription_event(lines), None, logs_client=logs_client)
    assert result["written"] == len(lines)
    assert len(_written(logs_client)) == len(lines)


def test_batches_respect_put_log_events_limits() -> None:
    events = [{"timestamp": i, "message": "x" * 1000} for i in range(2500)]
    batches = list(handler.batches(events))
    assert sum(len(b) for b in batches) == 2500
    for batch in batches:
        assert len(batch) <= handler.MAX_BATCH_EVENTS
        size = sum(len(e["message"]) + handler.EVENT_OVERHEAD for e in batch)
        assert size <= handler.MAX_BATCH_BYTES
    assert len(batches) == 3  # 1026 bytes each: 1021 events per MiB
    many = [{"timestamp": i, "message": "y"} for i in range(25_000)]
    assert [len(b) for b in handler.batches(many)] == [10_000, 10_000, 5_000]


def test_an_oversized_record_is_cut_to_fit_one_event() -> None:
    huge = SUPPORT_LINES[1].replace('Fields="pin, allow_guests"', f'Fields="{"a" * 300_000}"')
    payload = {
        "logGroup": "/pexip/support",
        "logStream": STREAM,
        "logEvents": [{"id": "1", "timestamp": 1, "message": huge}],
    }
    (event,) = handler.to_json_events(payload, "support")
    assert len(event["message"].encode()) <= handler.MAX_EVENT_BYTES
    record = json.loads(event["message"])
    assert record["truncated"] is True
    assert record["table"] == "support_administrator_configuration"
