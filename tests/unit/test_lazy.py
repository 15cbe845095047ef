"""The packages that import their names when first used (agentwatch._lazy): what mypy is shown
under TYPE_CHECKING, what is imported at run time and ``__all__`` name the same things."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import agentwatch

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


def _lazy_names(tree: ast.Module) -> dict[str, str]:
    """name -> module of the ``lazy_exports(__name__, {...})`` call."""
    call = next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "lazy_exports"
    )
    exports = ast.literal_eval(call.args[1])
    return {name: module for module, names in exports.items() for name in names}


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
    lazy = _lazy_names(tree)
    assert _type_checking_imports(tree) == lazy
    module = importlib.import_module(package)
    assert sorted(module.__all__) == sorted(lazy)


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_every_name_resolves_to_its_module_attribute(package: str) -> None:
    module = importlib.import_module(package)
    for name, where in _lazy_names(_init(package)).items():
        assert getattr(module, name) is getattr(importlib.import_module(where, package), name)
    assert set(module.__all__) <= set(dir(module))
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        _ = module.no_such_name
