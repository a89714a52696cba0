#!/usr/bin/env python3
"""Entry point of the pexlogs CDK app: ``make synth`` (offline) or ``npx cdk synth|deploy``.

Options are CDK context keys (``cdk.json``, ``-c key=value``); see ``docs/deploying.md``. Run
directly, ``python app.py -c kms=true -c alertEmail=ops@example.com`` takes the same overrides.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # pexlogs_infra, whatever the working directory

from aws_cdk import Environment  # noqa: E402
from pexlogs_infra.app import build_app  # noqa: E402

from pexlogs.exceptions import PexlogsError  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Synthesize the pexlogs CDK app into cdk.out/.")
    parser.add_argument(
        "-c", "--context", action="append", default=[], metavar="KEY=VALUE",
        help="override a context option (repeatable), as with `cdk synth -c`",
    )  # fmt: skip
    args = parser.parse_args(argv)
    overrides = {}
    for item in args.context:
        key, sep, value = item.partition("=")
        if not sep:
            parser.error(f"-c expects KEY=VALUE, got {item!r}")
        overrides[key] = value
    # Deploy-time account/region when the CLI provides them; otherwise environment-agnostic.
    account, region = os.environ.get("CDK_DEFAULT_ACCOUNT"), os.environ.get("CDK_DEFAULT_REGION")
    env = Environment(account=account, region=region) if account and region else None
    # The CDK CLI says where to write (CDK_OUTDIR); run directly, write cdk/cdk.out like it would.
    outdir = os.environ.get("CDK_OUTDIR") or str(HERE / "cdk.out")
    try:
        app, _stack = build_app(overrides, env=env, outdir=outdir)
    except PexlogsError as exc:  # a bad option: one line, no traceback
        print(f"pexlogs cdk: {exc}", file=sys.stderr)
        return 2
    app.synth()
    print(f"synthesized {_stack.stack_name} into {outdir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
