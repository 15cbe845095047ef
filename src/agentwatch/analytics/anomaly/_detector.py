"""A streaming anomaly detector: each point is scored from the points before it, never after.

Method: a Hampel identifier (Hampel 1974; Pearson 2002) on a trailing window, plus a
rolling-median level-shift test.

- Baseline: the last ``window`` finite values before the point. Its median is the expected
  level and 1.4826 x its median absolute deviation (MAD) the spread; both ignore up to half
  the window being anomalous, so an anomaly does not teach the baseline to accept it.
- Point deviation: ``z = (x - median) / spread`` (robust z-score).
- Level shift: the same, with ``x`` replaced by the median of the last ``shift_points``
  values (this one included), which reacts to a sustained moderate shift that no single
  point makes large.
- Score: ``max(h(|z| / point_z), h(|shift| / shift_z))`` with ``h(r) = r^4 / (1 + r^4)``:
  0 at no deviation, exactly 0.5 at ``|z| = point_z`` (or a shift of ``shift_z``), 0.94 at
  twice that; steep enough that ordinary noise stays near 0, smooth enough to rank.

Edge cases, all documented in docs/analytics/anomaly.md: the first ``min_history`` points
after a start or a reset score 0 (warm-up); a value that is NaN or infinite is not scored
(NaN) and leaves the state untouched; a gap longer than ``gap_factor`` times the shortest
interval seen since the last reset resets the detector (the old level no longer says much).
Timestamps must increase strictly.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike, NDArray

from ._config import DetectorConfig

__all__ = ["WARMUP_SCORE", "DetectorConfig", "SeriesScores", "StreamingDetector"]

WARMUP_SCORE = 0.0
# MAD of a normal distribution times this is its standard deviation.
_MAD_TO_SIGMA = 1.4826
# Rows of the trailing-window matrix handled at once by score_series (memory, not speed).
_CHUNK = 32_768


def _median(rows: NDArray[np.float64]) -> NDArray[np.float64]:
    """Median of each row. Sorting is several times faster than ``np.median(axis=1)`` here,
    and both paths use this one function, so they agree to the last bit."""
    ordered = np.sort(rows, axis=1)
    half = rows.shape[1] // 2
    if rows.shape[1] % 2:
        return ordered[:, half]
    middle: NDArray[np.float64] = (ordered[:, half - 1] + ordered[:, half]) * 0.5
    return middle


def _squash(deviation: NDArray[np.float64], at_half: float) -> NDArray[np.float64]:
    """h(|d| / at_half) with h(r) = r^4 / (1 + r^4), written to stay exact at 0 and inf."""
    with np.errstate(divide="ignore", over="ignore"):
        ratio = (at_half / np.abs(deviation)) ** 4
    return 1.0 / (1.0 + ratio)


def _scores(
    config: DetectorConfig,
    baseline: NDArray[np.float64],
    recent_median: NDArray[np.float64],
    value: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Scores of ``value`` (n,) against ``baseline`` rows (n, w); the one formula both paths use."""
    center = _median(baseline)
    mad = _median(np.abs(baseline - center[:, None]))
    spread = np.maximum(
        np.maximum(_MAD_TO_SIGMA * mad, config.relative_floor * np.abs(center)),
        config.absolute_floor,
    )
    point = _squash((value - center) / spread, config.point_z)
    shift = _squash((recent_median - center) / spread, config.shift_z)
    return np.maximum(point, shift)


@dataclass(frozen=True, slots=True)
class SeriesScores:
    """A whole series scored: the scores and how each point was treated."""

    scores: NDArray[np.float64]  # 0..1; NaN where the value was not a finite number
    warmup: NDArray[np.bool_]  # scored 0 because the history was still too short
    resets: int  # gaps that restarted the detector

    @property
    def not_scored(self) -> int:
        return int(np.isnan(self.scores).sum())


class StreamingDetector:
    """Scores one series point by point (``update``) or all at once (``score_series``).

    Both give the same scores; ``score_series`` is a pure function that does not touch the
    state ``update`` keeps.
    """

    def __init__(self, config: DetectorConfig | None = None) -> None:
        self.config = config or DetectorConfig()
        self._history: deque[float] = deque(maxlen=self.config.window)
        self._last_time = -math.inf  # of any point, finite or not: ordering
        self._last_scored: float | None = None  # of the last finite point: gaps
        self._interval = math.inf  # shortest interval since the last reset
        self.resets = 0

    @property
    def warming_up(self) -> bool:
        return len(self._history) < self.config.min_history

    def update(self, timestamp: float, value: float) -> float:
        """The score (0..1) of ``value`` at ``timestamp``; NaN for a value that is not finite.

        ValueError if ``timestamp`` is not finite or not after the previous one.
        """
        if not math.isfinite(timestamp):
            raise ValueError(f"timestamp {timestamp!r} is not a finite number")
        if timestamp <= self._last_time:
            raise ValueError(
                f"timestamp {timestamp!r} is not after the previous one ({self._last_time!r})"
            )
        self._last_time = timestamp
        if not math.isfinite(value):
            return math.nan
        self._check_gap(timestamp)
        history = self._history
        if len(history) < self.config.min_history:
            score = WARMUP_SCORE
        else:
            baseline = np.asarray(history, dtype=np.float64)
            m = self.config.shift_points
            recent = _median(np.append(baseline[len(baseline) - (m - 1) :], value)[None, :])
            score = float(_scores(self.config, baseline[None, :], recent, np.array([value]))[0])
        history.append(value)
        return score

    def _check_gap(self, timestamp: float) -> None:
        if self._last_scored is not None:
            interval = timestamp - self._last_scored
            if interval > self.config.gap_factor * self._interval:
                self._history.clear()
                self._interval = math.inf
                self.resets += 1
            else:
                self._interval = min(self._interval, interval)
        self._last_scored = timestamp

    def score_series(self, timestamps: ArrayLike, values: ArrayLike) -> NDArray[np.float64]:
        """The scores ``update`` would give to each point of a fresh detector, vectorised.

        ValueError if the arrays differ in length or the timestamps are not finite and
        strictly increasing.
        """
        return self.analyse(timestamps, values).scores

    def analyse(self, timestamps: ArrayLike, values: ArrayLike) -> SeriesScores:
        """``score_series`` with which points were warm-up and how many gaps reset it."""
        times = np.asarray(timestamps, dtype=np.float64).ravel()
        data = np.asarray(values, dtype=np.float64).ravel()
        if times.shape != data.shape:
            raise ValueError(f"{len(times)} timestamps but {len(data)} values")
        _check_times(times)
        scores = np.full(len(data), np.nan)
        warmup = np.zeros(len(data), dtype=bool)
        finite = np.flatnonzero(np.isfinite(data))
        segments = _segments(times[finite], self.config.gap_factor)
        for segment in segments:
            rows = finite[segment]
            scores[rows] = self._score_segment(data[rows])
            warmup[rows[: self.config.min_history]] = True
        return SeriesScores(scores, warmup, max(0, len(segments) - 1))

    def _score_segment(self, data: NDArray[np.float64]) -> NDArray[np.float64]:
        """Scores of the finite values of one stretch without a reset."""
        config = self.config
        n, w, m = len(data), config.window, config.shift_points
        scores = np.full(n, WARMUP_SCORE)
        # Points whose baseline is still shorter than the window, one at a time.
        for k in range(config.min_history, min(w, n)):
            recent = _median(data[None, k - m + 1 : k + 1])
            scores[k] = _scores(config, data[None, :k], recent, data[k : k + 1])[0]
        if n <= w:
            return scores
        # Point k (k >= w) has baseline data[k-w:k]: row k-w of the sliding windows.
        baselines = sliding_window_view(data, w)
        recent_medians = _median(sliding_window_view(data, m))  # row j: data[j:j+m]
        for first in range(w, n, _CHUNK):
            last = min(n, first + _CHUNK)
            scores[first:last] = _scores(
                config,
                baselines[first - w : last - w],
                recent_medians[first - m + 1 : last - m + 1],
                data[first:last],
            )
        return scores


def _check_times(times: NDArray[np.float64]) -> None:
    bad = np.flatnonzero(~np.isfinite(times))
    if len(bad):
        raise ValueError(f"timestamp at index {bad[0]} is not a finite number: {times[bad[0]]!r}")
    back = np.flatnonzero(np.diff(times) <= 0)
    if len(back):
        i = int(back[0]) + 1
        raise ValueError(
            f"timestamps must increase: index {i} ({times[i]!r}) is not after "
            f"index {i - 1} ({times[i - 1]!r})"
        )


def _segments(times: NDArray[np.float64], gap_factor: float) -> list[slice]:
    """Stretches between resets, by the same rule as ``StreamingDetector._check_gap``.

    Vectorised over blocks of intervals that grow while no gap turns up, so a long regular
    series costs a few array operations and a gappy one stays linear.
    """
    n = len(times)
    intervals = np.diff(times)  # intervals[i - 1] ends at point i
    cuts = [0]
    shortest = math.inf
    i, block = 1, 64
    while i < n:
        end = min(n, i + block)
        chunk = intervals[i - 1 : end - 1]
        before = np.minimum.accumulate(np.concatenate(([shortest], chunk[:-1])))
        gaps = np.flatnonzero(chunk > gap_factor * before)
        if len(gaps):
            cut = i + int(gaps[0])
            cuts.append(cut)
            shortest, i, block = math.inf, cut + 1, 64
        else:
            shortest = min(shortest, float(chunk.min()))
            i, block = end, block * 2
    cuts.append(n)
    return [slice(a, b) for a, b in itertools.pairwise(cuts)]
