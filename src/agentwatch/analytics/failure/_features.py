"""Windowed features of each agent's signals, from the past only.

At row t an agent's window is its rows in (t - WINDOW, t] since it last came up: a restart
wipes what a leak or a backlog had built, so the samples before it say nothing about the
process running now (whether it restarted recently is a feature of its own). Slopes are least
squares lines over the window, computed for every row at once from running sums.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ._signals import STEP_SECONDS, SignalFrame

__all__ = ["FEATURE_NAMES", "LONG_WINDOW_SECONDS", "SHORT_WINDOW_SECONDS", "window_features"]

LONG_WINDOW_SECONDS = 15 * 60.0
SHORT_WINDOW_SECONDS = 5 * 60.0
# Time-to-limit is capped here: beyond an hour, how far beyond does not matter.
TTL_CAP_MINUTES = 60.0

FEATURE_NAMES: tuple[str, ...] = (
    "memory_ratio",
    "memory_slope_5m",  # ratio per minute
    "memory_slope_15m",
    "memory_ttl_5m",  # minutes until the limit at the 5-minute slope
    "memory_ttl_15m",
    "memory_rise_15m",  # now minus the window's minimum
    "queue_depth_log",
    "queue_slope_5m",  # messages per minute
    "queue_slope_15m",
    "cpu_ratio",
    "cpu_mean_5m",
    "error_rate",
    "error_rate_mean_5m",
    "latency",
    "latency_vs_15m",  # latency now over its mean in the window
    "heartbeat_age",
    "uptime_minutes",  # in the window: capped at 15
    "restarted_recently",  # was down within the last 15 minutes
)


class _Windows:
    """Running sums for window statistics over rows [start, t] of each agent."""

    def __init__(self, frame: SignalFrame, seconds: float) -> None:
        rows, agents = frame.down.shape
        size = max(1, round(seconds / STEP_SECONDS))
        index = np.arange(rows)
        last_down = np.maximum.accumulate(np.where(frame.down, index[:, None], -1), axis=0)
        self.start = np.maximum((index - size + 1)[:, None], last_down + 1)  # may exceed t
        self.end = np.broadcast_to((index + 1)[:, None], (rows, agents))
        self.minutes = (frame.times - frame.times[0]) / 60.0
        self.up = ~frame.down & ~frame.missing

    def _sum(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        cumulative = np.concatenate([np.zeros((1, values.shape[1])), np.cumsum(values, axis=0)])
        start = np.minimum(self.start, self.end)
        result: NDArray[np.float64] = np.take_along_axis(
            cumulative, self.end, axis=0
        ) - np.take_along_axis(cumulative, start, axis=0)
        return result

    def stats(
        self, values: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """(count, mean, least-squares slope per minute) of each row's window; NaN when empty."""
        valid = self.up & ~np.isnan(values)
        y = np.where(valid, values, 0.0)
        x = np.where(valid, self.minutes[:, None], 0.0)
        n = self._sum(valid.astype(np.float64))
        sx, sy = self._sum(x), self._sum(y)
        sxx, sxy = self._sum(x * x), self._sum(x * y)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(n > 0, sy / n, np.nan)
            denominator = n * sxx - sx * sx
            slope = np.where(
                (n >= 2) & (denominator > 1e-12), (n * sxy - sx * sy) / denominator, np.nan
            )
        return n, mean, slope

    def minimum(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """Each row's window minimum (NaN when empty); windows are short, so a loop over lags."""
        rows = values.shape[0]
        result = np.full(values.shape, np.inf)
        masked = np.where(self.up & ~np.isnan(values), values, np.inf)
        index = np.arange(rows)[:, None]
        for lag in range(int((self.end - self.start).max(initial=0))):
            source = index - lag
            inside = source >= self.start
            shifted = np.full(values.shape, np.inf)
            shifted[lag:] = masked[: rows - lag]
            result = np.where(inside, np.minimum(result, shifted), result)
        return np.where(np.isinf(result), np.nan, result)


def _ttl(ratio: NDArray[np.float64], slope: NDArray[np.float64]) -> NDArray[np.float64]:
    """Minutes until the memory ratio reaches 1 on its current slope, capped."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ttl = np.where(slope > 0, (1.0 - ratio) / slope, TTL_CAP_MINUTES)
    ttl = np.clip(ttl, 0.0, TTL_CAP_MINUTES)
    return np.where(np.isnan(ratio), np.nan, np.where(np.isnan(slope), TTL_CAP_MINUTES, ttl))


def window_features(frame: SignalFrame) -> NDArray[np.float64]:
    """Features (times, agents, FEATURE_NAMES); row t depends on frame rows up to t only.

    Rows where the agent is down, or has no data, are NaN: they are not scored.
    """
    long = _Windows(frame, LONG_WINDOW_SECONDS)
    short = _Windows(frame, SHORT_WINDOW_SECONDS)
    memory = frame.memory_ratio
    _, _, memory_slope_5 = short.stats(memory)
    count_15, _, memory_slope_15 = long.stats(memory)
    _, _, queue_slope_5 = short.stats(frame.queue_depth)
    _, _, queue_slope_15 = long.stats(frame.queue_depth)
    _, cpu_mean_5, _ = short.stats(frame.cpu_ratio)
    _, error_mean_5, _ = short.stats(frame.error_rate)
    _, latency_mean_15, _ = long.stats(frame.latency)
    rows = frame.down.shape[0]
    long_rows = round(LONG_WINDOW_SECONDS / STEP_SECONDS)
    index = np.arange(rows)[:, None]
    last_down = np.maximum.accumulate(np.where(frame.down, index, -1), axis=0)
    restarted = ((last_down >= 0) & (index - last_down < long_rows)).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        latency_ratio = np.where(latency_mean_15 > 0, frame.latency / latency_mean_15, np.nan)
    columns = (
        memory,
        memory_slope_5,
        memory_slope_15,
        _ttl(memory, memory_slope_5),
        _ttl(memory, memory_slope_15),
        memory - long.minimum(memory),
        np.log1p(np.maximum(frame.queue_depth, 0.0)),
        queue_slope_5,
        queue_slope_15,
        frame.cpu_ratio,
        cpu_mean_5,
        frame.error_rate,
        error_mean_5,
        frame.latency,
        latency_ratio,
        frame.heartbeat_age,
        count_15 * STEP_SECONDS / 60.0,
        restarted,
    )
    features = np.stack(columns, axis=-1).astype(np.float64)
    features[frame.down | frame.missing] = np.nan
    return features
