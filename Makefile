# The README's commands. Each target installs what it needs first.
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: setup run test lint bench generate clean

$(BIN)/agentwatch: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,dask]'
	touch $@

setup: $(BIN)/agentwatch
	scripts/install-system-deps.sh

run: setup
	$(BIN)/agentwatch up

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# pytest exits 5 when it collected nothing; make treats any non-zero exit as failure.
test: lint
	$(BIN)/pytest tests

bench: setup
	$(BIN)/pip install --quiet -e '.[dev,dask,bench]'
	$(BIN)/python -m benchmarks

generate: setup
	$(BIN)/agentwatch docs --out docs
	$(BIN)/agentwatch generate --out monitoring

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
