"""The business view: seed 000's development and business metrics, the recording rules of
agentwatch.generate.rules._business. A metric the spec does not record (an assumption under
``business:`` is unset) is said to be absent, never filled in."""

from __future__ import annotations

import math
from dataclasses import dataclass

from agentwatch import catalog
from agentwatch.catalog import MetricFamily, Origin
from agentwatch.catalog import recorded as rec
from agentwatch.generate.rules import business_rules
from agentwatch.spec import Spec

from ._source import Querier

__all__ = ["BUSINESS_FAMILIES", "BusinessRow", "BusinessView", "read_business"]

# Every recording-rule family of the catalog except seed 000's legacy names (which are
# operational: response time, memory, utilisation, error rate).
BUSINESS_FAMILIES: tuple[MetricFamily, ...] = tuple(
    f for f in catalog.CATALOG if f.origin is Origin.RECORDING_RULE and f.name not in rec.LEGACY
)


@dataclass(frozen=True, slots=True)
class BusinessRow:
    name: str
    unit: str
    help: str
    recorded: bool  # the spec's rules record it
    value: float  # NaN: recorded, but no data yet


@dataclass(frozen=True, slots=True)
class BusinessView:
    rows: tuple[BusinessRow, ...]
    window: str
    simulated_developers: int  # the demo's simulated Claude Code users (0: none)


def read_business(api: Querier, spec: Spec) -> BusinessView:
    recorded = {name for name, _ in business_rules(spec)}
    rows = []
    for family in BUSINESS_FAMILIES:
        value = math.nan
        if family.name in recorded:
            samples = api.query(family.name)
            value = samples[0].value if samples else math.nan
        rows.append(
            BusinessRow(family.name, family.unit, family.help, family.name in recorded, value)
        )
    return BusinessView(tuple(rows), spec.business.window, spec.simulation.developers)
