"""Per-agent signals at a fixed step: what Prometheus holds for each agent, and what follows.

The raw signals are the exported values themselves (gauges, and counters as totals), sampled on
a regular grid. Everything derived from them (ratios, rates over a short window, mean latency
from the histogram's sum and count, heartbeat age) is computed here, by the same code whether
the raw values came from the simulator (training) or from Prometheus (serving).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from agentwatch import spec

__all__ = [
    "RATE_SAMPLES",
    "STEP_SECONDS",
    "Raw",
    "RawSignals",
    "SignalFrame",
    "signal_frame",
]

# Counters become rates over this many steps (1 minute), as the rules' rates over 1 minute do.
RATE_SAMPLES = spec.RATE_SAMPLES
# The grid the signals live on, in training and in serving (15 s): the longest interval the spec
# lets the agents be scraped at, so every step of the grid holds a fresh scrape.
STEP_SECONDS = spec.longest_scrape_interval(spec.SHORT_RATE_WINDOW)


class Raw(StrEnum):
    """The raw per-agent signals, each one exported series (summed over other labels)."""

    MEMORY_BYTES = "memory_bytes"
    MEMORY_LIMIT_BYTES = "memory_limit_bytes"
    CPU_RATIO = "cpu_ratio"
    QUEUE_DEPTH = "queue_depth"
    ERRORS_TOTAL = "errors_total"
    PROCESSING_SUM = "processing_seconds_sum"
    PROCESSING_COUNT = "processing_count"
    HEARTBEAT = "heartbeat_timestamp"
    FAILED = "failed"
    HEALTH = "health_score"


@dataclass(frozen=True, slots=True)
class RawSignals:
    """Raw signals on a grid: ``values[signal]`` is (times, agents); NaN where nothing was seen."""

    times: NDArray[np.float64]
    agent_ids: tuple[str, ...]
    agent_types: tuple[str, ...]
    values: dict[Raw, NDArray[np.float64]]

    def __post_init__(self) -> None:
        shape = (len(self.times), len(self.agent_ids))
        for signal in Raw:
            if signal not in self.values:
                raise ValueError(f"raw signal {signal.value!r} is missing")
            if self.values[signal].shape != shape:
                raise ValueError(
                    f"raw signal {signal.value!r} has shape {self.values[signal].shape}, "
                    f"expected {shape} (times, agents)"
                )


@dataclass(frozen=True, slots=True)
class SignalFrame:
    """Derived per-agent signals, each (times, agents)."""

    times: NDArray[np.float64]
    agent_ids: tuple[str, ...]
    agent_types: tuple[str, ...]
    down: NDArray[np.bool_]  # the agent reported itself failed
    missing: NDArray[np.bool_]  # no sample at all (before the series existed, or lost)
    memory_ratio: NDArray[np.float64]
    cpu_ratio: NDArray[np.float64]
    queue_depth: NDArray[np.float64]
    error_rate: NDArray[np.float64]  # errors per second over the last minute
    latency: NDArray[np.float64]  # mean processing seconds over the last minute
    heartbeat_age: NDArray[np.float64]
    health: NDArray[np.float64]


def _increase(total: NDArray[np.float64], steps: int) -> NDArray[np.float64]:
    """Increase of a counter over the last ``steps`` rows, reset-aware (as PromQL's increase).

    A drop is a restart: the counter counted from zero again, so the new value is the increase.
    Rows with fewer than ``steps`` rows before them use what there is; the first row is NaN.
    """
    step_increase = np.full_like(total, np.nan)
    delta = np.diff(total, axis=0)
    step_increase[1:] = np.where(delta < 0, total[1:], delta)
    # A missing sample on either side makes that step unknown; count it as no increase.
    known = ~np.isnan(step_increase)
    cumulative = np.concatenate(
        [np.zeros((1, total.shape[1])), np.cumsum(np.where(known, step_increase, 0.0), axis=0)]
    )
    seen = np.concatenate([np.zeros((1, total.shape[1])), np.cumsum(known, axis=0)])
    rows = np.arange(total.shape[0])
    begin = np.maximum(rows - steps + 1, 0)
    result: NDArray[np.float64] = cumulative[rows + 1] - cumulative[begin]
    result[(seen[rows + 1] - seen[begin]) == 0] = np.nan
    return result


def signal_frame(raw: RawSignals) -> SignalFrame:
    """The derived signals; row t uses only raw rows up to t."""
    v = raw.values
    failed = v[Raw.FAILED]
    memory = v[Raw.MEMORY_BYTES]
    limit = v[Raw.MEMORY_LIMIT_BYTES]
    # A gap in the data is not a failure: only an agent that says so is down. Rows without
    # data are simply not used (and not scored).
    down = failed > 0.5
    missing = np.isnan(memory) | np.isnan(failed)
    with np.errstate(divide="ignore", invalid="ignore"):
        memory_ratio = np.where(limit > 0, memory / limit, np.nan)
        errors = _increase(v[Raw.ERRORS_TOTAL], RATE_SAMPLES)
        window = RATE_SAMPLES * STEP_SECONDS
        seconds = _increase(v[Raw.PROCESSING_SUM], RATE_SAMPLES)
        count = _increase(v[Raw.PROCESSING_COUNT], RATE_SAMPLES)
        latency = np.where(count > 0, seconds / count, np.nan)
    heartbeat_age = np.maximum(raw.times[:, None] - v[Raw.HEARTBEAT], 0.0)
    return SignalFrame(
        times=raw.times,
        agent_ids=raw.agent_ids,
        agent_types=raw.agent_types,
        down=down,
        missing=missing,
        memory_ratio=memory_ratio,
        cpu_ratio=v[Raw.CPU_RATIO],
        queue_depth=v[Raw.QUEUE_DEPTH],
        error_rate=errors / window,
        latency=latency,
        heartbeat_age=heartbeat_age,
        health=v[Raw.HEALTH],
    )
