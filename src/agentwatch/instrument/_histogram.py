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


# Below this many values a plain loop beats numpy's per-call overhead (benchmarks/RESULTS.md).
_VECTORISE_FROM = 64


class Histogram:
    """``bounds`` and ``counts`` are open to the owner's hot path, which indexes them under its
    own lock without a function call (a call inside a lock invites GIL hand-offs that stall a
    contending thread)."""

    __slots__ = ("_labels", "bounds", "counts", "sum")

    def __init__(self, bounds: Sequence[float]) -> None:
        self.bounds = tuple(bounds)
        self._labels = [_le(b) for b in self.bounds] + ["+Inf"]
        # Per-bucket (not cumulative) counts; cumulated only when scraped.
        self.counts = [0] * (len(self.bounds) + 1)
        self.sum = 0.0

    def observe(self, value: float) -> None:
        # bisect_left puts a value equal to a bound into that bound's bucket: le is "<=".
        self.counts[bisect_left(self.bounds, value)] += 1
        self.sum += value

    def observe_many(self, values: NDArray[np.float64]) -> None:
        counts = self.counts
        if len(values) < _VECTORISE_FROM:
            bounds, sample = self.bounds, values.tolist()
            for value in sample:
                counts[bisect_left(bounds, value)] += 1
            self.sum += sum(sample)
            return
        indexes = np.searchsorted(self.bounds, values, side="left")
        for index, hits in enumerate(np.bincount(indexes, minlength=len(counts)).tolist()):
            counts[index] += hits
        self.sum += float(values.sum())

    @property
    def count(self) -> int:
        return sum(self.counts)

    def snapshot(self) -> HistogramSnapshot:
        cumulative: list[tuple[str, float]] = []
        running = 0
        for label, hits in zip(self._labels, self.counts, strict=True):
            running += hits
            cumulative.append((label, float(running)))
        return cumulative, self.sum


def _le(bound: float) -> str:
    # Same spelling as prometheus_client, so series match whichever library produced them.
    return str(floatToGoString(bound))
