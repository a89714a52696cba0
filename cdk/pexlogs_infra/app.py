"""Building the CDK app: context from ``cdk.json`` (+ overrides), the stack, cdk-nag."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aws_cdk import App, Environment, Validations
from cdk_nag import AwsSolutionsChecks

from pexlogs_infra.config import PexlogsConfig
from pexlogs_infra.stack import PexlogsStack

__all__ = ["CDK_JSON", "add_checks", "build_app", "load_cdk_json_context"]

CDK_JSON = Path(__file__).resolve().parent.parent / "cdk.json"


def load_cdk_json_context(path: Path = CDK_JSON) -> dict[str, Any]:
    """The ``context`` of ``cdk.json`` (feature flags and option defaults)."""
    return dict(json.loads(path.read_text(encoding="utf-8")).get("context", {}))


def build_app(
    context: Mapping[str, Any] | None = None,
    *,
    outdir: str | None = None,
    env: Environment | None = None,
) -> tuple[App, PexlogsStack]:
    """An App holding the pexlogs stack, with cdk-nag's AwsSolutions checks as a validation plugin.

    ``context`` overrides ``cdk.json``; context given by the CDK CLI overrides both. Any unacknowledged
    cdk-nag finding makes ``app.synth()`` fail.
    """
    app = App(context={**load_cdk_json_context(), **(context or {})}, outdir=outdir)
    config = PexlogsConfig.from_context(app.node.try_get_context)
    stack = PexlogsStack(app, config.stack_name, config=config, env=env)
    add_checks(app)
    return app, stack


def add_checks(app: App) -> None:
    """cdk-nag's AwsSolutions pack as a validation plugin: a finding fails ``app.synth()``."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
