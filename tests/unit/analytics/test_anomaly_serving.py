"""ANOMALY_SERIES and score_latest: what the analytics service serves as anomaly_score."""

from __future__ import annotations

import re

import numpy as np
import pytest

from agentwatch import catalog
from agentwatch.analytics.anomaly import (
    ANOMALY_SERIES,
    MIN_SPREAD,
    StreamingDetector,
    score_latest,
    series_config,
)
from agentwatch.clients.prometheus import RangeSeries
from agentwatch.generate.rules import recording_names
from agentwatch.spec import Spec

NOW = 1_700_000_000.0
STEP = 15.0


class FakePrometheus:
    """Answers range queries from canned series; records what it was asked."""

    def __init__(self, answers: dict[str, list[RangeSeries]]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, float, float, float]] = []

    def query_range(
        self, promql: str, *, start: float, end: float, step: float
    ) -> list[RangeSeries]:
        self.asked.append((promql, start, end, step))
        return self.answers.get(promql, [])


def _series(values: np.ndarray) -> list[RangeSeries]:
    times = NOW - STEP * np.arange(len(values))[::-1]
    return [RangeSeries({}, times.astype(np.float64), values.astype(np.float64))]


def test_queries_use_only_recorded_and_catalog_names() -> None:
    recorded = set(recording_names(Spec()))
    known = recorded | {f.name for f in catalog.CATALOG}
    assert set(ANOMALY_SERIES) == set(MIN_SPREAD)
    for name, promql in ANOMALY_SERIES.items():
        metrics = set(re.findall(r"[a-z_]*:[a-z_0-9:]+|[a-z][a-z_0-9]+(?=[\[{) ])", promql))
        metrics -= {"sum", "max", "rate", "deriv", "or", "vector", "direction"}
        assert metrics, name
        assert metrics <= known, (name, metrics - known)


def test_score_latest_scores_the_last_point_and_leaves_out_missing_series() -> None:
    rng = np.random.default_rng(2)
    calm = rng.normal(1000.0, 20.0, 120)
    spiking = calm.copy()
    spiking[-1] = 5000.0
    nan_last = calm.copy()
    nan_last[-1] = np.nan
    names = list(ANOMALY_SERIES)
    fake = FakePrometheus(
        {
            ANOMALY_SERIES[names[0]]: _series(calm),
            ANOMALY_SERIES[names[1]]: _series(spiking),
            ANOMALY_SERIES[names[2]]: _series(nan_last),
            ANOMALY_SERIES[names[3]]: [RangeSeries({}, np.array([]), np.array([]))],
        }
    )
    scores = score_latest(fake, NOW, 1800.0, STEP)
    assert set(scores) == {names[0], names[1]}
    times = fake.answers[ANOMALY_SERIES[names[0]]][0].timestamps
    expected = StreamingDetector(series_config(names[0])).score_series(times, calm)[-1]
    assert scores[names[0]] == expected < 0.5
    assert scores[names[1]] >= 0.5
    assert {q for q, *_ in fake.asked} == set(ANOMALY_SERIES.values())
    assert all((s, e, st) == (NOW - 1800.0, NOW, STEP) for _, s, e, st in fake.asked)


def test_score_latest_in_warm_up_scores_zero() -> None:
    name = next(iter(ANOMALY_SERIES))
    fake = FakePrometheus({ANOMALY_SERIES[name]: _series(np.array([1.0, 2.0, 1e9]))})
    assert score_latest(fake, NOW, 60.0, STEP) == {name: 0.0}


def test_score_latest_refuses_bad_ranges() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        score_latest(FakePrometheus({}), NOW, 0.0, STEP)
