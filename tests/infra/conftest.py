"""Infra tier: the CDK app synthesized ONCE per session (synth takes tens of seconds).

One App holds two stacks: ``Default`` (every option at its default) and ``Full`` (every option
turned on, a family left out, a log group renamed), so both branches of each construct are
synthesized, cdk-nag-checked and cfn-linted in the same run.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from cfn_helpers import Synth

REPO_ROOT = Path(__file__).resolve().parents[2]
CDK_DIR = REPO_ROOT / "cdk"
if str(CDK_DIR) not in sys.path:
    sys.path.insert(0, str(CDK_DIR))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

FULL_OPTIONS: dict[str, Any] = {
    "stackName": "Full",
    "families": "support,audit",
    "logGroupNames": '{"support": "/custom/support"}',
    "kms": "true",
    "realtime": "true",
    "alertEmail": "ops@example.com",
    "glueExecutionClass": "flex",
    "glueMaxWorkers": "4",
    "curatedStorageClass": "intelligent_tiering",
    "settleMinutes": "20",
    "logRetentionDays": "30",
}


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """Synthesize Default and Full in one App, with cdk-nag as a validation plugin."""
    build = tmp_path_factory.mktemp("cdk-build")
    os.environ["PEXLOGS_CDK_BUILD_DIR"] = str(build)
    outdir = tmp_path_factory.mktemp("cdk.out")

    from aws_cdk import App
    from pexlogs_infra.app import add_checks, load_cdk_json_context
    from pexlogs_infra.config import PexlogsConfig
    from pexlogs_infra.stack import PexlogsStack

    configs = {}
    app = App(context=load_cdk_json_context(), outdir=str(outdir))
    configs["Default"] = PexlogsConfig.from_context(app.node.try_get_context)
    configs["Full"] = PexlogsConfig.from_context(
        lambda key: FULL_OPTIONS.get(key, app.node.try_get_context(key))
    )
    for name, config in configs.items():
        PexlogsStack(app, name, config=config)
    add_checks(app)
    error = None
    try:
        app.synth()
    except RuntimeError as exc:  # cdk-nag findings (or another validation) stopped the synth
        report = outdir / "validation-report.json"
        error = f"{exc}\n{report.read_text() if report.exists() else ''}"
    templates = {
        name: json.loads((outdir / f"{name}.template.json").read_text())
        for name in configs
        if (outdir / f"{name}.template.json").exists()
    }
    return Synth(outdir=outdir, templates=templates, configs=configs, error=error)


@pytest.fixture(scope="session")
def templates(synth: Synth) -> dict[str, dict[str, Any]]:
    """Both templates; fails every dependent test when the synth itself failed."""
    if synth.error:
        pytest.fail(f"synth failed: {synth.error[:4000]}")
    return synth.templates
