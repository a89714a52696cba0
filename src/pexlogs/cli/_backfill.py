"""``pexlogs backfill``: one backfill execution of the workflow, locally or on a deployed stack."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime
from typing import Any

from pexlogs.cli._run import add_state_options, parse_iso, print_summary
from pexlogs.exceptions import UsageError, WorkflowError

__all__ = ["register", "start_backfill_on_aws"]

_EPILOG = """\
examples:
  pexlogs backfill --start 2026-01-05T00:00:00Z --end 2026-01-06T00:00:00Z
  pexlogs backfill --start 2026-01-05T00:00:00Z --end 2026-01-05T06:00:00Z --aws

Locally, the hours are rebuilt from the logs `pexlogs run` ingested so far (under --home).
With --aws, the deployed state machine is found by name and started with boto3's default
credentials and region; the command waits for it and prints its output.
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "backfill",
        help="one backfill execution of the workflow over whole hours (locally or --aws)",
        description=(
            'Start the Step Functions workflow once with {"start", "end"}: it exports every hour '
            "of every log family, then runs the Glue job once for all of them."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--start", required=True, metavar="ISO", help="first hour (UTC)")
    parser.add_argument("--end", required=True, metavar="ISO", help="end hour (UTC, exclusive)")
    parser.add_argument(
        "--aws", action="store_true", help="start the deployed state machine instead of locally"
    )
    parser.add_argument(
        "--state-machine",
        default="pexip-logs-etl",
        metavar="NAME",
        help="state machine name with --aws (default pexip-logs-etl)",
    )
    parser.add_argument(
        "--no-wait", action="store_true", help="with --aws: print the execution ARN and return"
    )
    add_state_options(parser)
    parser.set_defaults(func=_backfill)


def _backfill(args: argparse.Namespace) -> int:
    start = parse_iso(args.start, "--start")
    end = parse_iso(args.end, "--end")
    if args.aws:
        import boto3

        client = boto3.client("stepfunctions")
        result = start_backfill_on_aws(
            client, args.state_machine, start, end, wait=not args.no_wait
        )
        print(json.dumps(result, sort_keys=True, default=str))
        return 0 if result.get("status") in ("SUCCEEDED", "RUNNING") else 1
    from pexlogs.local.runner import backfill_local, default_home

    summary = backfill_local(args.home or default_home(), start, end)
    print_summary(summary, as_json=args.json, command="backfill")
    return 0


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def start_backfill_on_aws(
    sfn_client: Any,
    name: str,
    start: datetime,
    end: datetime,
    *,
    wait: bool = True,
    poll_seconds: float = 10.0,
) -> dict[str, Any]:
    """Find the state machine ``name``, start it with ``{"start", "end"}`` and (optionally) wait.

    Returns ``{"executionArn", "status", "output"|"error"/"cause"}``.
    """
    if start.minute or start.second or end.minute or end.second or end <= start:
        raise UsageError("--start and --end must be whole hours, --end after --start")
    arn = None
    for page in sfn_client.get_paginator("list_state_machines").paginate():
        for machine in page["stateMachines"]:
            if machine["name"] == name:
                arn = machine["stateMachineArn"]
    if arn is None:
        raise WorkflowError(f"no state machine named {name!r} in this account and region")
    execution = sfn_client.start_execution(
        stateMachineArn=arn, input=json.dumps({"start": _iso(start), "end": _iso(end)})
    )
    execution_arn = execution["executionArn"]
    print(f"started {execution_arn}", file=sys.stderr)
    if not wait:
        return {"executionArn": execution_arn, "status": "RUNNING"}
    while True:
        described = sfn_client.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            break
        time.sleep(poll_seconds)
    result: dict[str, Any] = {"executionArn": execution_arn, "status": described["status"]}
    if described.get("output"):
        result["output"] = json.loads(described["output"])
    for key in ("error", "cause"):
        if described.get(key):
            result[key] = described[key]
    return result
