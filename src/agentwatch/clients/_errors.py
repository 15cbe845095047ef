"""The errors of agentwatch's HTTP clients: one type per server, each message naming the server
and its URL, so that a command can print it as it is."""

from __future__ import annotations

__all__ = ["AlertmanagerError", "BadQueryError", "PrometheusError", "ServiceError"]


class ServiceError(RuntimeError):
    """A server could not answer, or refused the request.

    ``unreachable`` is True when no usable answer came back (no connection, time-outs or
    "unavailable" statuses, after any retries): trying again later may work. It is False when
    the server answered and refused the request, or answered something it should not.
    ``transient`` is True when the one request failed in a way that trying it again at once
    may cure (a time-out, a refused or reset connection): a client that retries retries those.
    """

    def __init__(self, message: str, *, unreachable: bool = False, transient: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable
        self.transient = transient


class PrometheusError(ServiceError):
    """Prometheus (or a server speaking its API) could not answer, or refused the request."""


class BadQueryError(PrometheusError):
    """Prometheus refused the query itself (it does not parse, or asks for what an instant
    query cannot give): the query is what to change, not the server."""


class AlertmanagerError(ServiceError):
    """Alertmanager could not answer (``unreachable``) or refused the request."""
