"""pexlogs: Pexip Infinity logs as SQL tables.

The public API is small: :func:`parse_line` (the shared parser) and :func:`load_registry`
(the schema registry in ``metadata/``). Everything else is reached through the ``pexlogs`` CLI.
"""

from __future__ import annotations

from pexlogs.parser import parse_line
from pexlogs.schema import load_registry

__all__ = ["__version__", "load_registry", "parse_line"]

__version__ = "0.1.0"
