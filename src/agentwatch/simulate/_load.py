"""The external request rate over simulated time: a daily wave and a weekend dip."""

from __future__ import annotations

import math
from dataclasses import dataclass

from agentwatch.spec import Simulation

__all__ = ["LoadPattern"]

DAY = 86_400.0
WEEK = 7 * DAY
# The daily peak is at 14:00 UTC, the trough at 02:00 UTC.
PEAK_HOUR_UTC = 14.0
# The Unix epoch fell on a Thursday; Saturday starts two days later.
_SATURDAY_OFFSET = 2 * DAY


@dataclass(frozen=True, slots=True)
class LoadPattern:
    """Requests per second entering the system at a simulated Unix time."""

    mean_rate: float
    daily_amplitude: float
    weekly_dip: float

    @classmethod
    def from_spec(cls, simulation: Simulation) -> LoadPattern:
        return cls(simulation.request_rate, simulation.daily_amplitude, simulation.weekly_dip)

    def daily_factor(self, t: float) -> float:
        phase = 2.0 * math.pi * ((t % DAY) / 3600.0 - (PEAK_HOUR_UTC - 6.0)) / 24.0
        return 1.0 + self.daily_amplitude * math.sin(phase)

    def weekly_factor(self, t: float) -> float:
        weekend = (t - _SATURDAY_OFFSET) % WEEK < 2 * DAY
        return 1.0 - self.weekly_dip if weekend else 1.0

    def rate(self, t: float) -> float:
        return self.mean_rate * self.daily_factor(t) * self.weekly_factor(t)

    def expected(self, t0: float, t1: float) -> float:
        """Requests expected in [t0, t1): the rate at the midpoint times the length.

        Steps are at most seconds long and the pattern changes over hours, so the midpoint
        rule is exact to well under one request.
        """
        return self.rate(0.5 * (t0 + t1)) * (t1 - t0)
