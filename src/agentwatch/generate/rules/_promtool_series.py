"""Input series for promtool unit tests, as the alert definitions and the recording-rule
tests write them: gauges, counters at a known rate, histograms with every observation in one
bucket, and the label sets several of them share.

Samples are one minute apart (STEP): a linear counter then has an exact rate over 1m and 5m
windows.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

from agentwatch.catalog import MetricFamily, scrape

from . import constants as k
from ._number import num

__all__ = [
    "AGENT",
    "AGENTS_JOB",
    "OUT_TASK",
    "STEP",
    "TRANSPORT",
    "Series",
    "bucket_above",
    "bucket_below",
    "bucket_quantile",
    "counter",
    "gauge",
    "histogram",
    "selector",
    "up",
]

STEP = 60

AGENTS_JOB = scrape.AGENTS_JOB
# One agent of one type, for alerts and recordings per agent.
AGENT = {"agent_id": "web-1", "agent_type": "web"}
TRANSPORT = {"job": k.TRANSPORT_JOB}
# The labels of ordinary sent traffic (not emergencies, not received messages).
OUT_TASK = {"direction": "out", "msg_type": "task", "priority": "normal"}


def selector(name: str, labels: Mapping[str, str]) -> str:
    inner = ", ".join(f'{key}="{value}"' for key, value in labels.items())
    return f"{name}{{{inner}}}" if inner else name


@dataclass(frozen=True)
class Series:
    name: str
    labels: Mapping[str, str]
    # Per-minute increase for a counter (start 0), or the constant value of a gauge.
    value: float
    counter: bool = False

    def input(self, steps: int) -> dict[str, str]:
        # 12 significant digits drop float noise such as 60.00000000000006 (from 1 - 0.999);
        # the descriptions print far fewer digits, so the expected text is unaffected.
        value = num(float(f"{self.value:.12g}"))
        values = f"0+{value}x{steps}" if self.counter else f"{value}x{steps}"
        return {"series": selector(self.name, self.labels), "values": values}


def gauge(family: MetricFamily, value: float, **labels: str) -> Series:
    return Series(family.name, labels, value)


def counter(family: MetricFamily | str, per_second: float, **labels: str) -> Series:
    name = family if isinstance(family, str) else family.name
    return Series(name, labels, per_second * STEP, counter=True)


def up(job: str, value: float) -> Series:
    """Prometheus's own scrape health of ``job``'s one instance."""
    return Series("up", {"job": job, "instance": f"{job}:9100"}, value)


def bucket_quantile(q: float, low: float, high: float) -> float:
    """histogram_quantile's answer when every observation fell in (low, high] (Prometheus's
    own interpolation, step by step, so the float matches bit for bit)."""
    rank = q * 1.0
    return low + (high - low) * (rank / 1.0)


def histogram(family: MetricFamily, low: float, high: float, **labels: str) -> list[Series]:
    """One observation per second, all in the bucket (low, high]."""
    assert family.buckets is not None
    bounds = [b for b in family.buckets if b < high] + [high]
    rows = [counter(f"{family.name}_bucket", 0.0, **labels, le=num(b)) for b in bounds[:-1]]
    rows.append(counter(f"{family.name}_bucket", 1.0, **labels, le=num(high)))
    rows.append(counter(f"{family.name}_bucket", 1.0, **labels, le="+Inf"))
    return rows


def bucket_above(family: MetricFamily, threshold: float) -> tuple[float, float]:
    """The first bucket wholly at or above ``threshold`` (or the last finite one)."""
    assert family.buckets is not None
    bounds = (0.0, *family.buckets)
    pairs = list(itertools.pairwise(bounds))
    return next(((lo, hi) for lo, hi in pairs if lo >= threshold), pairs[-1])


def bucket_below(family: MetricFamily, threshold: float) -> tuple[float, float]:
    """The last bucket wholly at or below ``threshold`` (or the first one)."""
    assert family.buckets is not None
    bounds = (0.0, *family.buckets)
    pairs = list(itertools.pairwise(bounds))
    below = [(lo, hi) for lo, hi in pairs if hi <= threshold]
    return below[-1] if below else pairs[0]
