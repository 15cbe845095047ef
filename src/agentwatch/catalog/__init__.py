"""The metric catalog: every metric family agentwatch emits, records or plans, described once.

SDK, exporters, rules, dashboards and analytics take names from here
(``catalog.AGENT_STATUS.name``),
never from string literals of their own.
"""

from ._cardinality import *  # noqa: F403
from ._exemplars import *  # noqa: F403
from ._families import *  # noqa: F403
from ._families import CATALOG
from ._framework import *  # noqa: F403
from ._home import *  # noqa: F403
from ._model import MetricFamily, MetricType, Origin
from ._otlp import *  # noqa: F403
from ._security import *  # noqa: F403

__all__ = ["CATALOG", "MetricFamily", "MetricType", "Origin", "by_name", "produced_by"]

_BY_NAME = {family.name: family for family in CATALOG}


def by_name(name: str) -> MetricFamily:
    """The family called ``name``; KeyError names the unknown metric."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"{name!r} is not in the agentwatch metric catalog") from None


def produced_by(origin: Origin, *, include_planned: bool = False) -> tuple[MetricFamily, ...]:
    return tuple(f for f in CATALOG if f.origin is origin and (include_planned or f.implemented))
