"""What Prometheus would record from the simulated system, computed without Prometheus.

Every ``step`` seconds of simulated time the simulator's collectors are read exactly as a
scrape reads them (the same ``collect()`` the exporters serve), and the handful of totals the
anomaly series need are kept. ``series`` then turns those totals into the values the PromQL of
``ANOMALY_SERIES`` gives at each snapshot:

- ``rate(c[w])`` is the slope between the first and the last sample inside the window
  ``(t - w, t]``; Prometheus also extrapolates to the window's edges, which multiplies every
  value by the same constant and so changes no score (scores are scale-free).
- ``histogram_quantile`` interpolates linearly inside the bucket the rank falls in, as
  Prometheus does.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from prometheus_client.metrics_core import Metric

from agentwatch import catalog as c

__all__ = ["Scrapes", "deriv", "histogram_quantile", "rate"]

_OUT = ("direction", "out")
_ERROR = ("severity", "error")


@dataclass
class Scrapes:
    """Totals per snapshot, in snapshot order."""

    timestamps: list[float] = field(default_factory=list)
    sent: list[float] = field(default_factory=list)
    transport_errors: list[float] = field(default_factory=list)
    processed: list[float] = field(default_factory=list)
    agent_errors: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    memory: list[dict[str, float]] = field(default_factory=list)  # agent_id -> bytes
    queued: list[float] = field(default_factory=list)
    # Cumulative latency bucket counts, summed over series, one row per snapshot; the
    # bounds are the catalog's, so a series that appears later adds to the same buckets.
    latency_bounds: tuple[float, ...] = (
        *(c.AGENT_TRANSPORT_LATENCY_SECONDS.buckets or ()),
        math.inf,
    )
    latency_buckets: list[list[float]] = field(default_factory=list)

    def add(self, timestamp: float, metrics: Iterable[Metric]) -> None:
        totals: dict[str, float] = {}
        memory: dict[str, float] = {}
        buckets: dict[float, float] = {}
        for metric in metrics:
            for sample in metric.samples:
                name, labels, value = sample.name, sample.labels, float(sample.value)
                if name == c.AGENT_TRANSPORT_MESSAGES_TOTAL.name:
                    if _OUT in labels.items():
                        totals["sent"] = totals.get("sent", 0.0) + value
                elif name == c.AGENT_TRANSPORT_ERRORS_TOTAL.name:
                    if _ERROR in labels.items():
                        totals["terr"] = totals.get("terr", 0.0) + value
                elif name in _SUMMED:
                    key = _SUMMED[name]
                    totals[key] = totals.get(key, 0.0) + value
                elif name == c.AGENT_MEMORY_BYTES.name:
                    memory[labels["agent_id"]] = value
                elif name == f"{c.AGENT_TRANSPORT_LATENCY_SECONDS.name}_bucket":
                    bound = float(labels["le"])
                    buckets[bound] = buckets.get(bound, 0.0) + value
        self.timestamps.append(timestamp)
        self.sent.append(totals.get("sent", 0.0))
        self.transport_errors.append(totals.get("terr", 0.0))
        self.processed.append(totals.get("processed", 0.0))
        self.agent_errors.append(totals.get("errors", 0.0))
        self.cpu_seconds.append(totals.get("cpu", 0.0))
        self.queued.append(totals.get("queued", 0.0))
        self.memory.append(memory)
        self.latency_buckets.append([buckets.get(b, 0.0) for b in self.latency_bounds])

    def arrays(self) -> Mapping[str, NDArray[np.float64]]:
        return {
            "sent": np.asarray(self.sent),
            "transport_errors": np.asarray(self.transport_errors),
            "processed": np.asarray(self.processed),
            "agent_errors": np.asarray(self.agent_errors),
            "cpu_seconds": np.asarray(self.cpu_seconds),
            "queued": np.asarray(self.queued),
        }


_SUMMED = {
    c.AGENT_MESSAGES_PROCESSED_TOTAL.name: "processed",
    c.AGENT_ERRORS_TOTAL.name: "errors",
    c.AGENT_CPU_SECONDS_TOTAL.name: "cpu",
    c.AGENT_QUEUE_DEPTH.name: "queued",
}


def _window_start(timestamps: NDArray[np.float64], window: float) -> NDArray[np.intp]:
    """For each sample, the index of the first sample inside ``(t - window, t]``."""
    return np.searchsorted(timestamps, timestamps - window, side="right")


def rate(
    timestamps: NDArray[np.float64], counter: NDArray[np.float64], window: float
) -> NDArray[np.float64]:
    """``rate(counter[window])`` at each sample; NaN where the window holds one sample."""
    first = _window_start(timestamps, window)
    # Counter resets (a restarted process) count from zero again, as Prometheus assumes.
    steps = np.diff(counter, prepend=counter[:1])
    increase = np.cumsum(np.where(steps < 0, counter, steps))
    span = timestamps - timestamps[first]
    with np.errstate(invalid="ignore", divide="ignore"):
        result = (increase - increase[first]) / span
    return np.where(span > 0, result, np.nan)


def histogram_quantile(
    q: float,
    bounds: tuple[float, ...],
    timestamps: NDArray[np.float64],
    buckets: NDArray[np.float64],
    window: float,
) -> NDArray[np.float64]:
    """``histogram_quantile(q, sum by (le) (rate(bucket[window])))`` at each sample."""
    rates = np.stack(
        [rate(timestamps, buckets[:, j], window) for j in range(buckets.shape[1])], axis=1
    )
    upper = np.asarray(bounds)
    out = np.full(len(timestamps), np.nan)
    for i, row in enumerate(rates):
        total = row[-1]
        if not np.isfinite(total) or total <= 0:
            continue
        rank = q * total
        j = int(np.searchsorted(row, rank, side="left"))
        if j >= len(upper) - 1:
            # The rank falls in the +Inf bucket: Prometheus answers the highest finite bound.
            out[i] = upper[-2]
            continue
        lower_bound = 0.0 if j == 0 else upper[j - 1]
        below = 0.0 if j == 0 else row[j - 1]
        inside = row[j] - below
        out[i] = lower_bound + (upper[j] - lower_bound) * ((rank - below) / inside if inside else 1)
    return out


def deriv(
    timestamps: NDArray[np.float64], gauge: NDArray[np.float64], window: float
) -> NDArray[np.float64]:
    """``deriv(gauge[window])`` at each sample: the least-squares slope over the window."""
    first = _window_start(timestamps, window)
    # Centred time keeps the sums well conditioned; slopes do not depend on the origin.
    t = timestamps - timestamps[0]
    sums = [np.concatenate(([0.0], np.cumsum(x))) for x in (np.ones_like(t), t, gauge, t * t)]
    sums.append(np.concatenate(([0.0], np.cumsum(t * gauge))))
    end = np.arange(1, len(t) + 1)
    n, st, sy, stt, sty = (s[end] - s[first] for s in sums)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = (n * sty - st * sy) / (n * stt - st * st)
    return np.where(n >= 2, slope, np.nan)
