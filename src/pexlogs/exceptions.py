"""Every exception pexlogs raises on purpose. The CLI turns a :class:`PexlogsError` into a one-line
message and exit code 2 (a user mistake or a bad input, never a traceback)."""

from __future__ import annotations

__all__ = [
    "CatalogError",
    "InputError",
    "JobError",
    "PexlogsError",
    "QueryError",
    "SchemaError",
    "UnparseableLineError",
    "UsageError",
    "ValueTypeError",
    "WorkflowError",
]


class PexlogsError(Exception):
    """Base of every error pexlogs raises deliberately."""


class UsageError(PexlogsError):
    """The user asked for something that cannot be done as asked (bad option, bad range)."""


class SchemaError(PexlogsError):
    """The schema registry in ``metadata/`` is invalid."""


class UnparseableLineError(PexlogsError):
    """A line does not follow its family's grammar; ``reason`` goes into ``unparsed_lines``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ValueTypeError(PexlogsError):
    """A value does not fit its column's type; parsers keep it in ``extra`` instead."""


class InputError(PexlogsError):
    """An input file or object is missing, unreadable or corrupt."""


class JobError(PexlogsError):
    """The ETL job failed (including a line-accounting mismatch)."""


class CatalogError(PexlogsError):
    """A Glue Data Catalog call failed (other than "already exists", which is handled)."""


class WorkflowError(PexlogsError):
    """The Step Functions workflow failed or was given bad input."""


class QueryError(PexlogsError):
    """A query cannot be run faithfully (unknown name, untranslatable SQL, engine error)."""
