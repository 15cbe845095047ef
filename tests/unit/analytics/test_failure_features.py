"""Signals and windowed features: past only, exact on known shapes, and the PromQL behind them."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from agentwatch import catalog
from agentwatch.analytics.failure import (
    AGENT_SIGNAL_QUERIES,
    FEATURE_NAMES,
    STEP_SECONDS,
    Raw,
    RawSignals,
    signal_frame,
    window_features,
)
from agentwatch.generate.promql import known_series, metric_names
from agentwatch.spec import Spec

ROWS, AGENTS = 120, 3
LIMIT = 512.0 * 2**20


def _raw(seed: int = 1) -> dict[Raw, NDArray[np.float64]]:
    rng = np.random.default_rng(seed)
    shape = (ROWS, AGENTS)
    failed = np.zeros(shape)
    failed[50:53, 1] = 1.0  # agent 1 is down for three rows, then restarts
    counters = {
        s: np.cumsum(rng.integers(0, 20, size=shape), axis=0).astype(np.float64)
        for s in (Raw.ERRORS_TOTAL, Raw.PROCESSING_COUNT)
    }
    times = np.arange(ROWS, dtype=np.float64) * STEP_SECONDS
    return {
        Raw.MEMORY_BYTES: rng.uniform(0.2, 0.9, size=shape) * LIMIT,
        Raw.MEMORY_LIMIT_BYTES: np.full(shape, LIMIT),
        Raw.CPU_RATIO: rng.uniform(0, 1, size=shape),
        Raw.QUEUE_DEPTH: rng.integers(0, 500, size=shape).astype(np.float64),
        Raw.PROCESSING_SUM: counters[Raw.PROCESSING_COUNT] * 0.01,
        Raw.HEARTBEAT: np.repeat(times[:, None], AGENTS, axis=1) - rng.uniform(0, 20, size=shape),
        Raw.FAILED: failed,
        Raw.HEALTH: rng.uniform(0, 100, size=shape),
        **counters,
    }


def _features(values: dict[Raw, NDArray[np.float64]]) -> NDArray[np.float64]:
    times = np.arange(ROWS, dtype=np.float64) * STEP_SECONDS
    raw = RawSignals(times, ("a-0", "a-1", "b-0"), ("a", "a", "b"), values)
    return window_features(signal_frame(raw))


@pytest.mark.parametrize("cut", [1, 30, 51, 60, 119])
def test_changing_the_future_never_changes_earlier_features(cut: int) -> None:
    before = _features(_raw())
    changed = _raw()
    other = _raw(seed=99)
    for signal in Raw:
        changed[signal][cut:] = other[signal][cut:]
    after = _features(changed)
    np.testing.assert_array_equal(before[:cut], after[:cut])
    # The change is real: rows from the cut on do differ.
    assert not np.array_equal(np.nan_to_num(before[cut:]), np.nan_to_num(after[cut:]))


def test_a_linear_leak_gives_its_slope_and_time_to_limit() -> None:
    values = _raw()
    ratio = (
        0.3 + 0.01 * np.arange(ROWS, dtype=np.float64) * STEP_SECONDS / 60
    )  # +1% of the limit per minute
    values[Raw.MEMORY_BYTES][:, 0] = ratio * LIMIT
    features = _features(values)
    row = 60
    column = {name: i for i, name in enumerate(FEATURE_NAMES)}
    assert features[row, 0, column["memory_ratio"]] == pytest.approx(ratio[row])
    assert features[row, 0, column["memory_slope_5m"]] == pytest.approx(0.01)
    assert features[row, 0, column["memory_slope_15m"]] == pytest.approx(0.01)
    assert features[row, 0, column["memory_ttl_15m"]] == pytest.approx((1 - ratio[row]) / 0.01)
    # The 15-minute window holds 60 rows: 59 steps from its first to its last.
    assert features[row, 0, column["memory_rise_15m"]] == pytest.approx(0.01 * 59 * 0.25)


def test_a_restart_starts_the_window_afresh_and_down_rows_are_not_scored() -> None:
    features = _features(_raw())
    column = {name: i for i, name in enumerate(FEATURE_NAMES)}
    assert np.isnan(features[50:53, 1]).all()
    # First row after the restart: one sample in its window, recently restarted.
    assert features[53, 1, column["uptime_minutes"]] == pytest.approx(STEP_SECONDS / 60)
    assert features[53, 1, column["restarted_recently"]] == 1.0
    assert np.isnan(features[53, 1, column["memory_slope_5m"]])
    assert features[53, 0, column["restarted_recently"]] == 0.0


def test_counter_resets_count_as_increases_not_drops() -> None:
    values = _raw()
    errors = np.arange(ROWS, dtype=np.float64) * 3  # 3 errors per step
    errors[70:] -= errors[70] - 1  # restart: the counter starts again near zero
    values[Raw.ERRORS_TOTAL][:, 2] = errors
    frame = signal_frame(
        RawSignals(np.arange(ROWS, dtype=np.float64) * STEP_SECONDS, ("x",) * 3, ("t",) * 3, values)
    )
    assert (frame.error_rate[5:, 2] >= 0).all()
    assert frame.error_rate[90, 2] == pytest.approx(3 / STEP_SECONDS)


def test_signal_queries_only_read_catalog_metrics() -> None:
    known = known_series(Spec())
    catalog_names = {f.name for f in catalog.CATALOG}
    for signal in Raw:
        names = metric_names(AGENT_SIGNAL_QUERIES[signal])
        assert names, signal
        assert names <= known, (signal, names - known)
        assert all(n.removesuffix("_sum").removesuffix("_count") in catalog_names for n in names)
