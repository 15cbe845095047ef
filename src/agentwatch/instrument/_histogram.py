"""A histogram without a lock of its own: its owner guards it, so one message costs one lock."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from prometheus_client.utils import floatToGoString

__all__ = ["Histogram", "HistogramSnapshot"]

# (upper bound as exposed, cumulative count) pairs ending with "+Inf", and the sum.
HistogramSnapshot = tuple[list[tuple[str, float]], float]


class Histogram:
    __slots__ = ("_bounds", "_counts", "_labels", "sum")

    def __init__(self, bounds: Sequence[float]) -> None:
        self._bounds = tuple(bounds)
        self._labels = [_le(b) for b in self._bounds] + ["+Inf"]
        # Per-bucket (not cumulative) counts; cumulated only when scraped.
        self._counts = [0] * (len(self._bounds) + 1)
        self.sum = 0.0

    def observe(self, value: float) -> None:
        # bisect_left puts a value equal to a bound into that bound's bucket: le is "<=".
        self._counts[bisect_left(self._bounds, value)] += 1
        self.sum += value

    def observe_many(self, values: NDArray[np.float64]) -> None:
        indexes = np.searchsorted(self._bounds, values, side="left")
        for index, hits in enumerate(np.bincount(indexes, minlength=len(self._counts))):
            self._counts[index] += int(hits)
        self.sum += float(values.sum())

    @property
    def count(self) -> int:
        return sum(self._counts)

    def snapshot(self) -> HistogramSnapshot:
        cumulative: list[tuple[str, float]] = []
        running = 0
        for label, hits in zip(self._labels, self._counts, strict=True):
            running += hits
            cumulative.append((label, float(running)))
        return cumulative, self.sum


def _le(bound: float) -> str:
    # Same spelling as prometheus_client, so series match whichever library produced them.
    return str(floatToGoString(bound))
