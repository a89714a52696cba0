"""The pexlogs CDK app: one construct per concern, one stack composing them.

:func:`build_app` is what ``app.py`` runs and what the infra tests synthesize.
"""

from __future__ import annotations

from pexlogs_infra.app import build_app, load_cdk_json_context
from pexlogs_infra.config import DEFAULTS, PexlogsConfig
from pexlogs_infra.stack import PexlogsStack

__all__ = ["DEFAULTS", "PexlogsConfig", "PexlogsStack", "build_app", "load_cdk_json_context"]
