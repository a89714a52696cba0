"""Fixtures shared by every test tier. Tier-specific fixtures live in each tier's conftest."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
# ../shared/samples exists in the project's CI and development checkouts, not in a user's clone:
# tests that read it skip cleanly where it is absent.
SHARED_SAMPLES = REPO_ROOT.parent / "shared" / "samples"

# Never touch a real AWS account from tests, whatever the machine's environment says.
for _var, _value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
}.items():
    os.environ[_var] = _value
os.environ.pop("AWS_PROFILE", None)


@pytest.fixture(scope="session")
def shared_samples() -> Path:
    """The shared sample logs folder, or skip where this checkout has none."""
    if not SHARED_SAMPLES.is_dir():
        pytest.skip("../shared/samples is not present in this checkout")
    return SHARED_SAMPLES
