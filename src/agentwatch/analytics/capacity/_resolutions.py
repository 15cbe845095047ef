"""The resolutions the capacity forecasts run at, and how much history each horizon needs.

No numpy or statsforecast here: the console reads ``FIRST_FORECAST_HISTORY`` to say when the
first forecast will come, without loading the forecasting stack.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "COARSE",
    "DAY",
    "FINE",
    "FIRST_FORECAST_HISTORY",
    "HOUR",
    "MIN_TRAIN_STEPS",
    "N_WINDOWS",
    "RESOLUTIONS",
    "WEEK",
    "Resolution",
    "history_needed",
]

HOUR = 3600.0
DAY = 24 * HOUR
WEEK = 7 * DAY
# Backtest origins per series, each half a backtest horizon after the previous one.
N_WINDOWS = 3
# A model is never fitted on fewer points than this.
MIN_TRAIN_STEPS = 24


@dataclass(frozen=True, slots=True)
class Resolution:
    """A step, how far back to look at that step, its horizons and its backtest horizon."""

    name: str
    step: float
    lookback: float
    horizons: tuple[tuple[str, float], ...]
    backtest_horizon: float


FINE = Resolution("5m", 300.0, 3 * DAY, (("1h", HOUR), ("6h", 6 * HOUR)), 6 * HOUR)
# The 1w forecast is chosen by a 1d backtest: a 1w hold-out needs three weeks of history.
COARSE = Resolution("1h", HOUR, 35 * DAY, (("1d", DAY), ("1w", WEEK)), DAY)
RESOLUTIONS = (FINE, COARSE)


def history_needed(resolution: Resolution, horizon: float) -> float:
    """Seconds of history a ``horizon`` forecast at ``resolution`` needs: twice the horizon,
    and enough points to fit MIN_TRAIN_STEPS before the first of N_WINDOWS backtest origins."""
    backtest = max(1, round(min(resolution.backtest_horizon, horizon) / resolution.step))
    stride = max(1, backtest // 2)
    points = MIN_TRAIN_STEPS + backtest + (N_WINDOWS - 1) * stride
    return max(2 * horizon, points * resolution.step)


#: History the first forecast (the nearest horizon) needs: about 4 h.
FIRST_FORECAST_HISTORY = history_needed(FINE, FINE.horizons[0][1])
