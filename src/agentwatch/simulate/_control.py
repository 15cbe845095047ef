"""Fault injection into a running simulation from another process: a loopback HTTP endpoint.

``POST /faults`` with ``{"fault": "crash:type=security:for=2m"}`` schedules a fault at its
``at`` offset from the simulation's current time; ``GET /faults`` lists what is scheduled.
``GET /traces?limit=N`` lists the newest traces the simulation kept in memory, and
``GET /traces/<trace id>`` gives one trace's spans (for `agentwatch traces`).
It always binds 127.0.0.1, whatever the exporters' listen address: injecting faults is not
something to offer the network. With an authenticator (security.auth), every path but
/healthz asks for the same credentials as the exporters. The commands' side is
_control_client.py.
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

import numpy as np
from numpy.typing import NDArray

from agentwatch.exporters import PortInUseError
from agentwatch.security import Authenticator, AuthFailure, Permission

from ._faults import Fault, FaultError, ScheduledFault, parse_fault

__all__ = ["CONTROL_HOST", "ControlServer", "describe"]

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

    def _handler(self) -> type[_Handler]:
        """The request handler class bound to this server's target (the server builds one
        handler per request from a class)."""
        control = self

        class Handler(_Handler):
            target = control._target
            agent_ids = control._agent_ids
            authenticator = control._authenticator

        return Handler


class _Handler(BaseHTTPRequestHandler):
    """Answers the control paths with JSON; subclassed per server with what it controls."""

    target: _Target
    agent_ids: tuple[str, ...]
    authenticator: Authenticator | None

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
        if self.authenticator is None or self.path == "/healthz":
            return False
        found = self.authenticator.authorize(self.headers.get("Authorization"), Permission.METRICS)
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
            self._trace(match.group(1))
        elif self.path == "/healthz":
            self._reply(HTTPStatus.OK, {"status": "ok"})
        elif self.path == "/faults":
            self._faults()
        else:
            self._reply(
                HTTPStatus.NOT_FOUND,
                {"error": "try GET or POST /faults, GET /traces or /traces/<trace id>"},
            )

    def _faults(self) -> None:
        now = self.target.sim_now()
        faults = [describe(item, now, self.agent_ids) for item in self.target.scheduled()]
        self._reply(HTTPStatus.OK, {"now": now, "faults": faults})

    def _trace(self, trace_id: str) -> None:
        spans = self.target.trace(int(trace_id, 16))
        if spans:
            self._reply(HTTPStatus.OK, {"spans": spans})
        else:
            self._reply(
                HTTPStatus.NOT_FOUND, {"error": f"trace {trace_id} is not (or no longer) kept"}
            )

    def _traces(self, limit_text: str) -> None:
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= _MAX_TRACES:
            self._reply(
                HTTPStatus.BAD_REQUEST,
                {"error": f"limit must be a whole number from 1 to {_MAX_TRACES}"},
            )
            return
        self._reply(HTTPStatus.OK, {"traces": self.target.traces(int(limit_text))})

    def do_POST(self) -> None:
        if self._refused():
            return
        if self.path != "/faults":
            self._reply(HTTPStatus.NOT_FOUND, {"error": "try POST /faults"})
            return
        text = self._fault_text()
        if text is None:
            return
        try:
            scheduled = self.target.inject(parse_fault(text))
        except FaultError as exc:
            self._reply(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
            return
        now = self.target.sim_now()
        self._reply(HTTPStatus.CREATED, describe(scheduled, now, self.agent_ids))

    def _fault_text(self) -> str | None:
        """The ``fault`` of the JSON body, or None when the request was answered 400/413."""
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "body too large"})
            return None
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
            return None
        return text
