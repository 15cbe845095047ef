"""The commands' side of the fault control endpoint (_control.py): schedule a fault, list the
scheduled faults, the kept traces and one trace's spans of the simulation running on a port."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, ClassVar

from agentwatch.clients import Auth, HTTPService, ServiceError

from ._control import CONTROL_HOST

__all__ = ["ControlError", "get_trace", "list_faults", "list_traces", "send_fault"]


class ControlError(ServiceError):
    """The running simulation could not be reached, or refused the request."""


def _url(port: int) -> str:
    return f"http://{CONTROL_HOST}:{port}/faults"


class _ControlClient(HTTPService):
    """The control endpoint on ``port``; every failure is a ControlError that says how to
    start a simulation."""

    name: ClassVar[str] = "the simulation"
    url_kind: ClassVar[str] = "a control endpoint URL"
    error: ClassVar[type[ControlError]] = ControlError

    def __init__(self, port: int, *, timeout: float, auth: Auth | None) -> None:
        self.port = port
        super().__init__(f"http://{CONTROL_HOST}:{port}", timeout=timeout, auth=auth)

    def _unreachable(self, exc: Exception, message: str, *, transient: bool) -> ControlError:
        return ControlError(
            f"no simulation answers on {_url(self.port)} ({exc.__class__.__name__}); start one "
            "with `agentwatch simulate` (or `agentwatch up`), and check simulation.control_port",
            unreachable=True,
            transient=transient,
        )

    def answer(self, method: str, path: str, expected: HTTPStatus, **kwargs: Any) -> dict[str, Any]:
        """The JSON body of the answer to one request; ControlError with the endpoint's own
        error message unless the answer has the ``expected`` status."""
        response = self._send(method, path, **kwargs)
        body: dict[str, Any] = response.json()
        if response.status_code != expected:
            raise ControlError(str(body.get("error", response.text)))
        return body


def _answer(
    method: str,
    path: str,
    expected: HTTPStatus,
    *,
    port: int,
    timeout: float,
    auth: Auth | None,
    **kwargs: Any,
) -> dict[str, Any]:
    with _ControlClient(port, timeout=timeout, auth=auth) as client:
        return client.answer(method, path, expected, **kwargs)


def send_fault(
    text: str, *, port: int, timeout: float = 5.0, auth: Auth | None = None
) -> dict[str, Any]:
    """Ask the simulation listening on ``port`` to schedule the fault ``text``."""
    return _answer(
        "POST",
        "/faults",
        HTTPStatus.CREATED,
        port=port,
        timeout=timeout,
        auth=auth,
        json={"fault": text},
    )


def list_faults(*, port: int, timeout: float = 5.0, auth: Auth | None = None) -> dict[str, Any]:
    return _answer("GET", "/faults", HTTPStatus.OK, port=port, timeout=timeout, auth=auth)


def list_traces(
    *, port: int, limit: int = 20, timeout: float = 5.0, auth: Auth | None = None
) -> list[dict[str, Any]]:
    """The newest traces the running simulation keeps, newest first."""
    body = _answer(
        "GET", f"/traces?limit={limit}", HTTPStatus.OK, port=port, timeout=timeout, auth=auth
    )
    traces: list[dict[str, Any]] = body["traces"]
    return traces


def get_trace(
    trace_id: str, *, port: int, timeout: float = 5.0, auth: Auth | None = None
) -> list[dict[str, Any]]:
    """One kept trace's spans; ControlError when it is not kept (any more)."""
    body = _answer(
        "GET", f"/traces/{trace_id}", HTTPStatus.OK, port=port, timeout=timeout, auth=auth
    )
    spans: list[dict[str, Any]] = body["spans"]
    return spans
