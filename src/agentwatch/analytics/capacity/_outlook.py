"""One resource's present and future on one time axis: the 5-minute forecast for the first
hours, the hourly one after it; and the questions asked of it (peak, first crossing)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._forecast import Forecast
from ._series import NoForecastError

__all__ = ["Outlook", "outlook"]


@dataclass(frozen=True, slots=True)
class Outlook:
    """``current`` is the latest measured value; ``ahead`` are seconds from ``now``."""

    current: float
    ahead: NDArray[np.float64]
    mean: NDArray[np.float64]

    def scaled(self, factor: float) -> Outlook:
        return Outlook(self.current * factor, self.ahead, self.mean * factor)

    def peak(self, within: float) -> float:
        """The highest of the current value and the forecast up to ``within`` seconds."""
        future = self.mean[self.ahead <= within]
        return float(max(self.current, future.max(initial=self.current)))

    def crossing(self, threshold: float, within: float) -> float | None:
        """Seconds until the value first reaches ``threshold`` (0: it already has), or None
        if the forecast stays below it for ``within`` seconds (or does not reach that far)."""
        if self.current >= threshold:
            return 0.0
        hits = np.flatnonzero((self.mean >= threshold) & (self.ahead <= within))
        return float(self.ahead[hits[0]]) if len(hits) else None

    @property
    def reach(self) -> float:
        """How far ahead the forecast goes, in seconds (0 without one)."""
        return float(self.ahead[-1]) if len(self.ahead) else 0.0


def outlook(
    fine: Forecast | NoForecastError | None,
    coarse: Forecast | NoForecastError | None,
    now: float,
) -> Outlook | None:
    """The fine forecast, then the coarse one beyond where the fine one ends; None when
    neither resolution had a forecast (the current value alone then comes from ``fine``'s
    history if it has one)."""
    forecasts = [f for f in (fine, coarse) if isinstance(f, Forecast)]
    if not forecasts:
        return None
    current = float(forecasts[0].history.values[-1])
    ahead: list[NDArray[np.float64]] = []
    mean: list[NDArray[np.float64]] = []
    covered = -np.inf
    for forecast in forecasts:
        seconds = forecast.timestamps - now
        keep = seconds > covered
        ahead.append(seconds[keep])
        mean.append(forecast.mean[keep])
        if keep.any():
            covered = float(seconds[keep][-1])
    return Outlook(current, np.concatenate(ahead), np.concatenate(mean))
