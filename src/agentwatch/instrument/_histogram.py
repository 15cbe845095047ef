"""A histogram without a lock of its own: its owner guards it, so one message costs one lock.

Each bucket may hold one exemplar, the latest traced observation that fell in it, so a
latency point on a dashboard leads to the trace of a message that really took that long.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from prometheus_client.samples import Exemplar
from prometheus_client.utils import floatToGoString

from agentwatch.catalog import EXEMPLAR_SPAN_ID, EXEMPLAR_TRACE_ID

__all__ = [
    "EXEMPLAR_SPAN_ID",
    "EXEMPLAR_TRACE_ID",
    "Histogram",
    "HistogramSnapshot",
    "TraceExemplar",
]

Bucket = tuple[str, float] | tuple[str, float, Exemplar]
# (upper bound as exposed, cumulative count[, exemplar]) ending with "+Inf", and the sum.
HistogramSnapshot = tuple[list[Bucket], float]


@dataclass(frozen=True, slots=True)
class TraceExemplar:
    """An observed value and the span it was measured in (ids in W3C hex), at Unix time ``at``."""

    value: float
    trace_id: str
    span_id: str
    at: float

    @classmethod
    def of(cls, value: float, trace_id: int, span_id: int, at: float) -> TraceExemplar:
        return cls(value, format(trace_id, "032x"), format(span_id, "016x"), at)

    def exemplar(self) -> Exemplar:
        labels = {EXEMPLAR_TRACE_ID: self.trace_id, EXEMPLAR_SPAN_ID: self.span_id}
        return Exemplar(labels, self.value, self.at)


# Below this many values a plain loop beats numpy's per-call overhead (benchmarks/RESULTS.md).
_VECTORISE_FROM = 64


class Histogram:
    """``bounds`` and ``counts`` are open to the owner's hot path, which indexes them under its
    own lock without a function call (a call inside a lock invites GIL hand-offs that stall a
    contending thread)."""

    __slots__ = ("_exemplars", "_labels", "bounds", "counts", "sum")

    def __init__(self, bounds: Sequence[float]) -> None:
        self.bounds = tuple(bounds)
        self._labels = [_le(b) for b in self.bounds] + ["+Inf"]
        # Per-bucket (not cumulative) counts; cumulated only when scraped.
        self.counts = [0] * (len(self.bounds) + 1)
        self.sum = 0.0
        # Made on the first exemplar: most histograms never see one.
        self._exemplars: list[Exemplar | None] | None = None

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

    def set_exemplars(self, exemplars: Iterable[TraceExemplar]) -> None:
        """Make each the exemplar of its value's bucket. They are examples of observations
        counted already (or of the population a sampled histogram stands for): not counted."""
        slots = self._exemplars
        if slots is None:
            slots = self._exemplars = [None] * len(self.counts)
        for item in exemplars:
            slots[bisect_left(self.bounds, item.value)] = item.exemplar()

    @property
    def count(self) -> int:
        return sum(self.counts)

    def snapshot(self) -> HistogramSnapshot:
        cumulative: list[Bucket] = []
        running = 0
        exemplars = self._exemplars or [None] * len(self.counts)
        for label, hits, exemplar in zip(self._labels, self.counts, exemplars, strict=True):
            running += hits
            if exemplar is None:
                cumulative.append((label, float(running)))
            else:
                cumulative.append((label, float(running), exemplar))
        return cumulative, self.sum


def bucket_counts(buckets: list[Bucket]) -> dict[str, float]:
    """Upper bound -> cumulative count, exemplars aside."""
    return {bucket[0]: bucket[1] for bucket in buckets}


def _le(bound: float) -> str:
    # Same spelling as prometheus_client, so series match whichever library produced them.
    return str(floatToGoString(bound))
