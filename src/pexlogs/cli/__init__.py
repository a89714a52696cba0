"""The ``pexlogs`` command line. Each subcommand lives in its own ``_<name>.py`` module here with a
``register(subparsers)`` function; they are discovered, so adding a command touches one file.

A :class:`~pexlogs.exceptions.PexlogsError` (a user mistake or a bad input) becomes a one-line
``pexlogs: error: …`` on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from pexlogs.exceptions import PexlogsError

__all__ = ["main"]

# The order commands are listed in --help; discovered modules not named here come last.
_ORDER = ("run", "query", "backfill", "generate", "parse", "etl")


def _command_modules() -> list[str]:
    found = [m.name[1:] for m in pkgutil.iter_modules(__path__) if m.name.startswith("_")]
    return sorted(found, key=lambda n: (_ORDER.index(n) if n in _ORDER else len(_ORDER), n))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pexlogs",
        description="Pexip Infinity logs as SQL tables: parse, run the ETL, query (locally or on AWS).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in _command_modules():
        module = importlib.import_module(f"pexlogs.cli._{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except PexlogsError as exc:
        print(f"pexlogs: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("pexlogs: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `pexlogs parse … | head` closes the pipe early: not an error.
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
