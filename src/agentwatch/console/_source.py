"""What the views read from: Prometheus' query API (PrometheusAPI, or a stand-in in tests)."""

from __future__ import annotations

from typing import Protocol

from agentwatch.clients.prometheus import RangeSeries, Sample

__all__ = ["Querier"]


class Querier(Protocol):
    url: str

    def query(self, promql: str, *, at: float | None = None) -> list[Sample]: ...

    def query_range(
        self, promql: str, *, start: float, end: float, step: float
    ) -> list[RangeSeries]: ...
