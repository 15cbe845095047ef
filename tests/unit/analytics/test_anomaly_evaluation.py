"""The evaluation: PromQL-equivalent helpers, window-based judging, and a small real run."""

from __future__ import annotations

import numpy as np
import pytest

from agentwatch.analytics.anomaly import evaluate
from agentwatch.analytics.anomaly._scoring import Labelled, alarm_runs, judge
from agentwatch.analytics.anomaly._scrape import deriv, histogram_quantile, rate
from agentwatch.analytics.anomaly._simulated import simulate_run
from agentwatch.simulate import parse_fault
from agentwatch.spec import Spec


def test_rate_is_the_slope_inside_the_window_and_survives_resets() -> None:
    t = np.arange(0.0, 150.0, 15.0)
    counter = 10.0 * t
    counter[6:] -= counter[6]  # a restart: counting from 0 again
    r = rate(t, counter, 60.0)
    assert np.isnan(r[0])
    assert r[3] == pytest.approx(10.0)  # samples 0..3 are inside (-15, 45]
    assert r[-1] == pytest.approx(10.0)
    assert (r[1:] > 0).all()


def test_deriv_is_the_least_squares_slope() -> None:
    t = np.arange(0.0, 600.0, 15.0)
    gauge = 3.0 * t + np.where(np.arange(len(t)) % 2, 1.0, -1.0)
    slopes = deriv(t, gauge, 300.0)
    assert np.isnan(slopes[0])
    assert slopes[-1] == pytest.approx(3.0, rel=1e-3)


def test_histogram_quantile_interpolates_like_prometheus() -> None:
    bounds = (0.1, 0.2, float("inf"))
    t = np.array([0.0, 60.0])
    # In 60 s: 50 observations <= 0.1, 50 in (0.1, 0.2], none above.
    buckets = np.array([[0.0, 0.0, 0.0], [50.0, 100.0, 100.0]])
    q = histogram_quantile(0.75, bounds, t, buckets, 120.0)
    assert np.isnan(q[0])
    assert q[1] == pytest.approx(0.15)
    buckets[1] = [0.0, 0.0, 100.0]  # all above the last finite bound
    assert histogram_quantile(0.99, bounds, t, buckets, 120.0)[1] == pytest.approx(0.2)


def test_alarm_runs() -> None:
    flags = np.array([1, 1, 0, 0, 1, 0, 1], dtype=bool)
    assert alarm_runs(flags) == [(0, 1), (4, 4), (6, 6)]
    assert alarm_runs(np.zeros(3, dtype=bool)) == []


def test_judge_counts_events_delays_and_false_alarms() -> None:
    t = np.arange(0.0, 100.0, 10.0)
    events = [Labelled("a", 20.0, 30.0), Labelled("b", 70.0, 70.0)]
    scores = {
        # Alarms at 0 (false), 30-40 (event a, 40 inside its tolerance), nothing for b.
        "x": np.array([0.9, 0, 0, 0.6, 0.7, 0, 0, 0, 0, 0.0]),
        "y": np.array([0, 0, 0, 0, 0, 0, 0.55, 0, 0, np.nan]),  # 60: before b, outside
    }
    outcome = judge(t, scores, events, threshold=0.5, tolerance=10.0)
    a, b = outcome.events
    assert a.detected
    assert a.delay == 10.0
    assert a.series == ("x",)
    assert not b.detected
    assert b.delay is None
    assert outcome.detected == 1
    assert dict(outcome.false_alarms) == {"x": 1, "y": 1}


def _small_spec() -> Spec:
    # Half the default load, for speed: the flood is then the easier to see, which is the
    # point of this test (a floor, not the measurement in the docs).
    spec = Spec()
    return spec.model_copy(
        update={
            "simulation": spec.simulation.model_copy(update={"request_rate": 100.0, "seed": 11})
        }
    )


def test_floods_are_detected_and_a_fault_free_run_raises_no_alarm() -> None:
    floods = [
        parse_fault("emergency_flood:at=8m:for=2m:rate=400"),
        parse_fault("emergency_flood:at=16m:for=1m:rate=400"),
    ]
    spec = _small_spec()
    faulty = simulate_run(spec, start=1_700_000_000.0, duration=22 * 60.0, step=15.0, faults=floods)
    assert len(faulty.windows) == 2
    outcome = evaluate.judge_run(faulty)
    assert outcome.detected / len(outcome.events) >= 0.8
    assert all(e.delay is not None and e.delay <= 60.0 for e in outcome.events)
    quiet = simulate_run(spec, start=1_700_000_000.0, duration=20 * 60.0, step=15.0)
    assert evaluate.judge_run(quiet).false_alarm_count == 0


def test_nile_report_runs() -> None:
    # statsmodels comes with statsforecast, a declared dependency: the data set is present.
    assert evaluate.nile_series() is not None
    outcome = evaluate.evaluate_nile()
    assert outcome is not None
    assert len(outcome.events) == 1
    assert "Nile" in evaluate.nile_report(outcome)
