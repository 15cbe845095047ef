"""Packages whose public names are imported from their modules when first used (PEP 562).

Importing any module of a package runs the package's ``__init__`` first, so a package that
imported all its modules there would make a caller who needs one light module (the supervisor
needs ``exporters._home``; the CLI needs a default from ``analytics.failure``) load numpy,
OpenTelemetry's SDK or scikit-learn with it. Such a package names its public names here
instead, and imports them under ``TYPE_CHECKING`` so that mypy sees them;
tests/unit/test_lazy.py checks that the two lists agree.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, exports: Mapping[str, Sequence[str]]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``; ``exports`` maps each of its modules
    (relative: ``"._agent"``) to the public names it provides."""
    modules = {name: module for module, names in exports.items() for name in names}

    def attribute(name: str) -> object:
        module = modules.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        # Kept in the package's namespace: the next lookup finds it without coming here.
        setattr(sys.modules[package], name, value)
        return value

    def names() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | modules.keys())

    return attribute, names
