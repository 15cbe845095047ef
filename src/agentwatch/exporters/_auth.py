"""agentwatch_auth_failures_total for one authenticated endpoint."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily

from agentwatch import catalog
from agentwatch.instrument._families import counter
from agentwatch.security import Authenticator, AuthFailure

__all__ = ["AuthFailuresCollector"]


class AuthFailuresCollector:
    """Every reason is served from zero, so rate() sees the first refusal."""

    def __init__(self, authenticator: Authenticator, component: str) -> None:
        self._authenticator = authenticator
        self._component = component

    def collect(self) -> Iterator[CounterMetricFamily]:
        counts = self._authenticator.failures()
        family = counter(catalog.AGENTWATCH_AUTH_FAILURES_TOTAL)
        for reason in AuthFailure:
            family.add_metric([self._component, reason.value], counts.get(reason, 0))
        yield family
