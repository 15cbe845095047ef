"""The SLO view: per SLO of the spec, the error budget left over its period and the burn
rates over the windows its multiwindow alerts compare (Sloth's recorded series)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from agentwatch.clients.prometheus import RangeSeries
from agentwatch.generate.slo import BURN_WINDOWS, error_budget, sloth_labels
from agentwatch.spec import Spec

from . import _queries as q
from ._source import Querier

__all__ = ["BURN_COLUMNS", "Burn", "SloRow", "SloView", "read_slos"]

#: History of the budget drawn beside each SLO.
HISTORY_SECONDS = 24 * 3600
HISTORY_STEP = 600.0


@dataclass(frozen=True, slots=True)
class BurnColumn:
    label: str
    query: str
    # The burn rate at which the SLO's alert fires over this (long) window; None: no alert.
    alert_factor: float | None


def _columns() -> tuple[BurnColumn, ...]:
    factors = {w.long: w.factor for pair in BURN_WINDOWS.values() for w in pair}
    return (
        BurnColumn("5m", q.CURRENT_BURN, None),
        *(BurnColumn(window, q.burn_rate(window), factor) for window, factor in factors.items()),
    )


BURN_COLUMNS: tuple[BurnColumn, ...] = _columns()


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
    remaining = _by_id(api, q.BUDGET_REMAINING)
    period = _by_id(api, q.PERIOD_BURN)
    burns = {column.label: _by_id(api, column.query) for column in BURN_COLUMNS}
    history = {
        series.labels.get("sloth_id", ""): series
        for series in api.query_range(
            q.BUDGET_REMAINING, start=now - HISTORY_SECONDS, end=now, step=HISTORY_STEP
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
