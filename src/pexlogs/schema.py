"""The schema registry: every log type, its table, how a line is routed to it, and its columns.

``metadata/tables/*.json`` is the single source of truth; the parser, the Glue job, the CDK app,
the local runner, the docs and the tests all read it through :func:`load_registry`.

One file per family::

    {
      "family": "support",
      "description": "...",
      "common_columns": [{"name": "syslog_time", "type": "timestamp", "comment": "..."}],
      "tables": [
        {"name": "support_sip_received", "description": "...",
         "route": {...family-specific routing rule...},
         "columns": [{"name": "src_port", "type": "int", "comment": "..."}]}
      ]
    }

Every table's full column list is ``common_columns + columns + [extra map<string,string>]``;
``extra`` keeps the keys a schema does not declare. Partition keys are always ``dt`` and ``hour``
(strings: the export window's UTC date and hour), never columns.

>>> reg = load_registry()
>>> reg.table("support_other").family
'support'
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pexlogs._paths import metadata_dir
from pexlogs.exceptions import SchemaError

__all__ = [
    "EXTRA_COLUMN",
    "PARTITION_KEYS",
    "UNPARSED_TABLE",
    "Column",
    "Registry",
    "TableDef",
    "load_registry",
    "parse_hive_type",
]

EXTRA_COLUMN = "extra"
EXTRA_TYPE = "map<string,string>"
UNPARSED_TABLE = "unparsed_lines"
PARTITION_KEYS: tuple[tuple[str, str], ...] = (("dt", "string"), ("hour", "string"))

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PRIMITIVES = {
    "string",
    "int",
    "bigint",
    "smallint",
    "tinyint",
    "boolean",
    "double",
    "float",
    "timestamp",
    "date",
    "binary",
}


@dataclass(frozen=True)
class Column:
    """One typed column (Glue/Hive type string, e.g. ``int`` or ``array<struct<a:string>>``)."""

    name: str
    type: str
    comment: str = ""


@dataclass(frozen=True)
class TableDef:
    """One catalog table: a log type of a family (or ``unparsed_lines``)."""

    name: str
    family: str
    description: str
    route: dict[str, Any]
    columns: tuple[Column, ...]
    partition_keys: tuple[Column, ...] = field(
        default=tuple(Column(n, t) for n, t in PARTITION_KEYS)
    )

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def column_types(self) -> dict[str, str]:
        return {c.name: c.type for c in self.columns}

    @property
    def relative_path(self) -> str:
        """Where the table lives below the curated root: ``<family>/<table>``."""
        return f"{self.family}/{self.name}"

    def location(self, curated_uri: str) -> str:
        """The table's storage location under ``curated_uri`` (no trailing slash)."""
        return f"{curated_uri.rstrip('/')}/{self.relative_path}"


@dataclass(frozen=True)
class Registry:
    """All tables, by name, in a stable order (files sorted, tables in file order)."""

    tables: dict[str, TableDef]
    families: tuple[str, ...]

    def table(self, name: str) -> TableDef:
        try:
            return self.tables[name]
        except KeyError:
            raise SchemaError(f"unknown table {name!r}") from None

    def tables_for_family(self, family: str) -> list[TableDef]:
        return [t for t in self.tables.values() if t.family == family]


def parse_hive_type(text: str) -> str:
    """Validate a Glue/Hive type string and return it normalised (no spaces, lower case).

    >>> parse_hive_type("array< struct<a:int, b:string> >")
    'array<struct<a:int,b:string>>'
    """
    normalised = re.sub(r"\s+", "", text).lower()
    pos = _parse_type(normalised, 0)
    if pos != len(normalised):
        raise SchemaError(f"invalid type {text!r}: unexpected text at {normalised[pos:]!r}")
    return normalised


def _parse_type(s: str, pos: int) -> int:
    m = re.compile(r"[a-z]+").match(s, pos)
    if not m:
        raise SchemaError(f"invalid type {s!r} at position {pos}")
    word, pos = m.group(0), m.end()
    if word in _PRIMITIVES:
        return pos
    if word == "decimal":
        dm = re.compile(r"\(\d+,\d+\)").match(s, pos)
        return dm.end() if dm else pos
    if word not in ("array", "map", "struct") or not s.startswith("<", pos):
        raise SchemaError(f"invalid type {s!r}: unknown type {word!r}")
    pos += 1
    if word == "array":
        pos = _parse_type(s, pos)
    elif word == "map":
        pos = _parse_type(s, pos)
        pos = _expect(s, pos, ",")
        pos = _parse_type(s, pos)
    else:
        while True:
            fm = re.compile(r"[a-z_][a-z0-9_]*:").match(s, pos)
            if not fm:
                raise SchemaError(f"invalid type {s!r}: struct field expected at {pos}")
            pos = _parse_type(s, fm.end())
            if not s.startswith(",", pos):
                break
            pos += 1
    return _expect(s, pos, ">")


def _expect(s: str, pos: int, char: str) -> int:
    if not s.startswith(char, pos):
        raise SchemaError(f"invalid type {s!r}: {char!r} expected at position {pos}")
    return pos + 1


def _columns(raw: Any, where: str) -> list[Column]:
    if not isinstance(raw, list):
        raise SchemaError(f"{where}: columns must be a list")
    out = []
    for item in raw:
        if not isinstance(item, dict) or "name" not in item or "type" not in item:
            raise SchemaError(f"{where}: each column needs 'name' and 'type': {item!r}")
        name = item["name"]
        if not isinstance(name, str) or not _NAME.match(name):
            raise SchemaError(f"{where}: column name {name!r} is not snake_case")
        out.append(Column(name, parse_hive_type(str(item["type"])), str(item.get("comment", ""))))
    return out


def _load_family_file(path: Path) -> list[TableDef]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SchemaError(f"{path}: {exc}") from exc
    family = doc.get("family")
    if not isinstance(family, str) or not _NAME.match(family):
        raise SchemaError(f"{path}: 'family' must be a snake_case string")
    common = _columns(doc.get("common_columns", []), f"{path} common_columns")
    tables = []
    for raw in doc.get("tables", []):
        name = raw.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise SchemaError(f"{path}: table name {name!r} is not snake_case")
        if name != UNPARSED_TABLE and not name.startswith(f"{family}_"):
            raise SchemaError(f"{path}: table {name!r} must be named {family}_<type>")
        cols = common + _columns(raw.get("columns", []), f"{path} table {name}")
        cols.append(Column(EXTRA_COLUMN, EXTRA_TYPE, "keys the schema does not declare"))
        seen: set[str] = set()
        for col in cols:
            if col.name in seen:
                raise SchemaError(f"{path}: table {name} declares {col.name!r} twice")
            if col.name in ("dt", "hour", "table"):
                raise SchemaError(f"{path}: table {name}: {col.name!r} is reserved")
            seen.add(col.name)
        tables.append(
            TableDef(
                name=name,
                family=family,
                description=str(raw.get("description", "")),
                route=dict(raw.get("route", {})),
                columns=tuple(cols),
            )
        )
    return tables


@lru_cache(maxsize=8)
def load_registry(folder: str | None = None) -> Registry:
    """Load and validate every ``metadata/tables/*.json`` (cached per folder)."""
    base = Path(folder) if folder else metadata_dir()
    files = sorted((base / "tables").glob("*.json"))
    if not files:
        raise SchemaError(f"no table definitions under {base / 'tables'}")
    tables: dict[str, TableDef] = {}
    families: list[str] = []
    for path in files:
        for table in _load_family_file(path):
            if table.name in tables:
                raise SchemaError(f"{path}: table {table.name!r} is defined twice")
            tables[table.name] = table
            if table.family not in families:
                families.append(table.family)
    if UNPARSED_TABLE not in tables:
        raise SchemaError(f"the registry must define {UNPARSED_TABLE!r}")
    return Registry(tables=tables, families=tuple(families))
