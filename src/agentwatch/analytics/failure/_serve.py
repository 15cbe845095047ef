"""Serving: the same raw signals read back from Prometheus, the same features, the shipped model.

Agents that are down now (or have no sample now) get no score: the failure happened, AgentDown
reports it, and a prediction about a process that is not running means nothing. Their series
disappears from failure_prediction_score until the agent is back (its window then starts afresh).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from agentwatch import catalog
from agentwatch.analytics._results import FailureScore
from agentwatch.clients.prometheus import RangeSeries
from agentwatch.instrument import AgentStatus

from ._features import LONG_WINDOW_SECONDS, window_features
from ._model import FailureModel, load_model
from ._signals import RATE_SAMPLES, STEP_SECONDS, Raw, RawSignals, signal_frame

__all__ = [
    "AGENT_SIGNAL_QUERIES",
    "LOOKBACK_SECONDS",
    "RangeQuerier",
    "raw_signals",
    "score_agents",
]

_BY = "by (agent_id, agent_type)"
_HISTOGRAM = catalog.AGENT_PROCESSING_TIME_SECONDS.name

# Raw signal -> PromQL with one series per agent (job/instance and other labels summed away).
AGENT_SIGNAL_QUERIES: Mapping[Raw, str] = MappingProxyType(
    {
        Raw.MEMORY_BYTES: f"sum {_BY} ({catalog.AGENT_MEMORY_BYTES.name})",
        Raw.MEMORY_LIMIT_BYTES: f"max {_BY} ({catalog.AGENT_MEMORY_LIMIT_BYTES.name})",
        Raw.CPU_RATIO: f'max {_BY} ({catalog.AGENT_RESOURCE_USAGE.name}{{resource="cpu"}})',
        Raw.QUEUE_DEPTH: f"sum {_BY} ({catalog.AGENT_QUEUE_DEPTH.name})",
        Raw.ERRORS_TOTAL: f"sum {_BY} ({catalog.AGENT_ERRORS_TOTAL.name})",
        Raw.PROCESSING_SUM: f"sum {_BY} ({_HISTOGRAM}_sum)",
        Raw.PROCESSING_COUNT: f"sum {_BY} ({_HISTOGRAM}_count)",
        Raw.HEARTBEAT: f"max {_BY} ({catalog.AGENT_LAST_HEARTBEAT_TIMESTAMP_SECONDS.name})",
        Raw.FAILED: (
            f'max {_BY} ({catalog.AGENT_STATUS.name}{{status="{AgentStatus.FAILED.value}"}})'
        ),
        Raw.HEALTH: f"min {_BY} ({catalog.AGENT_HEALTH_SCORE.name})",
    }
)


class RangeQuerier(Protocol):
    """What scoring needs of a Prometheus client (``PrometheusAPI`` is one)."""

    def query_range(
        self, promql: str, *, start: float, end: float, step: float
    ) -> list[RangeSeries]: ...


# The features' longest window, plus the rows the first rates need.
LOOKBACK_SECONDS = LONG_WINDOW_SECONDS + RATE_SAMPLES * STEP_SECONDS


def raw_signals(api: RangeQuerier, now: float) -> RawSignals:
    """Every agent's raw signals on the STEP_SECONDS grid ending at ``now``."""
    end = np.floor(now / STEP_SECONDS) * STEP_SECONDS
    rows = round(LOOKBACK_SECONDS / STEP_SECONDS) + 1
    start = end - (rows - 1) * STEP_SECONDS
    times = start + np.arange(rows) * STEP_SECONDS
    found: dict[Raw, dict[str, NDArray[np.float64]]] = {}
    types: dict[str, str] = {}
    for signal, promql in AGENT_SIGNAL_QUERIES.items():
        found[signal] = {}
        for series in api.query_range(promql, start=start, end=end, step=STEP_SECONDS):
            agent = series.labels.get("agent_id")
            if agent is None:
                continue
            types.setdefault(agent, series.labels.get("agent_type", ""))
            column = np.full(rows, np.nan)
            index = np.rint((series.timestamps - start) / STEP_SECONDS).astype(np.int64)
            inside = (index >= 0) & (index < rows)
            column[index[inside]] = series.values[inside]
            found[signal][agent] = column
    agents = tuple(sorted(types))
    if not agents:
        return RawSignals(times, (), (), {s: np.empty((rows, 0)) for s in Raw})
    values = {
        signal: np.stack(
            [found[signal].get(a, np.full(rows, np.nan)) for a in agents], axis=1
        ).reshape(rows, len(agents))
        for signal in Raw
    }
    return RawSignals(times, agents, tuple(types[a] for a in agents), values)


def score_agents(
    api: RangeQuerier, now: float, *, model: FailureModel | None = None
) -> tuple[FailureScore, ...]:
    """Each agent that is up now, with its risk (0-100) of being killed within the horizon.

    ``model`` defaults to the shipped one (ModelError if it cannot be loaded).
    """
    raw = raw_signals(api, now)
    if not raw.agent_ids:
        return ()
    model = model or load_model()
    frame = signal_frame(raw)
    latest = window_features(frame)[-1]
    up = ~frame.down[-1] & ~frame.missing[-1]
    if not up.any():
        return ()
    score = model.score(latest[up])
    return tuple(
        FailureScore(agent, agent_type, round(float(s), 3))
        for agent, agent_type, s in zip(
            np.asarray(raw.agent_ids)[up].tolist(),
            np.asarray(raw.agent_types)[up].tolist(),
            score,
            strict=True,
        )
    )
