"""Benchmark: anomaly scoring, points per second.

``score_series`` over one long series (the offline path: ``agentwatch anomaly score``, and
each ``score_latest`` query), and ``update`` one point at a time (the streaming path). The
peer for the batch path is the textbook pandas rolling z-score (rolling mean and standard
deviation of the previous points): a simpler, non-robust method, so the ratio says what the
robust baseline costs, not who is better.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from agentwatch.analytics.anomaly import DetectorConfig, StreamingDetector

from ._benchmark import Benchmark
from ._results import INFORMATIONAL, Peer, Result
from ._timing import Stats, interleave, timed

__all__ = ["BENCHMARK", "FULL", "SMOKE", "Size", "run"]


@dataclass(frozen=True, slots=True)
class Size:
    series_points: int
    stream_points: int
    rounds: int


FULL = Size(series_points=1_000_000, stream_points=50_000, rounds=3)
# Several windows' worth: the detector scores nothing until its window is full.
SMOKE = Size(series_points=20_000, stream_points=2_000, rounds=1)

OURS, PANDAS = "agentwatch", "pandas rolling z-score"


def _series(n: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    rng = np.random.default_rng(20261123)
    values = 1000.0 + 50.0 * np.sin(np.arange(n) / 500.0) + rng.normal(0.0, 10.0, n)
    values[rng.random(n) < 0.001] *= 3.0  # some spikes
    return np.arange(n, dtype=np.float64) * 15.0, values


def _pandas_scores(values: NDArray[np.float64], window: int) -> NDArray[np.float64]:
    series = pd.Series(values)
    # shift(1): the baseline holds the previous points only, as ours does.
    past = series.rolling(window, min_periods=window).agg(["mean", "std"]).shift(1)
    z = (series - past["mean"]) / past["std"]
    return np.asarray(z.to_numpy(dtype=np.float64))


def _throughput(stats: Stats, points: int) -> Stats:
    """Seconds per repetition -> points per second (the fastest run is the high figure)."""
    return Stats(points / stats.median, points / stats.high, points / stats.low, stats.runs)


def _batch(size: Size) -> Result:
    points = size.series_points
    times, values = _series(points)
    window = DetectorConfig().window
    detector = StreamingDetector()
    measured = interleave(
        {
            OURS: timed(lambda: detector.score_series(times, values)),
            PANDAS: timed(lambda: _pandas_scores(values, window)),
        },
        rounds=size.rounds,
    )
    scores = detector.score_series(times, values)
    flagged = int((scores >= 0.5).sum())
    return Result(
        f"anomaly scoring, score_series on {points:,} points",
        _throughput(measured[OURS]["wall"], points),
        "points/s",
        INFORMATIONAL,
        f"window {window}; {flagged} points flagged; ratio > 1 = faster than the peer, "
        "which is a non-robust rolling mean/std z-score",
        Peer(PANDAS, _throughput(measured[PANDAS]["wall"], points)),
    )


def _stream(size: Size) -> Result:
    points = size.stream_points
    times, values = _series(points)

    def feed() -> None:
        detector = StreamingDetector()
        update = detector.update
        for t, v in zip(times.tolist(), values.tolist(), strict=True):
            update(t, v)

    measured = interleave({OURS: timed(feed)}, rounds=size.rounds)
    _assert_same_scores(times, values)
    return Result(
        f"anomaly scoring, update() point by point ({points:,} points)",
        _throughput(measured[OURS]["wall"], points),
        "points/s",
        INFORMATIONAL,
        "one detector fed a point at a time, as a live scorer would; its scores equal "
        "score_series' (checked, untimed)",
    )


def _assert_same_scores(times: NDArray[np.float64], values: NDArray[np.float64]) -> None:
    """Correctness, untimed: point by point gives the scores score_series gives at once."""
    detector = StreamingDetector()
    fed = [detector.update(t, v) for t, v in zip(times.tolist(), values.tolist(), strict=True)]
    at_once = StreamingDetector().score_series(times, values)
    assert np.allclose(fed, at_once, equal_nan=True), "update() and score_series() disagree"


def run(size: Size = FULL) -> list[Result]:
    return [_batch(size), _stream(size)]


BENCHMARK = Benchmark(run, FULL, SMOKE)
