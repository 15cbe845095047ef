"""predict_linear against a worked example, series cleaning, and the printed format."""

from __future__ import annotations

import numpy as np
import pytest

from agentwatch.analytics._results import Priority, ScalingAction, ScalingRecommendation
from agentwatch.analytics.capacity import (
    NotEnoughDataError,
    block_mean,
    format_recommendation,
    format_recommendations,
    predict_linear,
    predict_linear_path,
    regularise,
)


def test_predict_linear_matches_a_worked_example() -> None:
    # Samples 1, 2, 4 at t = 0, 60, 120 s, evaluated at 120 s, 60 s ahead. With x measured
    # from the evaluation time: x = -120, -60, 0; mean x = -60, mean y = 7/3;
    # slope = sum((x-mx)(y-my)) / sum((x-mx)^2) = 180 / 7200 = 0.025 /s;
    # intercept (at x = 0) = 7/3 + 0.025 * 60 = 3.8333; + 0.025 * 60 ahead = 5.3333.
    t = np.array([0.0, 60.0, 120.0])
    y = np.array([1.0, 2.0, 4.0])
    assert predict_linear(t, y, 120.0, 60.0) == pytest.approx(16 / 3)
    # Evaluated later than the last sample, the intercept moves with the evaluation time.
    assert predict_linear(t, y, 180.0, 0.0) == pytest.approx(16 / 3)
    assert predict_linear_path(y, 60.0, 3, 2) == pytest.approx([16 / 3, 16 / 3 + 1.5])


def test_predict_linear_single_timestamp_returns_the_value() -> None:
    assert predict_linear(np.array([5.0]), np.array([7.0]), 10.0, 100.0) == 7.0


def test_regularise_interpolates_short_gaps_and_drops_inf() -> None:
    t = np.array([0, 60, 120, 240, 300], dtype=np.float64)  # 180 missing
    y = np.array([1.0, 2.0, np.inf, 5.0, 6.0])
    history = regularise(t, y, 60.0)
    assert history.values == pytest.approx([1, 2, 3, 4, 5, 6])
    assert any("infinite" in note for note in history.notes)


def test_regularise_keeps_only_the_stretch_after_a_long_gap() -> None:
    t = np.concatenate([np.arange(10), np.arange(30, 40)]) * 60.0
    history = regularise(t, np.arange(20, dtype=np.float64), 60.0)
    assert history.start == 30 * 60.0
    assert len(history.values) == 10
    assert "gap" in history.notes[0]


def test_regularise_with_nothing_finite_is_not_enough_data() -> None:
    with pytest.raises(NotEnoughDataError, match="not enough data"):
        regularise(np.array([0.0, 60.0]), np.array([np.nan, np.nan]), 60.0)


def test_block_mean_aligns_blocks_to_the_end() -> None:
    values = np.array([100.0, 1, 2, 3, 4, np.nan, 6])
    assert block_mean(values, 3) == pytest.approx([2.0, 5.0])


def test_recommendation_prints_in_the_seeds_format() -> None:
    rec = ScalingRecommendation(
        "compute_nodes",
        ScalingAction.SCALE_UP,
        Priority.HIGH,
        24.0,
        36.0,
        "CPU utilization at 87.3%",
        "immediate",
    )
    assert format_recommendation(rec) == (
        "[HIGH] compute_nodes: scale_up\n"
        "  Current: 24, Target: 36\n"
        "  Reason: CPU utilization at 87.3%\n"
        "  Timeline: immediate"
    )
    hold = ScalingRecommendation(
        "x_agents", ScalingAction.HOLD, Priority.LOW, 2.0, 2.0, "fine", "none"
    )
    text = format_recommendations([rec, hold])
    assert text.startswith("SCALING RECOMMENDATIONS:\n[HIGH] compute_nodes")
    assert "x_agents" not in text
