"""Which component saturates first, and when.

Severity of a component = its peak over the next day (measured now or forecast) divided by
the level at which it saturates: 0 is idle, 1 reaches saturation within the day, above 1
goes beyond it. ``saturation_in`` says when: seconds until the forecast first reaches the
level (0 = already there), None if not within the forecast's reach (at most a week).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from ._outlook import Outlook
from ._queueing import HORIZON, TypeLoad

__all__ = ["AGENT_PREFIX", "Bottlenecks", "predict_bottlenecks"]

# Components named after an agent type: "agent:<type>"; they saturate at ρ = 1.
AGENT_PREFIX: Final = "agent:"
WEEK: Final = 7 * 86_400.0


@dataclass(frozen=True, slots=True)
class Bottlenecks:
    severity: dict[str, float]
    saturation_in: dict[str, float | None]

    def first(self) -> tuple[str, float] | None:
        """The component that saturates soonest, with the seconds until it does."""
        timed = [(s, c) for c, s in self.saturation_in.items() if s is not None]
        if not timed:
            return None
        seconds, component = min(timed)
        return component, seconds


def predict_bottlenecks(
    outlooks: Mapping[str, Outlook],
    saturation: Mapping[str, float],
    loads: Mapping[str, TypeLoad],
    growth: Outlook | None,
) -> Bottlenecks:
    """``outlooks`` per resource with its ``saturation`` level; each agent type's ρ follows
    ``growth`` (fleet load relative to now; None = no forecast, current ρ only)."""
    severity: dict[str, float] = {}
    when: dict[str, float | None] = {}
    for name, view in outlooks.items():
        level = saturation.get(name)
        if level is None or level <= 0:
            continue
        severity[name] = view.peak(HORIZON) / level
        when[name] = view.crossing(level, WEEK)
    for agent_type, load in loads.items():
        component = f"{AGENT_PREFIX}{agent_type}"
        rho = load.utilisation
        if growth is None:
            severity[component] = rho
            when[component] = 0.0 if rho >= 1 else None
            continue
        view = growth.scaled(rho)
        severity[component] = view.peak(HORIZON)
        when[component] = view.crossing(1.0, WEEK)
    return Bottlenecks(severity, when)
