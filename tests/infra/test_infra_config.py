"""The app's options: CDK context parsed and validated in one place (no synth needed)."""

from __future__ import annotations

from typing import Any

import pytest
from pexlogs_infra.app import load_cdk_json_context
from pexlogs_infra.config import DEFAULTS, PexlogsConfig

from pexlogs.exceptions import UsageError


def _from(context: dict[str, Any]) -> PexlogsConfig:
    return PexlogsConfig.from_context(context.get)


def test_cdk_json_carries_the_built_in_defaults() -> None:
    context = load_cdk_json_context()
    for key, value in context.items():
        if not key.startswith("@aws-cdk"):
            assert DEFAULTS[key] == value, key
    assert _from(context) == PexlogsConfig()


def test_command_line_strings_are_parsed() -> None:
    # GIVEN values as `cdk synth -c key=value` delivers them: strings
    config = _from(
        {
            "families": "support,audit",
            "logGroupNames": '{"audit": "/acme/audit"}',
            "kms": "true",
            "realtime": "no",
            "glueMaxWorkers": "20",
            "glueExecutionClass": "flex",
            "curatedStorageClass": "standard_ia",
        }
    )
    assert config.families == ("support", "audit")
    assert config.log_group_name("audit") == "/acme/audit"
    assert config.log_group_name("support") == "/pexip/support"
    assert config.kms is True and config.realtime is False
    assert config.glue_max_workers == 20
    assert config.glue_execution_class == "FLEX"
    assert config.curated_storage_class == "STANDARD_IA"
    assert "unparsed_lines" in config.tables
    assert not any(t.startswith("web_") for t in config.tables)


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"kms": "maybe"}, "kms: expected true or false"),
        ({"families": "support,chat"}, "unknown family 'chat'"),
        ({"families": "audit", "realtime": "true"}, "needs the support family"),
        ({"logRetentionDays": "42"}, "logRetentionDays: 42 is not one of"),
        ({"settleMinutes": "75"}, "outside 0..59"),
        ({"catchUpHours": "100"}, "outside 1..72"),
        ({"glueWorkerType": "G.4X", "glueExecutionClass": "FLEX"}, "FLEX runs only"),
        ({"alertEmail": "not-an-address"}, "is not an e-mail address"),
        ({"logGroupNames": '{"support": "bad name!"}'}, "is not a log group name"),
    ],
)
def test_bad_options_are_refused_with_the_key_named(context: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        _from(context)
