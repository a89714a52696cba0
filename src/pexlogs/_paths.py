"""Where the project's data files live, installed or in a checkout.

The wheel (shipped to AWS Glue and Lambda) carries ``metadata/`` and ``state_machines/`` inside the
package as ``_metadata``/``_state_machines``; a checkout (editable install) reads them from the
repository root. Every reader goes through these functions, so both layouts behave the same.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[-1]


def repo_root() -> Path:
    """The checkout's root (``src/pexlogs/../..``); meaningful only in a checkout."""
    return _PACKAGE_DIR.parent.parent


def metadata_dir() -> Path:
    """The schema registry folder (``metadata/``)."""
    return _first_existing(_PACKAGE_DIR / "_metadata", repo_root() / "metadata")


def state_machines_dir() -> Path:
    """The folder holding the ``*.asl.json`` workflow definitions."""
    return _first_existing(_PACKAGE_DIR / "_state_machines", repo_root() / "state_machines")
