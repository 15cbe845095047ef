"""The import contracts of docs/architecture.md ([tool.importlinter] in pyproject.toml) hold on
the code, and each one breaks when an import it forbids is added: a contract that cannot fail
would protect nothing. `lint-imports` runs the same contracts in `make check` and `make lint`."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import grimp
import pytest
from importlinter.configuration import configure
from importlinter.contracts.acyclic_siblings import AcyclicSiblingsContract
from importlinter.contracts.layers import LayersContract
from importlinter.contracts.private_modules import PrivateModulesContract
from importlinter.domain.contract import Contract

# What `lint-imports` does before it checks: some contracts time their steps with its clock.
configure()

PYPROJECT = Path(__file__).parents[2] / "pyproject.toml"
TYPES: dict[str, type[Contract]] = {
    "layers": LayersContract,
    "private_modules": PrivateModulesContract,
    "acyclic_siblings": AcyclicSiblingsContract,
}


def _contracts() -> dict[str, Contract]:
    config: dict[str, Any] = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    session = {"root_packages": [config["root_package"]]}
    return {
        options["type"]: TYPES[options["type"]](
            options["name"],
            session,
            {k: v for k, v in options.items() if k not in ("name", "type")},
        )
        for options in config["contracts"]
    }


@pytest.fixture
def graph() -> grimp.ImportGraph:
    """The package's import graph as the source has it now (a fresh one per test: a test
    adds an import to it, and a check removes the ones the contract ignores)."""
    return grimp.build_graph("agentwatch", cache_dir=None)


def _kept(contract: Contract, graph: grimp.ImportGraph) -> bool:
    return contract.check(graph, verbose=False).kept


def test_every_contract_type_in_the_config_is_checked_here() -> None:
    assert set(_contracts()) == set(TYPES)


def test_the_code_keeps_every_contract() -> None:
    for kind, contract in _contracts().items():
        assert _kept(contract, grimp.build_graph("agentwatch", cache_dir=None)), kind


@pytest.mark.parametrize(
    ("kind", "importer", "imported"),
    [
        # A lower layer reaching up: the catalog importing the CLI.
        ("layers", "agentwatch.catalog._model", "agentwatch.cli._app"),
        # An exporter importing the analytics it serves (what exporters/_analytics.py did).
        ("layers", "agentwatch.exporters._server", "agentwatch.analytics.service"),
        # Another package's private module.
        ("private_modules", "agentwatch.console._views", "agentwatch.stack._plan"),
        # Two sibling modules importing each other (framework/_collector.py <-> _watch.py did).
        ("acyclic_siblings", "agentwatch.framework._collector", "agentwatch.framework._watch"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    graph: grimp.ImportGraph, kind: str, importer: str, imported: str
) -> None:
    for module in (importer, imported):
        assert module in graph.modules, f"{module} is gone: pick another example"
    assert _kept(_contracts()[kind], grimp.build_graph("agentwatch", cache_dir=None))
    graph.add_import(importer=importer, imported=imported)
    assert not _kept(_contracts()[kind], graph)
