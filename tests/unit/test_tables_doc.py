"""docs/tables.md is generated from metadata/ by scripts/gen_tables_doc.py and must be up to date."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_tables_doc", REPO / "scripts" / "gen_tables_doc.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_tables_doc_is_up_to_date() -> None:
    rendered = _script().render()
    committed = (REPO / "docs" / "tables.md").read_text(encoding="utf-8")
    assert committed == rendered, "docs/tables.md is stale: run python scripts/gen_tables_doc.py"


def test_tables_doc_lists_every_table_and_column() -> None:
    from pexlogs.schema import load_registry

    text = _script().render()
    for table in load_registry().tables.values():
        assert f"### {table.name}\n" in text
        for column in table.columns:
            assert f"| `{column.name}` |" in text
