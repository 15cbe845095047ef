"""A benchmark module as the runner sees it: one ``run`` and the two sizes it runs at.

Each module defines a frozen ``Size`` dataclass, a ``FULL`` instance (what ``make bench``
measures) and a ``SMOKE`` instance (tiny, for ``--smoke`` and the unit tests), and one
``run(size)``. The smoke run goes through the very code the full run does, assertions
included, so a module that no longer runs is caught in seconds rather than at the end of a
half-hour ``make bench``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from ._results import Result

__all__ = ["Benchmark"]

Size = TypeVar("Size")


@dataclass(frozen=True, slots=True)
class Benchmark(Generic[Size]):
    run: Callable[[Size], list[Result]]
    full: Size
    smoke: Size

    def __call__(self, smoke: bool) -> list[Result]:
        return self.run(self.smoke if smoke else self.full)
