"""agentwatch_auth_failures_total for one authenticated endpoint."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from prometheus_client.core import CounterMetricFamily

from agentwatch import catalog
from agentwatch.catalog.prometheus import counter
from agentwatch.security import Authenticator, AuthFailure

__all__ = ["AuthFailuresCollector"]


class AuthFailuresCollector:
    """One family for every authenticated endpoint a process serves (component name ->
    its authenticator). Every reason is served from zero, so rate() sees the first refusal."""

    def __init__(self, components: Mapping[str, Authenticator]) -> None:
        self._components = dict(components)

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = counter(catalog.AGENTWATCH_AUTH_FAILURES_TOTAL)
        for component, authenticator in self._components.items():
            counts = authenticator.failures()
            for reason in AuthFailure:
                family.add_metric([component, reason.value], counts.get(reason, 0))
        yield family
