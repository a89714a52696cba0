"""The schema registry in ``metadata/tables/*.json`` is itself validated: file format (pydantic),
naming, types, routes, and coverage of every log type known from the 2019 field lists."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pexlogs._paths import metadata_dir
from pexlogs.exceptions import SchemaError
from pexlogs.parser._support_routes import build_routes
from pexlogs.schema import (
    EXTRA_COLUMN,
    UNPARSED_TABLE,
    Column,
    Registry,
    TableDef,
    load_registry,
    parse_hive_type,
)

SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
FILES = sorted((metadata_dir() / "tables").glob("*.json"))

# The support/administrator modules of the 2019 project's field lists
# (reference/pexip_logs_metadata_2019.json), as (module, table).
MODULES_2019 = {
    "administrator.alarm": "support_administrator_alarm",
    "administrator.conference": "support_administrator_conference",
    "administrator.configuration": "support_administrator_configuration",
    "administrator.participantdialer": "support_administrator_participantdialer",
    "administrator.system.configuration": "support_administrator_system_configuration",
    "administrator.system.connectivity": "support_administrator_system_connectivity",
    "administrator.system": "support_administrator_system",
    "administrator.upgrade": "support_administrator_upgrade",
    "support.bfcp": "support_bfcp",
    "support.conferenceservice": "support_conferenceservice",
    "support.configuration": "support_configuration",
    "support.dns": "support_dns",
    "support.h323.h245": "support_h323_h245",
    "support.h323.q931": "support_h323_q931",
    "support.ice": "support_ice",
    "support.media": "support_media",
    "support.participant": "support_participant",
    "support.rest.received": "support_rest_received",
    "support.rest.sending": "support_rest_sending",
    "support.sip.other": "support_sip_other",
    "support.sip.received": "support_sip_received",
    "support.sip.sending": "support_sip_sending",
}


class ColumnModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=SNAKE.pattern)
    type: str
    comment: str = ""

    @field_validator("type")
    @classmethod
    def _hive_type(cls, value: str) -> str:
        try:
            parse_hive_type(value)
        except SchemaError as exc:
            raise ValueError(str(exc)) from exc
        return value


class TableModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=SNAKE.pattern)
    description: str = Field(min_length=1)
    route: dict[str, Any]
    columns: list[ColumnModel]


class FamilyFileModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    family: str = Field(pattern=SNAKE.pattern)
    description: str = Field(min_length=1)
    common_columns: list[ColumnModel] = []
    tables: list[TableModel] = Field(min_length=1)


@pytest.fixture(scope="module")
def documents() -> dict[Path, FamilyFileModel]:
    return {
        path: FamilyFileModel.model_validate(json.loads(path.read_text(encoding="utf-8")))
        for path in FILES
    }


def test_every_file_follows_the_format(documents: dict[Path, FamilyFileModel]) -> None:
    # Validation happens in the fixture; every family file is there.
    assert {doc.family for doc in documents.values()} >= {"support", "audit", "web", "unparsed"}


def test_the_format_model_rejects_a_bad_file() -> None:
    # GIVEN a file with an unknown type and a CamelCase column THEN the model says no
    bad = {
        "family": "support",
        "description": "d",
        "tables": [
            {
                "name": "support_x",
                "description": "d",
                "route": {},
                "columns": [{"name": "RemotePort", "type": "integer"}],
            }
        ],
    }
    with pytest.raises(ValidationError) as info:
        FamilyFileModel.model_validate(bad)
    assert {e["loc"][-1] for e in info.value.errors()} == {"name", "type"}


def test_table_names_and_columns(documents: dict[Path, FamilyFileModel]) -> None:
    seen: set[str] = set()
    for doc in documents.values():
        for table in doc.tables:
            assert table.name not in seen, f"{table.name} defined twice"
            seen.add(table.name)
            if table.name != UNPARSED_TABLE:
                assert table.name.startswith(f"{doc.family}_"), table.name
            names = [c.name for c in doc.common_columns + table.columns]
            assert len(names) == len(set(names)), f"{table.name}: a column is declared twice"
            assert not {"dt", "hour", "table", EXTRA_COLUMN} & set(names), table.name


def test_loaded_registry_matches_the_files(documents: dict[Path, FamilyFileModel]) -> None:
    reg = load_registry()
    assert set(reg.tables) == {t.name for doc in documents.values() for t in doc.tables}
    for table in reg.tables.values():
        assert table.columns[-1].name == EXTRA_COLUMN
        assert table.columns[-1].type == "map<string,string>"
        assert [c.name for c in table.partition_keys] == ["dt", "hour"]
        assert table.relative_path == f"{table.family}/{table.name}"


def test_every_support_column_is_documented(documents: dict[Path, FamilyFileModel]) -> None:
    # Docs and Athena comments are generated from these texts.
    doc = next(d for d in documents.values() if d.family == "support")
    for table in doc.tables:
        for col in doc.common_columns + table.columns:
            assert col.comment.strip(), f"{table.name}.{col.name} has no comment"


def test_support_tables_cover_the_2019_modules() -> None:
    # GIVEN the 2019 module list (SIP and REST already split by direction there)
    routes = build_routes()
    for module, table in MODULES_2019.items():
        assert routes.table_for(module, "") == table
    reg = load_registry()
    assert {t.name for t in reg.tables_for_family("support")} >= set(MODULES_2019.values())


def test_support_tables_cover_the_reference_file(shared_samples: Path) -> None:
    reference = shared_samples.parent / "reference" / "pexip_logs_metadata_2019.json"
    if not reference.is_file():
        pytest.skip("reference file not present")
    modules = json.loads(reference.read_text(encoding="utf-8"))["support"]["log_names"]
    routes = build_routes()
    fallback = routes.fallback
    assert all(routes.table_for(m, "") != fallback for m in modules)


def test_support_tables_cover_the_sample_modules(shared_samples: Path) -> None:
    routes = build_routes()
    names: set[str] = set()
    for path in [shared_samples / "support.sample.log", *shared_samples.glob("public/*support*")]:
        names.update(re.findall(r' Name="([^"]+)"', path.read_text(encoding="utf-8")))
    assert names, "no modules found in the samples"
    assert {m for m in names if routes.table_for(m, "") == routes.fallback} == set()


def test_support_table_names_follow_the_module_names() -> None:
    # support_ + module without a leading "support." and with "." -> "_" (direction appended)
    for table in load_registry().tables_for_family("support"):
        module = table.route.get("module")
        if module is None:
            assert table.route == {"fallback": True}
            continue
        base = "support_" + module.removeprefix("support.").replace(".", "_")
        direction = table.route.get("direction")
        assert table.name == (f"{base}_{direction}" if direction else base)


def _registry(*routes: dict[str, Any]) -> Registry:
    tables = {
        f"support_t{i}": TableDef(
            name=f"support_t{i}",
            family="support",
            description="",
            route=route,
            columns=(Column(EXTRA_COLUMN, "map<string,string>"),),
        )
        for i, route in enumerate(routes)
    }
    return Registry(tables=tables, families=("support",))


@pytest.mark.parametrize(
    ("routes", "error"),
    [
        (({"module": "a"},), "fallback"),
        (({"fallback": True}, {"fallback": True}), "both fallbacks"),
        (({"fallback": True}, {"module": "a"}, {"module": "A"}), "two tables"),
        (({"fallback": True}, {}), "needs 'module'"),
        (
            ({"fallback": True}, {"module": "s", "direction": "x", "message_words": ["in"]}),
            "without",
        ),
        (
            (
                {"fallback": True},
                {"module": "s", "direction": "in", "message_words": ["got"]},
                {"module": "s", "direction": "out", "message_words": ["got"]},
                {"module": "s", "direction": "other"},
            ),
            "two tables",
        ),
    ],
)
def test_invalid_routes_are_rejected(routes: tuple[dict[str, Any], ...], error: str) -> None:
    with pytest.raises(SchemaError, match=error):
        build_routes(_registry(*routes))


def test_routes_come_from_the_registry() -> None:
    # GIVEN a registry with its own routing rules THEN the router follows them, nothing else
    reg = _registry(
        {"fallback": True},
        {"module": "x.y"},
        {"module": "s", "direction": "in", "message_words": ["got"]},
        {"module": "s", "direction": "other"},
    )
    routes = build_routes(reg)
    assert routes.table_for("X.Y", "m") == "support_t1"
    assert routes.table_for("s", "We got it") == "support_t2"
    assert routes.table_for("s", "Received") == "support_t3"
    assert routes.table_for("support.sip", "Received") == "support_t0"
