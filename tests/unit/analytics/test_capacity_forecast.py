"""Forecasts on synthetic series; plan_capacity end to end against a fake Prometheus.

The fake (a small class returning RangeSeries/Samples) stands in for Prometheus only at the
HTTP boundary: every query the planner sends is answered from a synthetic daily wave.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.typing import NDArray

from agentwatch.analytics.capacity import (
    COARSE,
    FINE,
    FIRST_FORECAST_HISTORY,
    RESOURCE_QUERIES,
    Forecast,
    History,
    ModelFailedError,
    NotEnoughDataError,
    _forecast,
    forecast_histories,
    plan_capacity,
    predict_linear_path,
    render_report,
)
from agentwatch.analytics.capacity._distributed import FitBackend
from agentwatch.analytics.capacity_queries import TYPE_QUERIES
from agentwatch.clients.prometheus import RangeSeries, Sample

DAY = 86_400.0
NOW = 1_700_000_000.0 // 3600 * 3600


def _wave(t: NDArray[np.float64], seed: int = 0) -> NDArray[np.float64]:
    rng = np.random.default_rng(seed)
    return 100 + 40 * np.sin(2 * np.pi * t / DAY) + rng.normal(0, 3, len(t))


def _history(days: float, step: float) -> History:
    n = int(days * DAY / step)
    t = NOW - step * np.arange(n, dtype=np.float64)[::-1]
    return History(float(t[0]), step, _wave(t))


def test_seasonal_forecast_beats_predict_linear_on_a_daily_wave() -> None:
    step = COARSE.step
    held_out = int(DAY / step)
    # Ten days to forecast from, and the day after them: no backtest origin reaches into it.
    t = NOW - step * np.arange(int(10 * DAY / step) + held_out, dtype=np.float64)[::-1]
    wave = _wave(t)
    history = History(float(t[0]), step, wave[:-held_out])
    result = forecast_histories({"x": history}, COARSE)["x"]
    assert isinstance(result, Forecast)
    b = result.backtest
    assert b.origins == 3
    assert b.chosen_mase < b.predict_linear_mase

    # The choice judged out of sample: the chosen model's forecast of the held-out day against
    # two forecasts the selection cannot pick, predict_linear (the baseline the report names)
    # and the history's mean. Here MSTL's error is 2.5, the mean's 26 and predict_linear's 78;
    # a non-seasonal choice (AutoETS, 29) would lose to the mean. Each is scored on the same
    # actual values, so MAE ranks them as MASE would.
    def held_out_mae(path: NDArray[np.float64]) -> float:
        return float(np.mean(np.abs(path[:held_out] - wave[-held_out:])))

    chosen = held_out_mae(result.mean)
    linear = held_out_mae(predict_linear_path(history.values, step, b.horizon_steps, held_out))
    mean = held_out_mae(np.full(held_out, history.values.mean()))
    assert chosen < linear, (result.model, chosen, linear)
    assert chosen < mean, (result.model, chosen, mean)
    # 10 days support 1d but not 1w (needs 14 days): omitted, with the reason.
    assert set(result.points) == {"1d"}
    assert "not enough data" in result.omitted["1w"]
    low, mean, high = result.points["1d"]
    assert low <= mean <= high


def test_too_little_history_says_not_enough_data() -> None:
    results = forecast_histories({"x": _history(1 / 24, FINE.step)}, FINE)
    assert isinstance(results["x"], NotEnoughDataError)
    assert str(results["x"]).startswith("not enough data")


def test_constant_series_forecasts_its_value() -> None:
    history = History(NOW - 3 * DAY, FINE.step, np.full(int(3 * DAY / FINE.step), 56.0))
    result = forecast_histories({"agents": history}, FINE)["agents"]
    assert isinstance(result, Forecast)
    assert result.points["6h"] == (56.0, 56.0, 56.0)


class FakePrometheus:
    """Answers the planner's queries from a synthetic daily wave (throughput, cpu, ...)."""

    def __init__(self, gap: bool = False) -> None:
        self.gap = gap

    def query_range(
        self, promql: str, *, start: float, end: float, step: float
    ) -> list[RangeSeries]:
        t = np.arange(start, end + 1, step, dtype=np.float64)
        wave = _wave(t) / 100  # about 0.6 .. 1.4
        scale = {
            RESOURCE_QUERIES["cpu"]: 0.4,
            RESOURCE_QUERIES["memory"]: 0.3,
            RESOURCE_QUERIES["queue_depth"]: 50.0,
            RESOURCE_QUERIES["throughput"]: 1000.0,
        }
        if RESOURCE_QUERIES["active_agents"] in promql:
            return [RangeSeries({}, t, np.full(len(t), 56.0))]
        for query, factor in scale.items():
            if query in promql:
                values = wave * factor
                if self.gap:
                    values[len(values) // 2] = math.nan
                return [RangeSeries({}, t, values)]
        raise AssertionError(f"unexpected range query {promql!r}")

    def query(self, promql: str, *, at: float | None = None) -> list[Sample]:
        per_type = {
            TYPE_QUERIES["processed_rate"]: 30.0,
            TYPE_QUERIES["error_rate"]: 0.5,
            TYPE_QUERIES["service_time"]: 0.1,
            TYPE_QUERIES["workers"]: 8.0,
            TYPE_QUERIES["instances"]: 2.0,
            TYPE_QUERIES["active"]: 2.0,
            TYPE_QUERIES["queue"]: 12.0,
            TYPE_QUERIES["busy"]: 0.38,
        }
        value = per_type[promql]
        # A second type four times as loaded: ρ = 4 x 30.5 x 0.1 / 8 = 1.53 (saturated).
        busier = 4 if promql in (TYPE_QUERIES["processed_rate"], TYPE_QUERIES["error_rate"]) else 1
        return [
            Sample({"agent_type": "planner"}, value),
            Sample({"agent_type": "coder"}, value * busier),
        ]


def test_plan_capacity_end_to_end_with_report() -> None:
    api = FakePrometheus(gap=True)
    steps: list[tuple[int, int, str]] = []
    plan = plan_capacity(api, NOW, lambda d, t, s: steps.append((d, t, s)))
    assert steps[-1][0] == steps[-1][1]
    coder = next(r for r in plan.recommendations if r.resource == "coder_agents")
    # λ = 122/s, S = 0.1 s, 4 workers per instance: peak λ x 0.1 / (4 x 0.7) > 2 instances.
    assert coder.action.value == "scale_up"
    assert coder.timeline == "immediate"
    assert plan.first_bottleneck() == ("agent:coder", 0.0)
    # 35 days requested, all returned: 1w forecast exists at the hourly step.
    horizons = {(p.resource_type, p.horizon) for p in plan.forecasts}
    assert ("cpu", "1w") in horizons
    assert ("throughput", "1h") in horizons
    assert plan.utilization["cpu"] == pytest.approx(plan.resources["cpu"].outlook.current)  # type: ignore[union-attr]
    assert {"cpu", "memory", "queue_depth", "agent:planner", "agent:coder"} <= set(plan.bottlenecks)
    resources = {r.resource for r in plan.recommendations}
    assert "compute_nodes" in resources
    assert "coder_agents" in resources
    assert any("interpolated" in n for n in plan.notes)
    html = render_report(plan)
    assert html.count("<svg") == len(plan.resources) == 5
    assert "http" not in html.split("<svg")[0].lower().replace("http://www.w3.org", "")


def test_a_series_the_model_cannot_fit_gets_a_reason_not_a_crash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = _forecast._run_batch

    def failing(jobs: list[_forecast._Job], backend: FitBackend) -> object:
        if any(job.key == "bad" for job in jobs):
            raise FloatingPointError("boom")
        return real(jobs, backend)

    monkeypatch.setattr(_forecast, "_run_batch", failing)
    history = _history(10, COARSE.step)
    results = forecast_histories({"good": history, "bad": history}, COARSE)
    assert isinstance(results["good"], Forecast)
    assert isinstance(results["bad"], ModelFailedError)
    assert "boom" in str(results["bad"])


def test_the_first_forecast_needs_exactly_the_history_the_console_announces() -> None:
    """The console tells users when the first forecast will come from FIRST_FORECAST_HISTORY;
    the forecaster must agree with it to the step."""
    points = round(FIRST_FORECAST_HISTORY / FINE.step)
    enough = forecast_histories({"x": _history(points * FINE.step / DAY, FINE.step)}, FINE)["x"]
    assert isinstance(enough, Forecast)
    assert "1h" in enough.points
    short = (points - 1) * FINE.step / DAY
    assert isinstance(
        forecast_histories({"x": _history(short, FINE.step)}, FINE)["x"], NotEnoughDataError
    )
