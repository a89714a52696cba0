# Everything runs from .venv/ at the repo root; `make install` creates it (uv from PyPI, pinned).
PY      ?= python3.11
VENV    := .venv
BIN     := $(VENV)/bin
UV_VER  := 0.13.9
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PYSPARK_PYTHON := $(abspath $(BIN)/python)
export PYSPARK_DRIVER_PYTHON := $(abspath $(BIN)/python)

.PHONY: install lint fmt mypy test test-fast run synth bench docs clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VER)"
	$(PY) -m uv venv --quiet --allow-existing --python $(PY) $(VENV)
	$(PY) -m uv pip install --quiet --python $(BIN)/python -e ".[local,cdk,dev]"
	@touch $@

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

mypy: install
	$(BIN)/mypy

test: lint mypy
	$(BIN)/pytest

test-fast: install
	$(BIN)/pytest tests/unit -q

run: install
	$(BIN)/pexlogs run --demo

synth: install
	cd cdk && ../$(BIN)/python app.py

bench: install
	$(BIN)/python bench/parser.py

docs: install
	$(BIN)/python scripts/gen_tables_doc.py

clean:
	rm -rf $(VENV) .pexlogs cdk.out cdk/cdk.out cdk/build .pytest_cache .mypy_cache .ruff_cache
