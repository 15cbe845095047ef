"""Every benchmark module still runs: its smoke size, through the code and the correctness
checks of the full run, one test case per module so a failure names it."""

from __future__ import annotations

import os
from pathlib import Path

import prometheus_client.metrics
import pytest
from benchmarks._registry import BENCHMARKS

from tests.unit.benchmarks.schema import assert_row

# Starts the real stack (`agentwatch up`): its case takes the binaries' fixtures.
STACK = "stack_budget"
PYTHON_ONLY = [name for name in BENCHMARKS if name != STACK]


@pytest.fixture(autouse=True)
def _created_series_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """The peers turn prometheus_client's ``_created`` series off for the whole process
    (benchmarks/_population.py); put the switch back for the tests that run after."""
    monkeypatch.setattr(
        prometheus_client.metrics, "_use_created", prometheus_client.metrics._use_created
    )


def _assert_smoke(name: str) -> None:
    rows = [result.to_json(name) for result in BENCHMARKS[name](True)]
    assert rows, f"{name} produced no rows"
    for row in rows:
        assert_row(row)


@pytest.mark.parametrize("name", PYTHON_ONLY)
def test_smoke(name: str) -> None:
    _assert_smoke(name)


def test_smoke_stack_budget(
    prometheus_binary: Path, alertmanager_binary: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `agentwatch up` finds the binaries on PATH: make it the ones the fixtures hand out.
    directories = {str(prometheus_binary.parent), str(alertmanager_binary.parent)}
    monkeypatch.setenv("PATH", os.pathsep.join([*directories, os.environ.get("PATH", "")]))
    _assert_smoke(STACK)
