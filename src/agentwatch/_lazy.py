"""Packages whose public names are imported from their modules when first used (PEP 562).

Importing any module of a package runs the package's ``__init__`` first, so a package that
imported all its modules there would make a caller who needs one light module (the supervisor
needs ``exporters._home``; the CLI needs a default from ``analytics.failure``) load numpy,
OpenTelemetry's SDK or scikit-learn with it. Such a package imports its public names under
``TYPE_CHECKING`` only, so that mypy sees them, and lists them in ``__all__``, which mypy needs
to treat them as exported:

    if TYPE_CHECKING:
        from ._agent import AgentMonitor
    else:
        __getattr__, __dir__ = lazy_exports(__name__)

At run time the ``TYPE_CHECKING`` block is the table: which module provides which name is read
from the package's own source when a name is first asked for, so no name is written a third
time; tests/unit/test_lazy.py checks that the block and ``__all__`` agree.
"""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Callable
from functools import cache
from importlib.abc import InspectLoader

__all__ = ["lazy_exports", "type_checking_exports"]


def type_checking_exports(source: str, origin: str = "<package>") -> dict[str, str]:
    """name -> module (relative as written: ``"._agent"``) of the imports in the top-level
    ``if TYPE_CHECKING:`` block of ``source``."""
    for node in ast.parse(source, origin).body:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            return _imported_names(node.body, origin)
    raise ValueError(f"{origin}: no top-level `if TYPE_CHECKING:` block to take the names from")


def _is_type_checking(test: ast.expr) -> bool:
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"


def _imported_names(body: list[ast.stmt], origin: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for node in body:
        if not isinstance(node, ast.ImportFrom) or any(a.asname for a in node.names):
            # Anything else would be seen by mypy and not at run time, or the other way round.
            raise ValueError(
                f"{origin}:{node.lineno}: the TYPE_CHECKING block may hold only "
                "`from module import name, ...` lines"
            )
        module = "." * node.level + (node.module or "")
        names.update(dict.fromkeys((alias.name for alias in node.names), module))
    return names


def lazy_exports(package: str) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, whose ``__init__``'s ``TYPE_CHECKING``
    block says which of its modules provides each public name."""

    @cache
    def modules() -> dict[str, str]:
        # Read once, on the first name asked for: importing the package costs nothing more.
        module = sys.modules[package]
        loader = getattr(module.__spec__, "loader", None)
        # get_source reads the file, or the archive a zipped install keeps it in.
        source = loader.get_source(package) if isinstance(loader, InspectLoader) else None
        if source is None:
            raise ImportError(f"{package}: its source is needed to find its lazy names")
        return type_checking_exports(source, module.__file__ or package)

    def attribute(name: str) -> object:
        module = modules().get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        # Kept in the package's namespace: the next lookup finds it without coming here.
        setattr(sys.modules[package], name, value)
        return value

    def names() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | modules().keys())

    return attribute, names
