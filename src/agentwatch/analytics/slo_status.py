"""Each SLO's state as Prometheus records it (Sloth's series, which generate/slo writes): the
error budget left over its period and the burn rates over the windows its multiwindow alerts
compare. `agentwatch slo report` reads one SLO at a time (``read_status``); the console's SLO
view reads every SLO in one query per series, with the budget's history (``read_slos``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from agentwatch.catalog import recorded as rec
from agentwatch.clients.prometheus import RangeSeries, Sample
from agentwatch.generate.slo import BURN_WINDOWS, error_budget, sloth_labels
from agentwatch.spec import Slo, Spec, duration_seconds

__all__ = [
    "BURN_COLUMNS",
    "BURN_RATE_WINDOWS",
    "Burn",
    "BurnColumn",
    "SloRow",
    "SloStatus",
    "SloView",
    "burn_rate",
    "read_slos",
    "read_status",
]

#: The burn rate at which an SLO's alert fires, by the alert's long window (SRE workbook).
ALERT_FACTORS: dict[str, float] = {
    window.long: window.factor for pair in BURN_WINDOWS.values() for window in pair
}
#: The long windows of the burn-rate alerts, shown next to the 5m burn rate.
BURN_RATE_WINDOWS: tuple[str, ...] = tuple(ALERT_FACTORS)

#: History of the budget drawn beside each SLO in the console.
HISTORY_SECONDS = 24 * 3600
HISTORY_STEP = 600.0


def burn_rate(window: str, selector: str = "") -> str:
    """The burn rate over ``window``: the SLI error ratio over the error budget, of the SLOs
    that ``selector`` (label matchers in braces) picks, or of every SLO."""
    return (
        f"{rec.slo_error_ratio(window)}{selector}\n"
        "/ on (sloth_id, sloth_slo, sloth_service) group_left\n"
        f"{rec.SLO_ERROR_BUDGET}{selector}"
    )


def _selector(slo: Slo) -> str:
    # The labels the generated rules write on every SLO series.
    return f'{{sloth_id="{sloth_labels(slo)["sloth_id"]}", sloth_slo="{slo.name}"}}'


# --- one SLO at a time (agentwatch slo report) ---------------------------------------------


class ValueQuerier(Protocol):
    def value(self, promql: str) -> float | None: ...


@dataclass(frozen=True, slots=True)
class SloStatus:
    """What Prometheus holds for one SLO; None where it has no series (yet)."""

    slo: Slo
    error_ratio: float | None
    budget_remaining: float | None
    current_burn_rate: float | None
    burn_rates: dict[str, float | None]

    @property
    def budget_minutes(self) -> float:
        """The whole error budget of the period, in minutes."""
        return error_budget(self.slo) * duration_seconds(self.slo.period) / 60


def read_status(api: ValueQuerier, slo: Slo) -> SloStatus:
    selector = _selector(slo)
    return SloStatus(
        slo=slo,
        error_ratio=api.value(rec.slo_error_ratio(slo.period) + selector),
        budget_remaining=api.value(rec.SLO_BUDGET_REMAINING + selector),
        current_burn_rate=api.value(rec.SLO_CURRENT_BURN_RATE + selector),
        burn_rates={window: api.value(burn_rate(window, selector)) for window in BURN_RATE_WINDOWS},
    )


# --- every SLO at once, with history (the console) -----------------------------------------


class Querier(Protocol):
    def query(self, promql: str, *, at: float | None = None) -> list[Sample]: ...

    def query_range(
        self, promql: str, *, start: float, end: float, step: float
    ) -> list[RangeSeries]: ...


@dataclass(frozen=True, slots=True)
class BurnColumn:
    label: str
    query: str
    # The burn rate at which the SLO's alert fires over this (long) window; None: no alert.
    alert_factor: float | None


BURN_COLUMNS: tuple[BurnColumn, ...] = (
    BurnColumn("5m", rec.SLO_CURRENT_BURN_RATE, None),
    *(BurnColumn(window, burn_rate(window), factor) for window, factor in ALERT_FACTORS.items()),
)


@dataclass(frozen=True, slots=True)
class Burn:
    window: str
    value: float  # NaN: nothing recorded yet
    alert_factor: float | None

    @property
    def over_alert(self) -> bool:
        return self.alert_factor is not None and self.value > self.alert_factor


@dataclass(frozen=True, slots=True)
class SloRow:
    name: str
    sloth_id: str
    description: str
    objective: float  # percent
    period: str
    error_budget: float  # 1 - objective, as a ratio
    budget_remaining: float  # share of the period's budget left (negative: overspent)
    period_burn: float
    burns: tuple[Burn, ...]
    history: RangeSeries | None  # budget remaining over the last day


@dataclass(frozen=True, slots=True)
class SloView:
    rows: tuple[SloRow, ...]


def _by_id(api: Querier, promql: str) -> dict[str, float]:
    return {s.labels.get("sloth_id", ""): s.value for s in api.query(promql)}


def read_slos(api: Querier, spec: Spec, *, now: float) -> SloView:
    remaining = _by_id(api, rec.SLO_BUDGET_REMAINING)
    period = _by_id(api, rec.SLO_PERIOD_BURN_RATE)
    burns = {column.label: _by_id(api, column.query) for column in BURN_COLUMNS}
    history = {
        series.labels.get("sloth_id", ""): series
        for series in api.query_range(
            rec.SLO_BUDGET_REMAINING, start=now - HISTORY_SECONDS, end=now, step=HISTORY_STEP
        )
    }
    rows = []
    for slo in spec.slos:
        sloth_id = sloth_labels(slo)["sloth_id"]
        rows.append(
            SloRow(
                name=slo.name,
                sloth_id=sloth_id,
                description=slo.description,
                objective=slo.objective,
                period=slo.period,
                error_budget=error_budget(slo),
                budget_remaining=remaining.get(sloth_id, math.nan),
                period_burn=period.get(sloth_id, math.nan),
                burns=tuple(
                    Burn(c.label, burns[c.label].get(sloth_id, math.nan), c.alert_factor)
                    for c in BURN_COLUMNS
                ),
                history=history.get(sloth_id),
            )
        )
    return SloView(tuple(rows))
