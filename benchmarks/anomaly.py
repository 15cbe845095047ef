"""Benchmark: anomaly scoring, points per second.

``score_series`` over one long series (the offline path: ``agentwatch anomaly score``, and
each ``score_latest`` query), and ``update`` one point at a time (the streaming path). The
peer for the batch path is the textbook pandas rolling z-score (rolling mean and standard
deviation of the previous points): a simpler, non-robust method, so the ratio says what the
robust baseline costs, not who is better.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from agentwatch.analytics.anomaly import DetectorConfig, StreamingDetector

from ._results import INFORMATIONAL, Peer, Result
from ._timing import Stats, interleave, timed

__all__ = ["run"]

SERIES_POINTS = 1_000_000
STREAM_POINTS = 50_000
ROUNDS = 3
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


def _batch() -> Result:
    times, values = _series(SERIES_POINTS)
    window = DetectorConfig().window
    detector = StreamingDetector()
    measured = interleave(
        {
            OURS: timed(lambda: detector.score_series(times, values)),
            PANDAS: timed(lambda: _pandas_scores(values, window)),
        },
        rounds=ROUNDS,
    )
    scores = detector.score_series(times, values)
    flagged = int((scores >= 0.5).sum())
    return Result(
        f"anomaly scoring, score_series on {SERIES_POINTS:,} points",
        _throughput(measured[OURS]["wall"], SERIES_POINTS),
        "points/s",
        INFORMATIONAL,
        f"window {window}; {flagged} points flagged; ratio > 1 = faster than the peer, "
        "which is a non-robust rolling mean/std z-score",
        Peer(PANDAS, _throughput(measured[PANDAS]["wall"], SERIES_POINTS)),
    )


def _stream() -> Result:
    times, values = _series(STREAM_POINTS)

    def feed() -> None:
        detector = StreamingDetector()
        update = detector.update
        for t, v in zip(times.tolist(), values.tolist(), strict=True):
            update(t, v)

    measured = interleave({OURS: timed(feed)}, rounds=ROUNDS)
    return Result(
        f"anomaly scoring, update() point by point ({STREAM_POINTS:,} points)",
        _throughput(measured[OURS]["wall"], STREAM_POINTS),
        "points/s",
        INFORMATIONAL,
        "one detector fed a point at a time, as a live scorer would; same scores as score_series",
    )


def run() -> list[Result]:
    return [_batch(), _stream()]


if __name__ == "__main__":  # python -m benchmarks.anomaly, without touching results.json
    from rich.console import Console

    from ._results import render_table

    Console(width=180).print(render_table(run()))
