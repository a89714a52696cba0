"""Builds what the app uploads as assets: the ``pexlogs`` package for Glue and the Lambda bundle.

The wheel is built offline with hatchling's PEP 517 hook (no isolated build environment, so no
download at synth time) from the checkout, then unpacked: Glue gets the unpacked package as a
directory asset (CDK zips it, and a ``.zip`` on ``--extra-py-files`` goes on the driver's and
executors' ``sys.path``), the Lambda gets the same files next to its handler. Builds are
reproducible (hatchling fixes the timestamps), so an unchanged checkout keeps its asset hashes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from functools import lru_cache
from pathlib import Path

__all__ = ["REPO_ROOT", "build_wheel", "glue_package_dir", "lambda_bundle_dir"]

REPO_ROOT = Path(__file__).resolve().parents[2]


def _build_dir() -> Path:
    # Tests point this at a temporary folder so parallel sessions never share a build.
    return Path(os.environ.get("PEXLOGS_CDK_BUILD_DIR", REPO_ROOT / "cdk" / "build"))


_HOOK = "import sys, hatchling.build as b; print(b.build_wheel(sys.argv[1]))"


@lru_cache(maxsize=1)
def build_wheel() -> Path:
    """Build ``pexlogs-<version>-py3-none-any.whl`` from the checkout into ``cdk/build/wheel``."""
    out = _build_dir() / "wheel"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    try:
        done = subprocess.run(
            [sys.executable, "-c", _HOOK, str(out)],
            cwd=REPO_ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(
            "building the pexlogs wheel failed (is hatchling installed? `make install`):\n"
            + exc.stderr
        ) from exc
    return out / done.stdout.strip().splitlines()[-1]


def _unpack(wheel: Path, target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            # Only the import package: .dist-info is for installers, not for sys.path users.
            if member.startswith("pexlogs/"):
                archive.extract(member, target)


@lru_cache(maxsize=1)
def glue_package_dir() -> Path:
    """A folder holding ``pexlogs/`` (code + schemas), zipped by CDK for ``--extra-py-files``."""
    target = _build_dir() / "glue_package"
    _unpack(build_wheel(), target)
    return target


@lru_cache(maxsize=1)
def lambda_bundle_dir() -> Path:
    """The real-time Lambda's code: ``handler.py`` from ``lambdas/realtime`` plus ``pexlogs/``."""
    target = _build_dir() / "lambda_realtime"
    _unpack(build_wheel(), target)
    source = REPO_ROOT / "lambdas" / "realtime"
    for item in sorted(source.glob("*.py")):
        shutil.copy2(item, target / item.name)
    return target
