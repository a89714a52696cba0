"""Real-time path: a CloudWatch Logs subscription on the support log group, parsed as it arrives.

Each invocation receives one subscription batch (base64 of gzip of JSON). Every log event is parsed
with the shared parser (``pexlogs.parse_line``, the same code the Glue job runs) and written as one
JSON event to the ``…_JSON`` log group, same stream name, same timestamp, for CloudWatch Logs
Insights. A line the parser cannot read still arrives, as its ``unparsed_lines`` record.

The logs client is injectable (``handler(event, context, logs_client=...)``) for tests.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from pexlogs import parse_line

__all__ = [
    "MAX_BATCH_BYTES",
    "MAX_BATCH_EVENTS",
    "MAX_EVENT_BYTES",
    "batches",
    "decode_payload",
    "handler",
    "to_json_events",
]

# PutLogEvents limits: 10,000 events and 1,048,576 bytes per call, each event counting its UTF-8
# size plus 26 bytes; one event at most 256 KiB.
MAX_BATCH_EVENTS = 10_000
MAX_BATCH_BYTES = 1_048_576
EVENT_OVERHEAD = 26
MAX_EVENT_BYTES = 262_144 - EVENT_OVERHEAD

_client: Any = None


def _logs_client() -> Any:
    global _client  # one client per container, created on first use
    if _client is None:
        import boto3

        _client = boto3.client("logs")
    return _client


def decode_payload(event: dict[str, Any]) -> dict[str, Any]:
    """The subscription batch inside a Lambda event: ``event["awslogs"]["data"]`` decoded."""
    data = base64.b64decode(event["awslogs"]["data"])
    return json.loads(gzip.decompress(data))  # type: ignore[no-any-return]


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _record_json(record: dict[str, Any], line: str) -> str:
    text = json.dumps(record, default=_json_default, ensure_ascii=False, separators=(",", ":"))
    if len(text.encode("utf-8")) <= MAX_EVENT_BYTES:
        return text
    # Too big for one CloudWatch event once parsed (huge SIP bodies): keep the table and the
    # line's start; the whole line stays in the raw log group and reaches the tables via the ETL.
    short = {"table": record.get("table"), "truncated": True, "raw_line": line[:65_536]}
    return json.dumps(short, ensure_ascii=False, separators=(",", ":"))


def to_json_events(payload: dict[str, Any], family: str) -> list[dict[str, Any]]:
    """Parse every log event of a subscription batch into ``{"timestamp", "message"}`` events."""
    source = f"{payload.get('logGroup')}/{payload.get('logStream')}"
    out = []
    for event in payload.get("logEvents", []):
        line = event["message"]
        record = parse_line(line, family)
        if record.get("table") == "unparsed_lines" and record.get("source") is None:
            record["source"] = source
        out.append({"timestamp": int(event["timestamp"]), "message": _record_json(record, line)})
    # PutLogEvents wants one call's events in time order.
    out.sort(key=lambda e: e["timestamp"])
    return out


def batches(events: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Split events into PutLogEvents-sized calls (count and bytes), order kept."""
    batch: list[dict[str, Any]] = []
    size = 0
    for event in events:
        cost = len(event["message"].encode("utf-8")) + EVENT_OVERHEAD
        if batch and (len(batch) >= MAX_BATCH_EVENTS or size + cost > MAX_BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(event)
        size += cost
    if batch:
        yield batch


def _ensure_stream(client: Any, group: str, stream: str) -> None:
    with contextlib.suppress(client.exceptions.ResourceAlreadyExistsException):
        client.create_log_stream(logGroupName=group, logStreamName=stream)


def handler(event: dict[str, Any], context: Any, logs_client: Any = None) -> dict[str, Any]:
    """Lambda entry point; returns counts (events written, rejected, per table)."""
    client = logs_client or _logs_client()
    group = os.environ["JSON_LOG_GROUP"]
    family = os.environ.get("PEXLOGS_FAMILY", "support")
    payload = decode_payload(event)
    if payload.get("messageType") == "CONTROL_MESSAGE":
        # CloudWatch's reachability check when the subscription is created: nothing to write.
        return {"written": 0, "rejected": 0, "tables": {}}
    events = to_json_events(payload, family)
    stream = payload["logStream"]
    _ensure_stream(client, group, stream)
    written = rejected = 0
    for batch in batches(events):
        response = client.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch)
        info = response.get("rejectedLogEventsInfo") or {}
        skipped = _rejected_count(info, len(batch))
        rejected += skipped
        written += len(batch) - skipped
    tables = Counter(json.loads(e["message"]).get("table") for e in events)
    result = {"written": written, "rejected": rejected, "tables": dict(tables)}
    print(json.dumps(result))  # one summary line per batch in the function's own log
    return result


def _rejected_count(info: dict[str, int], total: int) -> int:
    """Events CloudWatch refused (too old, too new, expired), from ``rejectedLogEventsInfo``."""
    rejected: set[int] = set()
    if "tooNewLogEventStartIndex" in info:
        rejected.update(range(info["tooNewLogEventStartIndex"], total))
    if "tooOldLogEventEndIndex" in info:
        rejected.update(range(0, info["tooOldLogEventEndIndex"]))
    if "expiredLogEventEndIndex" in info:
        rejected.update(range(0, info["expiredLogEventEndIndex"]))
    return len(rejected)
