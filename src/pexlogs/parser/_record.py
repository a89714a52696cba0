"""Turn a family parser's raw key/value findings into a record that fits its table in ``metadata/``.

Family parsers decide *which* table and *which* values; this module applies the typing rules the
registry declares, in one place: declared columns are coerced to their type, keys the table does not
declare go into ``extra`` (as strings), and a value that does not fit its declared type is kept in
``extra`` under its column name instead of being lost (``None``/``True``/``False``/empty strings in
a numeric column simply become null: real logs write ``Remote-Port="False"``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from pexlogs.exceptions import ValueTypeError
from pexlogs.schema import EXTRA_COLUMN, load_registry

__all__ = ["TablePlan", "build_record", "column_name", "table_plan", "to_text"]

_NO_VALUE = frozenset({"", "None", "none", "null", "NULL", "True", "False", "(null)", "?", "-"})
_TRUE = frozenset({"true", "True", "TRUE", "1", "yes", "Yes"})
_FALSE = frozenset({"false", "False", "FALSE", "0", "no", "No"})
_INT_RANGE = {"tinyint": 2**7, "smallint": 2**15, "int": 2**31, "bigint": 2**63}


def column_name(key: str) -> str:
    """The column a key lands in: lower case, ``-`` → ``_`` (``Remote-Address`` → ``remote_address``)."""
    return key.lower().replace("-", "_").replace(" ", "_").replace(".", "_")


def to_text(value: Any) -> str | None:
    """A value as text for string columns and ``extra``: JSON for containers, ISO for times."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool | int | float):
        return str(value)
    return json.dumps(value, default=str, ensure_ascii=False)


def _to_int(limit: int) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if value.__class__ is str:  # the parsers' common case, tested first
            if value in _NO_VALUE:
                return None
            try:
                result = int(value.strip())
            except ValueError:
                raise ValueTypeError from None
        elif isinstance(value, bool):
            return None
        elif isinstance(value, int):
            result = value
        elif isinstance(value, str):
            if value in _NO_VALUE:
                return None
            try:
                result = int(value.strip())
            except ValueError:
                raise ValueTypeError from None
        elif isinstance(value, float) and value.is_integer():
            result = int(value)
        else:
            raise ValueTypeError
        if not -limit <= result < limit:
            raise ValueTypeError
        return result

    return convert


def _to_float(value: Any) -> Any:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        if value in _NO_VALUE:
            return None
        try:
            return float(value)
        except ValueError:
            raise ValueTypeError from None
    raise ValueTypeError


def _to_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        if value in ("", "None", "null", "-", "?"):
            return None
    raise ValueTypeError


def _to_timestamp(value: Any) -> Any:
    if value.__class__ is datetime and value.tzinfo is UTC:  # the parsers' common case
        return value
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        if value in _NO_VALUE:
            return None
        try:
            parsed = datetime.fromisoformat(value.replace(",", "."))
        except ValueError:
            raise ValueTypeError from None
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise ValueTypeError


def _to_string(value: Any) -> Any:
    return to_text(value)


def _to_string_map(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): to_text(v) for k, v in value.items()}
    raise ValueTypeError


def _passthrough(value: Any) -> Any:
    # Complex types (array/struct/map of non-strings): the family parser builds the shape.
    return value


def _converter(hive_type: str) -> Callable[[Any], Any]:
    if hive_type in _INT_RANGE:
        return _to_int(_INT_RANGE[hive_type])
    if hive_type in ("double", "float") or hive_type.startswith("decimal"):
        return _to_float
    if hive_type == "boolean":
        return _to_bool
    if hive_type == "timestamp":
        return _to_timestamp
    if hive_type == "string":
        return _to_string
    if hive_type == "map<string,string>":
        return _to_string_map
    return _passthrough


@dataclass(frozen=True)
class TablePlan:
    """What :func:`build_record` needs of a table, computed once per table (see
    :func:`table_plan`): a parser's hot path may fill ``template.copy()`` itself with the same
    converters, which raise :class:`ValueTypeError` for a value that does not fit."""

    names: tuple[str, ...]
    converters: dict[str, Callable[[Any], Any]]
    # Values already of the column's Python type are taken as they are (checked first for
    # speed): str for string columns.
    strings: dict[str, type[str]]
    template: dict[str, Any]  # every column null, then "table"
    typed: tuple[tuple[str, Callable[[Any], Any]], ...]  # non-string columns and converters


@lru_cache(maxsize=512)
def table_plan(table: str) -> TablePlan:
    """The typing plan of ``table``: column order, per-column converters, string columns."""
    tdef = load_registry().table(table)
    names = tuple(c.name for c in tdef.columns)
    converters = {c.name: _converter(c.type) for c in tdef.columns if c.name != EXTRA_COLUMN}
    strings = {c.name: str for c in tdef.columns if c.type == "string"}
    template: dict[str, Any] = dict.fromkeys(names)
    template["table"] = table
    typed = tuple((name, conv) for name, conv in converters.items() if name not in strings)
    return TablePlan(names, converters, strings, template, typed)


def build_record(
    table: str,
    values: Mapping[str, Any],
    *,
    strings_are_str: bool = False,
    only_text_needs_typing: bool = False,
) -> dict[str, Any]:
    """Build ``{"table": table, <every column>: value}`` from ``values`` keyed by column name.

    Keys must already be column names (see :func:`column_name`); the last value of a duplicate key
    is whatever the caller put last. Undeclared keys, and values that do not fit their column's
    type, go into ``extra`` (merged with an ``extra`` mapping the caller may pass).

    ``strings_are_str=True`` is a promise by the caller that every value of a string column is a
    ``str`` or ``None``: it lets a record whose keys are all declared be built with C-level dict
    operations (the per-line hot path of the parsers). The result is the same either way.
    ``only_text_needs_typing=True`` (with ``strings_are_str``) is a further promise that every
    non-``str`` value of a typed column already is its final value (an aware UTC ``datetime``, an
    ``int`` in range, a ``dict`` of strings for a ``map<string,string>``, …): only ``str`` values
    (the text of the log) are then converted.

    >>> build_record("unparsed_lines", {"family": "web", "reason": "x", "raw_line": "l"})["reason"]
    'x'
    """
    plan = table_plan(table)
    if strings_are_str and EXTRA_COLUMN not in values and "table" not in values:
        record = plan.template.copy()
        record.update(values)
        if len(record) == len(plan.template):  # every key was a declared column
            extra: dict[str, str | None] = {}
            for key, convert in plan.typed:
                value = record[key]
                if value is None or (only_text_needs_typing and value.__class__ is not str):
                    continue
                try:
                    record[key] = convert(value)
                except ValueTypeError:
                    record[key] = None
                    extra[key] = to_text(value)
            record[EXTRA_COLUMN] = extra or None
            return record
    return _build_general(plan, table, values)


def _build_general(plan: TablePlan, table: str, values: Mapping[str, Any]) -> dict[str, Any]:
    strings, converters = plan.strings, plan.converters
    record = plan.template.copy()
    extra: dict[str, str | None] = {}
    given_extra = values.get(EXTRA_COLUMN)
    if isinstance(given_extra, Mapping):
        extra.update({str(k): to_text(v) for k, v in given_extra.items()})
    for key, value in values.items():
        if strings.get(key) is value.__class__:
            record[key] = value
            continue
        if key == EXTRA_COLUMN:
            continue
        convert = converters.get(key)
        if convert is None:
            extra[key] = to_text(value)
            continue
        if value is None:
            continue
        try:
            record[key] = convert(value)
        except ValueTypeError:
            extra[key] = to_text(value)
    record[EXTRA_COLUMN] = extra or None
    return record
