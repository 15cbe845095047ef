"""The series the analytics service scores, and scoring their latest points from Prometheus.

``ANOMALY_SERIES`` maps each ``series`` label value of ``anomaly_score`` to the PromQL that
gives it. Every query is aggregated to one series (sum or max), so a name has one score.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Protocol

from agentwatch import catalog as c
from agentwatch.catalog import recorded as rec
from agentwatch.clients.prometheus import RangeSeries
from agentwatch.spec import RATE_WINDOW, SHORT_RATE_WINDOW

from ._detector import DetectorConfig, StreamingDetector

__all__ = ["ANOMALY_SERIES", "MIN_SPREAD", "RangeQuerier", "score_latest", "series_config"]


def _sum_or_zero(name: str) -> str:
    # An error counter has no series until the first error; 0 is what it means.
    return f"(sum({name}) or vector(0))"


_agent_errors = _sum_or_zero(rec.AGENT_ERRORS_RATE)

ANOMALY_SERIES: Mapping[str, str] = MappingProxyType(
    {
        # Messages sent per second over the whole transport.
        "transport_message_rate": f"sum({rec.TRANSPORT_MESSAGES_RATE}{{{rec.SENT}}})",
        # p99 delivery latency over the last minute, seconds.
        "transport_latency_p99": f"max({rec.TRANSPORT_LATENCY['p99'][1]})",
        # Share of sent messages the transport failed to deliver (5m).
        "transport_error_ratio": f"max({rec.TRANSPORT_ERROR_RATIO})",
        # Share of messages agents failed to process (5m), all agents together.
        "agent_error_rate": (
            f"{_agent_errors}\n  / (sum({rec.AGENT_PROCESSED_RATE}) + {_agent_errors})"
        ),
        # CPU cores the agents use together (1m).
        "agent_cpu": f"sum(rate({c.AGENT_CPU_SECONDS_TOTAL.name}[{SHORT_RATE_WINDOW}]))",
        # How fast the fastest-growing agent's memory grows, bytes/s over 5m: a leak in one
        # agent shows here long before it moves the fleet's total.
        "agent_memory": f"max(deriv({c.AGENT_MEMORY_BYTES.name}[{RATE_WINDOW}]))",
        # Messages waiting in all queues.
        "agent_queue_depth": f"sum({c.AGENT_QUEUE_DEPTH.name})",
    }
)


# The smallest spread each series' baseline is given, in its own unit: a change smaller than
# a few of these is not worth a page whatever the recent noise was. Without it a series that
# sat still (an idle queue, no transport errors) would flag its first wobble.
MIN_SPREAD: Mapping[str, float] = MappingProxyType(
    {
        "transport_message_rate": 1.0,  # messages/s
        "transport_latency_p99": 0.001,  # seconds
        "transport_error_ratio": 0.001,  # 0.1% of messages
        "agent_error_rate": 0.0005,  # 0.05% of messages
        "agent_cpu": 0.1,  # cores
        "agent_memory": 16 * 1024.0,  # bytes/s
        "agent_queue_depth": 5.0,  # messages
    }
)


def series_config(name: str, base: DetectorConfig | None = None) -> DetectorConfig:
    """The detector settings for series ``name``: ``base`` with that series' MIN_SPREAD."""
    config = base or DetectorConfig()
    return replace(config, absolute_floor=MIN_SPREAD.get(name, config.absolute_floor))


class RangeQuerier(Protocol):
    def query_range(
        self, promql: str, *, start: float, end: float, step: float
    ) -> list[RangeSeries]: ...


def score_latest(
    api: RangeQuerier,
    now: float,
    lookback_seconds: float,
    step: float,
    *,
    config: DetectorConfig | None = None,
) -> dict[str, float]:
    """Series name -> anomaly score (0..1) of its latest point at ``now``.

    Each series is read over ``[now - lookback_seconds, now]`` every ``step`` seconds and
    scored from its start, so the last point is judged against the history before it. A
    series Prometheus has no data for, or whose last point is not a number, is left out;
    a series with too little history scores 0 (warm-up). PrometheusError propagates.
    """
    if lookback_seconds <= 0 or step <= 0:
        raise ValueError(f"lookback_seconds and step must be positive: {lookback_seconds}, {step}")
    scores: dict[str, float] = {}
    for name, promql in ANOMALY_SERIES.items():
        found = api.query_range(promql, start=now - lookback_seconds, end=now, step=step)
        if not found or not len(found[0].timestamps):
            continue
        series = found[0]
        detector = StreamingDetector(series_config(name, config))
        score = detector.score_series(series.timestamps, series.values)[-1]
        if not math.isnan(score):
            scores[name] = float(score)
    return scores
