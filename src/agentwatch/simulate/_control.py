"""Fault injection into a running simulation from another process: a loopback HTTP endpoint.

``POST /faults`` with ``{"fault": "crash:type=security:for=2m"}`` schedules a fault at its
``at`` offset from the simulation's current time; ``GET /faults`` lists what is scheduled.
``GET /traces?limit=N`` lists the newest traces the simulation kept in memory, and
``GET /traces/<trace id>`` gives one trace's spans (for `agentwatch traces`).
It always binds 127.0.0.1, whatever the exporters' listen address: injecting faults is not
something to offer the network. With an authenticator (security.auth), every path but
/healthz asks for the same credentials as the exporters.
"""

from __future__ import annotations

import errno
import json
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

import httpx
import numpy as np
from numpy.typing import NDArray

from agentwatch.exporters import PortInUseError
from agentwatch.security import Authenticator, AuthFailure, Permission

from ._faults import Fault, FaultError, ScheduledFault, parse_fault

__all__ = [
    "CONTROL_HOST",
    "ControlError",
    "ControlServer",
    "get_trace",
    "list_faults",
    "list_traces",
    "send_fault",
]

CONTROL_HOST = "127.0.0.1"
_MAX_BODY = 64 * 1024
_TRACE_PATH = re.compile(r"^/traces/([0-9a-f]{32})$")
_MAX_TRACES = 1000


class _Target(Protocol):
    def inject(self, fault: Fault) -> ScheduledFault: ...

    def scheduled(self) -> list[ScheduledFault]: ...

    def sim_now(self) -> float: ...

    def traces(self, limit: int) -> list[dict[str, Any]]: ...

    def trace(self, trace_id: int) -> list[dict[str, Any]]: ...


class ControlError(RuntimeError):
    """The running simulation could not be reached, or refused the request."""


def describe(item: ScheduledFault, now: float, agent_ids: tuple[str, ...]) -> dict[str, Any]:
    """A scheduled fault as JSON: what, on which agents, when (simulated Unix time)."""
    fault = item.fault
    agents: NDArray[np.intp] = np.flatnonzero(item.agents)
    return {
        "fault": fault.describe(),
        "kind": fault.kind.value,
        "agents": [agent_ids[i] for i in agents],
        "start": item.start,
        "end": item.end,
        "active": item.start <= now < item.end,
    }


class ControlServer:
    def __init__(
        self,
        target: _Target,
        *,
        port: int,
        agent_ids: tuple[str, ...],
        authenticator: Authenticator | None = None,
    ) -> None:
        self._target = target
        self._agent_ids = agent_ids
        self._authenticator = authenticator
        try:
            self._server = ThreadingHTTPServer((CONTROL_HOST, port), self._handler())
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUseError(CONTROL_HOST, port, "fault control endpoint") from None
            raise
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{CONTROL_HOST}:{self.port}"

    def start(self) -> ControlServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fault-control", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        control = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the simulation's output is for its own events."""

            def _reply(self, status: HTTPStatus, body: object) -> None:
                data = json.dumps(body, indent=2).encode() + b"\n"
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _refused(self) -> bool:
                """True when the request was answered 401/403 for want of credentials."""
                if control._authenticator is None or self.path == "/healthz":
                    return False
                found = control._authenticator.authorize(
                    self.headers.get("Authorization"), Permission.METRICS
                )
                if found is AuthFailure.FORBIDDEN:
                    self._reply(HTTPStatus.FORBIDDEN, {"error": "this account may not do that"})
                    return True
                if isinstance(found, AuthFailure):
                    self._reply(HTTPStatus.UNAUTHORIZED, {"error": "credentials required"})
                    return True
                return False

            def do_GET(self) -> None:
                if self._refused():
                    return
                url = urlsplit(self.path)
                if url.path == "/traces":
                    self._traces(parse_qs(url.query).get("limit", ["20"])[0])
                elif match := _TRACE_PATH.match(url.path):
                    spans = control._target.trace(int(match.group(1), 16))
                    if spans:
                        self._reply(HTTPStatus.OK, {"spans": spans})
                    else:
                        self._reply(
                            HTTPStatus.NOT_FOUND,
                            {"error": f"trace {match.group(1)} is not (or no longer) kept"},
                        )
                elif self.path == "/healthz":
                    self._reply(HTTPStatus.OK, {"status": "ok"})
                elif self.path == "/faults":
                    now = control._target.sim_now()
                    faults = [
                        describe(item, now, control._agent_ids)
                        for item in control._target.scheduled()
                    ]
                    self._reply(HTTPStatus.OK, {"now": now, "faults": faults})
                else:
                    self._reply(
                        HTTPStatus.NOT_FOUND,
                        {"error": "try GET or POST /faults, GET /traces or /traces/<trace id>"},
                    )

            def _traces(self, limit_text: str) -> None:
                if not limit_text.isdigit() or not 1 <= int(limit_text) <= _MAX_TRACES:
                    self._reply(
                        HTTPStatus.BAD_REQUEST,
                        {"error": f"limit must be a whole number from 1 to {_MAX_TRACES}"},
                    )
                    return
                self._reply(HTTPStatus.OK, {"traces": control._target.traces(int(limit_text))})

            def do_POST(self) -> None:
                if self._refused():
                    return
                if self.path != "/faults":
                    self._reply(HTTPStatus.NOT_FOUND, {"error": "try POST /faults"})
                    return
                length = int(self.headers.get("Content-Length") or 0)
                if length > _MAX_BODY:
                    self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "body too large"})
                    return
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                    text = body["fault"]
                    if not isinstance(text, str):
                        raise TypeError
                except (ValueError, KeyError, TypeError):
                    self._reply(
                        HTTPStatus.BAD_REQUEST,
                        {"error": 'expected a JSON body like {"fault": "crash:type=security"}'},
                    )
                    return
                try:
                    scheduled = control._target.inject(parse_fault(text))
                except FaultError as exc:
                    self._reply(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
                    return
                now = control._target.sim_now()
                self._reply(HTTPStatus.CREATED, describe(scheduled, now, control._agent_ids))

        return Handler


def _url(port: int) -> str:
    return f"http://{CONTROL_HOST}:{port}/faults"


def _unreachable(port: int, exc: Exception) -> ControlError:
    return ControlError(
        f"no simulation answers on {_url(port)} ({exc.__class__.__name__}); start one with "
        f"`agentwatch simulate` (or `agentwatch up`), and check simulation.control_port"
    )


def send_fault(
    text: str, *, port: int, timeout: float = 5.0, auth: httpx.Auth | None = None
) -> dict[str, Any]:
    """Ask the simulation listening on ``port`` to schedule the fault ``text``."""
    try:
        response = httpx.post(_url(port), json={"fault": text}, timeout=timeout, auth=auth)
    except httpx.HTTPError as exc:
        raise _unreachable(port, exc) from None
    body: dict[str, Any] = response.json()
    if response.status_code != HTTPStatus.CREATED:
        raise ControlError(str(body.get("error", response.text)))
    return body


def list_faults(
    *, port: int, timeout: float = 5.0, auth: httpx.Auth | None = None
) -> dict[str, Any]:
    try:
        response = httpx.get(_url(port), timeout=timeout, auth=auth)
    except httpx.HTTPError as exc:
        raise _unreachable(port, exc) from None
    body: dict[str, Any] = response.json()
    if response.status_code != HTTPStatus.OK:
        raise ControlError(str(body.get("error", response.text)))
    return body


def _get(
    port: int, path: str, timeout: float, auth: httpx.Auth | None
) -> tuple[int, dict[str, Any]]:
    try:
        response = httpx.get(f"http://{CONTROL_HOST}:{port}{path}", timeout=timeout, auth=auth)
    except httpx.HTTPError as exc:
        raise _unreachable(port, exc) from None
    body: dict[str, Any] = response.json()
    return response.status_code, body


def list_traces(
    *, port: int, limit: int = 20, timeout: float = 5.0, auth: httpx.Auth | None = None
) -> list[dict[str, Any]]:
    """The newest traces the running simulation keeps, newest first."""
    status, body = _get(port, f"/traces?limit={limit}", timeout, auth)
    if status != HTTPStatus.OK:
        raise ControlError(str(body.get("error", body)))
    traces: list[dict[str, Any]] = body["traces"]
    return traces


def get_trace(
    trace_id: str, *, port: int, timeout: float = 5.0, auth: httpx.Auth | None = None
) -> list[dict[str, Any]]:
    """One kept trace's spans; ControlError when it is not kept (any more)."""
    status, body = _get(port, f"/traces/{trace_id}", timeout, auth)
    if status != HTTPStatus.OK:
        raise ControlError(str(body.get("error", body)))
    spans: list[dict[str, Any]] = body["spans"]
    return spans
