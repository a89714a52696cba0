"""Where the project's data files live, installed or in a checkout.

The wheel (shipped to AWS Glue and Lambda) carries ``metadata/`` and ``state_machines/`` inside the
package as ``_metadata``/``_state_machines``; a checkout (editable install) reads them from the
repository root. Every reader goes through these functions, so both layouts behave the same.
Imported from a zip (AWS Glue puts ``--extra-py-files`` archives on ``sys.path`` as they are), the
data folders are extracted once to a temporary folder, since ``Path`` cannot look inside a zip.
"""

from __future__ import annotations

import tempfile
import zipfile
import zipimport
from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[-1]


@cache
def _zipped(name: str) -> tuple[Path, ...]:
    """``pexlogs/<name>`` extracted from the zip this package is imported from, else nothing."""
    loader = globals().get("__loader__")
    if not isinstance(loader, zipimport.zipimporter):
        return ()
    prefix = f"{loader.prefix}{name}/"
    target = Path(tempfile.mkdtemp(prefix="pexlogs-data-"))
    with zipfile.ZipFile(loader.archive) as archive:
        archive.extractall(target, [m for m in archive.namelist() if m.startswith(prefix)])
    return (target / prefix,)


def repo_root() -> Path:
    """The checkout's root (``src/pexlogs/../..``); meaningful only in a checkout."""
    return _PACKAGE_DIR.parent.parent


def metadata_dir() -> Path:
    """The schema registry folder (``metadata/``)."""
    return _first_existing(
        _PACKAGE_DIR / "_metadata", *_zipped("_metadata"), repo_root() / "metadata"
    )


def state_machines_dir() -> Path:
    """The folder holding the ``*.asl.json`` workflow definitions."""
    return _first_existing(
        _PACKAGE_DIR / "_state_machines",
        *_zipped("_state_machines"),
        repo_root() / "state_machines",
    )
