"""Prometheus' ``predict_linear`` in numpy, the baseline the forecasts are measured against.

Prometheus fits a least-squares line to the samples in the range, with time measured in
seconds from the evaluation time (the intercept is the fitted value *at* the evaluation time),
and returns ``intercept + slope * seconds_ahead``. A single distinct timestamp has no slope:
Prometheus then returns the first sample's value (slope 0). This mirrors ``linearRegression``
in promql/functions.go; Prometheus sums with Kahan compensation, numpy's pairwise summation
agrees with it to floating-point noise for the series sizes used here.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["predict_linear", "predict_linear_path"]


def predict_linear(
    timestamps: NDArray[np.float64],
    values: NDArray[np.float64],
    at: float,
    seconds_ahead: float,
) -> float:
    """``predict_linear(v[range], seconds_ahead)`` evaluated at ``at``, where ``timestamps``
    and ``values`` are the samples the range selector returns."""
    if len(values) == 0:
        return float("nan")
    slope, intercept = _line(np.asarray(timestamps, dtype=np.float64) - at, values)
    return intercept + slope * seconds_ahead


def _line(x: NDArray[np.float64], values: NDArray[np.float64]) -> tuple[float, float]:
    """(slope, intercept at x = 0) of the least-squares line through (x, values)."""
    y = np.asarray(values, dtype=np.float64)
    if np.all(x == x[0]):
        return 0.0, float(y[0])
    x_mean = x.mean()
    y_mean = y.mean()
    slope = float(((x - x_mean) * (y - y_mean)).sum() / ((x - x_mean) ** 2).sum())
    return slope, float(y_mean - slope * x_mean)


def predict_linear_path(
    values: NDArray[np.float64], step: float, window_steps: int, horizon_steps: int
) -> NDArray[np.float64]:
    """predict_linear over the last ``window_steps`` values of a regular series, evaluated at
    the last value, for 1..``horizon_steps`` steps ahead (one query per horizon)."""
    tail = values[-window_steps:]
    # Time from the evaluation time (the last sample): -(n-1)*step .. 0.
    x = step * (np.arange(len(tail), dtype=np.float64) - (len(tail) - 1))
    slope, intercept = _line(x, tail)
    return intercept + slope * step * np.arange(1, horizon_steps + 1, dtype=np.float64)
