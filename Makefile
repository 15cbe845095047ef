# The README's commands. Each target installs what it needs first.
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: setup run check test lint bench generate clean

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
	$(BIN)/lint-imports

# The inner loop: ruff, ruff format, mypy, the import contracts and the unit tier, timed
# (docs/testing.md).
check: $(BIN)/agentwatch
	scripts/check

# The whole suite, every tier, in parallel: the integration tests mostly wait on scrape and
# evaluation intervals, so more workers than cores keeps the cores busy (docs/testing.md).
# pytest exits 5 when it collected nothing; make treats any non-zero exit as failure.
TEST_WORKERS ?= 4
test: lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=30 tests

bench: setup
	$(BIN)/pip install --quiet -e '.[dev,dask,bench]'
	$(BIN)/python -m benchmarks

generate: setup
	$(BIN)/agentwatch docs --out docs
	$(BIN)/agentwatch generate --out monitoring

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
