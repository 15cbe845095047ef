"""Labelled series from the simulated system: faults injected at known times.

A run drives the simulator's ``Engine`` and ``Publisher`` the way the history backfill does
(``agentwatch.simulate._backfill.simulate_segment``), reads the exporters' collectors every
``step`` seconds as a scrape would, and turns the totals into the ``ANOMALY_SERIES`` values
(see ``_scrape``). Each injected fault is a labelled window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from agentwatch.simulate import Engine, Fault, Publisher
from agentwatch.spec import Spec

from ._scrape import Scrapes, deriv, histogram_quantile, rate
from ._serving import ANOMALY_SERIES

__all__ = ["LabelledRun", "Window", "series_from_scrapes", "simulate_run"]

# Engine steps are at most this long (the transport SDK's throughput window, as in backfill).
_MAX_TICK = 10.0
# The range windows of the PromQL in ANOMALY_SERIES, seconds.
_SHORT, _LONG = 60.0, 300.0


@dataclass(frozen=True, slots=True)
class Window:
    """An injected fault: its text and the simulated Unix times it was active."""

    fault: str
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class LabelledRun:
    seed: int
    timestamps: NDArray[np.float64]
    series: Mapping[str, NDArray[np.float64]]
    windows: tuple[Window, ...]


def series_from_scrapes(scrapes: Scrapes) -> dict[str, NDArray[np.float64]]:
    """The ``ANOMALY_SERIES`` values at each snapshot, computed as their PromQL would."""
    t = np.asarray(scrapes.timestamps)
    raw = scrapes.arrays()
    processed = rate(t, raw["processed"], _LONG)
    agent_errors = rate(t, raw["agent_errors"], _LONG)
    with np.errstate(invalid="ignore", divide="ignore"):
        transport_errors = rate(t, raw["transport_errors"], _LONG) / rate(t, raw["sent"], _LONG)
        agent_error_rate = agent_errors / (processed + agent_errors)
    series = {
        "transport_message_rate": rate(t, raw["sent"], _SHORT),
        "transport_latency_p99": histogram_quantile(
            0.99,
            scrapes.latency_bounds,
            t,
            np.asarray(scrapes.latency_buckets, dtype=np.float64),
            _SHORT,
        ),
        "transport_error_ratio": transport_errors,
        "agent_error_rate": agent_error_rate,
        "agent_cpu": rate(t, raw["cpu_seconds"], _SHORT),
        "agent_memory": _fastest_growth(t, scrapes.memory),
        "agent_queue_depth": raw["queued"],
    }
    if set(series) != set(ANOMALY_SERIES):
        raise AssertionError("series_from_scrapes and ANOMALY_SERIES name different series")
    return series


def simulate_run(
    spec: Spec,
    *,
    start: float,
    duration: float,
    step: float,
    faults: Sequence[Fault] = (),
) -> LabelledRun:
    """Run the simulated system for ``duration`` seconds from ``start`` with ``faults`` (their
    ``at`` is an offset from ``start``), scraping every ``step`` seconds."""
    engine = Engine(spec, start=start)
    windows = tuple(
        Window(scheduled.fault.describe(), scheduled.start, scheduled.end)
        for scheduled in (engine.faults.add(fault, start) for fault in faults)
    )
    publisher = Publisher(engine, clock=lambda: engine.now)
    agent, transport, _voice = publisher.collectors()
    scrapes = Scrapes()
    tick = min(_MAX_TICK, step)
    snapshot = start
    while snapshot <= start + duration:
        while engine.now < snapshot:
            engine.step(min(snapshot, engine.now + tick))
            publisher.publish_transport()
        publisher.publish()
        scrapes.add(snapshot, [*agent.collect(), *transport.collect()])
        snapshot += step
    series = series_from_scrapes(scrapes)
    return LabelledRun(spec.simulation.seed, np.asarray(scrapes.timestamps), series, windows)


def _fastest_growth(
    timestamps: NDArray[np.float64], memory: Sequence[Mapping[str, float]]
) -> NDArray[np.float64]:
    """``max(deriv(memory[5m]))`` over agents; an agent absent from a scrape has no sample."""
    agents = sorted({agent for scrape in memory for agent in scrape})
    slopes = []
    for agent in agents:
        present = np.array([agent in scrape for scrape in memory])
        values = np.array([scrape.get(agent, np.nan) for scrape in memory])
        slope = np.full(len(timestamps), np.nan)
        slope[present] = deriv(timestamps[present], values[present], _LONG)
        slopes.append(slope)
    if not slopes:
        return np.full(len(timestamps), np.nan)
    # fmax ignores NaN (an agent without a slope yet) unless every agent has none.
    fastest: NDArray[np.float64] = np.fmax.reduce(np.vstack(slopes), axis=0)
    return fastest
