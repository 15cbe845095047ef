"""The cardinality guard: a family keeps at most so many label sets, whatever it is fed.

A flood of unique agent ids or label values (a request id used as an agent id, an error
message used as an error type) would otherwise grow the monitor's memory and every scrape
without bound. Beyond its limit (the spec's ``cardinality:`` section), a new label set is
folded into one series whose label values are ``__overflow__``: nothing recorded is lost,
series that exist keep counting as before, and each fold is counted in
agentwatch_cardinality_overflow_total{family}.

The limit is asked only when a label set is about to be created, never by a recording that
finds its series: a pre-bound recorder's ``observe`` is untouched. A folded label set is not
remembered (remembering it would be the unbounded growth again), so every call that names
one is a fold: a lookup (``AgentFleet.agent``, ``bind``) or a recording (``record_error``,
``record_batch``...) that asked for a new label set and got the overflow series instead.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import TypeVar

from prometheus_client.core import CounterMetricFamily

from agentwatch import catalog as c
from agentwatch.catalog import OVERFLOW, MetricFamily
from agentwatch.catalog.prometheus import counter

__all__ = ["OVERFLOW", "SeriesLimit", "overflow_family"]


_log = logging.getLogger(__name__)

K = TypeVar("K")


class SeriesLimit:
    """Room for ``limit`` label sets shared by ``families``; requests beyond it are folded.

    ``setting`` is the spec field that sets the limit, for the warning. Thread-safe; its
    lock is taken only on creations and folds, and nothing else is locked while it is held,
    so the owner may ask while holding its own lock.
    """

    __slots__ = ("_lock", "_warned", "families", "folded", "limit", "setting", "used")

    def __init__(self, limit: int, families: tuple[MetricFamily, ...], setting: str) -> None:
        if limit < 1:
            raise ValueError(f"cardinality.{setting} must be at least 1, got {limit}")
        self.limit = limit
        self.families = families
        self.setting = setting
        self.used = 0
        self.folded = 0
        self._warned = False
        self._lock = threading.Lock()

    def admit(self) -> bool:
        """Take room for one new label set: False (and a fold counted) when there is none."""
        with self._lock:
            if self.used < self.limit:
                self.used += 1
                return True
            self.folded += 1
            first = not self._warned
            self._warned = True
        if first:
            # Once per limit: a flood would otherwise log as fast as it records.
            _log.warning(
                "%s reached %d label sets (cardinality.%s): new label values are folded "
                "into %s from now on, and counted in %s (docs/cardinality.md)",
                ", ".join(f.name for f in self.families),
                self.limit,
                self.setting,
                OVERFLOW,
                c.AGENTWATCH_CARDINALITY_OVERFLOW_TOTAL.name,
            )
        return False

    def place(self, key: K, folded: K) -> K:
        """The key a label set missing from its table gets: its own while there is room,
        else ``folded``. A caller naming the folded key itself takes no room."""
        if key == folded or self.admit():
            return key
        return folded

    def release(self, count: int = 1) -> None:
        """Label sets forgotten for good (an agent removed) make room again."""
        with self._lock:
            self.used = max(0, self.used - count)


def overflow_family(limits: Iterable[SeriesLimit]) -> CounterMetricFamily:
    """agentwatch_cardinality_overflow_total with one series per family the limits guard,
    from 0, so ``increase()`` sees the first fold. A family guarded by several limits (the
    per-agent families by both the agent and the agent type limit) counts the folds of all."""
    folded: dict[str, int] = {}
    for limit in limits:
        count = limit.folded  # one int read: atomic, no lock needed for a scrape
        for family in limit.families:
            folded[family.name] = folded.get(family.name, 0) + count
    metric = counter(c.AGENTWATCH_CARDINALITY_OVERFLOW_TOTAL)
    for name, count in folded.items():
        metric.add_metric([name], count)
    return metric
