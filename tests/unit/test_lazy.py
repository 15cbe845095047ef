"""The packages that import their names when first used (agentwatch._lazy): what mypy is shown
under TYPE_CHECKING, what is imported at run time (read from that block) and ``__all__`` name
the same things."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import agentwatch
from agentwatch._lazy import type_checking_exports

SRC = Path(agentwatch.__file__).parent
LAZY_PACKAGES = sorted(
    ".".join(("agentwatch", *path.parent.relative_to(SRC).parts))
    for path in SRC.rglob("__init__.py")
    if "lazy_exports(" in path.read_text(encoding="utf-8")
)


def _init(package: str) -> ast.Module:
    path = SRC.joinpath(*package.split(".")[1:], "__init__.py")
    return ast.parse(path.read_text(encoding="utf-8"))


def _type_checking_imports(tree: ast.Module) -> dict[str, str]:
    """name -> module of the imports under ``if TYPE_CHECKING:``."""
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
    )
    names: dict[str, str] = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom)
        module = "." * node.level + (node.module or "")
        for alias in node.names:
            assert alias.asname is None
            names[alias.name] = module
    return names


def _lazy_names(package: str) -> dict[str, str]:
    """name -> module as ``lazy_exports`` reads them from the package at run time."""
    path = SRC.joinpath(*package.split(".")[1:], "__init__.py")
    return type_checking_exports(path.read_text(encoding="utf-8"), str(path))


def test_the_lazy_packages_are_found() -> None:
    assert {
        "agentwatch.instrument",
        "agentwatch.exporters",
        "agentwatch.stack",
        "agentwatch.simulate",
        "agentwatch.analytics.failure",
    } <= set(LAZY_PACKAGES)


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_type_checking_imports_lazy_names_and_all_agree(package: str) -> None:
    tree = _init(package)
    lazy = _lazy_names(package)
    assert _type_checking_imports(tree) == lazy
    module = importlib.import_module(package)
    assert sorted(module.__all__) == sorted(lazy)


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_every_name_resolves_to_its_module_attribute(package: str) -> None:
    module = importlib.import_module(package)
    for name, where in _lazy_names(package).items():
        assert getattr(module, name) is getattr(importlib.import_module(where, package), name)
    assert set(module.__all__) <= set(dir(module))
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        _ = module.no_such_name


@pytest.mark.parametrize(
    "block",
    [
        "    from ._agent import AgentMonitor as Monitor\n",
        "    import numpy\n",
        "    Monitor = object\n",
    ],
)
def test_a_type_checking_block_mypy_and_the_run_time_would_read_apart_is_refused(
    block: str,
) -> None:
    source = f"from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n{block}"
    with pytest.raises(ValueError, match=r"pkg/__init__.py:4: the TYPE_CHECKING block may hold"):
        type_checking_exports(source, "pkg/__init__.py")


def test_a_package_without_a_type_checking_block_is_refused() -> None:
    with pytest.raises(ValueError, match="no top-level `if TYPE_CHECKING:` block"):
        type_checking_exports("from ._agent import AgentMonitor\n", "pkg/__init__.py")
