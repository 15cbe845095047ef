"""StreamingDetector: scores from the past only, update() and score_series() agree, edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.typing import NDArray

from agentwatch.analytics.anomaly import DetectorConfig, StreamingDetector

STEP = 15.0


def _noise(n: int, seed: int = 0) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    rng = np.random.default_rng(seed)
    return np.arange(n, dtype=np.float64) * STEP, rng.normal(100.0, 5.0, n)


def _fed(
    detector: StreamingDetector, t: NDArray[np.float64], v: NDArray[np.float64]
) -> NDArray[np.float64]:
    return np.array([detector.update(float(a), float(b)) for a, b in zip(t, v, strict=True)])


@pytest.mark.parametrize(
    "config",
    [DetectorConfig(), DetectorConfig(window=9, min_history=5, shift_points=3)],
    ids=["defaults", "short-even-window"],
)
def test_update_and_score_series_agree_bit_for_bit(config: DetectorConfig) -> None:
    rng = np.random.default_rng(7)
    n = 2000
    # Regular steps with some gaps long enough to reset, NaN/Inf values and a level shift.
    steps = rng.choice([STEP, STEP, 2 * STEP, 30 * STEP], size=n, p=[0.6, 0.2, 0.195, 0.005])
    t = np.cumsum(steps)
    v = rng.normal(100.0, 5.0, n)
    v[rng.random(n) < 0.03] = np.nan
    v[rng.random(n) < 0.01] = np.inf
    v[700:760] += 60.0
    batch = StreamingDetector(config).analyse(t, v)
    detector = StreamingDetector(config)
    fed = _fed(detector, t, v)
    assert np.array_equal(fed, batch.scores, equal_nan=True)
    assert batch.resets == detector.resets > 0
    assert (batch.scores >= 0.5).any()


def test_changing_future_points_never_changes_past_scores() -> None:
    t, v = _noise(600)
    before = StreamingDetector().score_series(t, v)
    rng = np.random.default_rng(1)
    for cut in (0, 25, 100, 333, 599):
        changed = v.copy()
        changed[cut:] = rng.normal(1e6, 1e5, len(v) - cut)  # wildly different future
        changed[cut + 1 :: 7] = np.nan
        after = StreamingDetector().score_series(t, changed)
        assert np.array_equal(before[:cut], after[:cut])
        if cut >= DetectorConfig().min_history:
            # The changed point itself is scored, and it is anomalous.
            assert after[cut] > 0.99


def test_scores_are_in_unit_interval_and_spike_is_anomalous() -> None:
    t, v = _noise(300)
    v[200] = 100.0 + 20 * 5.0  # a 20 sigma spike
    scores = StreamingDetector().score_series(t, v)
    assert ((scores >= 0) & (scores <= 1)).all()
    assert scores[200] >= 0.5
    assert (scores[:200] < 0.5).all()


def test_half_score_is_at_the_documented_deviation() -> None:
    # shift_points=1 makes the shift test look at the point alone; equal thresholds then
    # leave one curve: h(z / 6) with h(r) = r^4 / (1 + r^4).
    config = DetectorConfig(shift_points=1, point_z=6.0, shift_z=6.0)
    base = np.tile([-1.0, 1.0], 30)  # median 0, MAD 1: spread 1.4826
    for z, expected in ((6.0, 0.5), (12.0, 16 / 17), (3.0, 1 / 17), (0.0, 0.0)):
        detector = StreamingDetector(config)
        for i, x in enumerate(base):
            detector.update(i * STEP, float(x))
        score = detector.update(len(base) * STEP, z * 1.4826)
        assert score == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_level_shift_is_caught_by_the_shift_test() -> None:
    t, v = _noise(400, seed=3)
    v[250:] += 4 * 5.0  # 4 sigma: under point_z per point, over shift_z as a median
    scores = StreamingDetector().score_series(t, v)
    assert (scores[:250] < 0.5).all()
    assert (scores[250:260] >= 0.5).any()


def test_warm_up_scores_zero_and_is_reported() -> None:
    config = DetectorConfig()
    t, v = _noise(config.min_history + 5)
    v[3] = 1e9  # huge, but too early to judge
    result = StreamingDetector(config).analyse(t, v)
    assert (result.scores[: config.min_history] == 0).all()
    assert result.warmup[: config.min_history].all()
    assert not result.warmup[config.min_history :].any()
    detector = StreamingDetector(config)
    assert detector.warming_up
    _fed(detector, t, v)
    assert not detector.warming_up


def test_non_finite_values_are_skipped_without_poisoning_state() -> None:
    t, v = _noise(200)
    dirty = v.copy()
    dirty[50::10] = np.nan
    dirty[55::10] = -np.inf
    scores = StreamingDetector().score_series(t, dirty)
    assert np.isnan(scores[50::10]).all()
    assert np.isnan(scores[55::10]).all()
    clean_rows = np.isfinite(dirty)
    # Same as scoring the finite points alone: the skipped ones left no trace.
    alone = StreamingDetector().score_series(t[clean_rows], dirty[clean_rows])
    assert np.array_equal(scores[clean_rows], alone)
    assert not (scores[clean_rows] >= 0.5).any()


def test_a_gap_resets_to_warm_up() -> None:
    config = DetectorConfig()
    t, v = _noise(200)
    t[100:] += 10 * STEP * config.gap_factor
    result = StreamingDetector(config).analyse(t, v)
    assert result.resets == 1
    assert result.warmup[100 : 100 + config.min_history].all()
    assert (result.scores[100 : 100 + config.min_history] == 0).all()


def test_a_short_irregularity_is_not_a_gap() -> None:
    t, v = _noise(200)
    t[100:] += 2 * STEP  # one interval three times the usual: a late scrape, not a gap
    assert StreamingDetector().analyse(t, v).resets == 0


def test_flat_series_uses_the_floor_instead_of_dividing_by_zero() -> None:
    t = np.arange(100) * STEP
    v = np.zeros(100)
    v[80] = 1e-12  # below the default absolute floor's reach
    v[90] = 1.0
    scores = StreamingDetector().score_series(t, v)
    assert np.isfinite(scores).all()
    assert scores[80] < 0.5
    assert scores[90] >= 0.5


def test_bad_timestamps_are_refused() -> None:
    detector = StreamingDetector()
    detector.update(10.0, 1.0)
    with pytest.raises(ValueError, match="not after"):
        detector.update(10.0, 1.0)
    with pytest.raises(ValueError, match="finite"):
        detector.update(math.nan, 1.0)
    with pytest.raises(ValueError, match="index 2"):
        StreamingDetector().score_series([1.0, 2.0, 2.0], [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="2 timestamps but 3 values"):
        StreamingDetector().score_series([1.0, 2.0], [1.0, 1.0, 1.0])


def test_empty_series_scores_nothing() -> None:
    result = StreamingDetector().analyse([], [])
    assert len(result.scores) == 0
    assert result.resets == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"window": 2},
        {"min_history": 100, "window": 50},
        {"shift_points": 30, "min_history": 20},
        {"point_z": 0},
        {"gap_factor": 1.0},
        {"absolute_floor": 0.0},
    ],
)
def test_bad_config_is_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"must|cannot"):
        DetectorConfig(**kwargs)  # type: ignore[arg-type]
