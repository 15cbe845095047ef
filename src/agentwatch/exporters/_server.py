"""One exporter endpoint: /metrics (text or OpenMetrics, as the scraper asks), /healthz, and
any JSON routes the exporter's owner adds (GET, query parameters in, a JSON document out)."""

from __future__ import annotations

import errno
import json
import threading
from collections.abc import Callable, Iterable, Mapping
from socketserver import ThreadingMixIn
from typing import Any, Protocol, Self
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app
from prometheus_client.metrics_core import Metric

from agentwatch.security import Authenticator, WsgiAuth

from ._auth import AuthFailuresCollector

__all__ = [
    "BackgroundServer",
    "Collector",
    "JsonRoute",
    "MetricsServer",
    "PortInUseError",
    "build_registry",
]

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
# Query parameters (each name with its values) -> (HTTP status, a JSON-serialisable document).
JsonRoute = Callable[[Mapping[str, list[str]]], tuple[int, object]]
_STATUS = {200: "200 OK", 400: "400 Bad Request", 502: "502 Bad Gateway"}


class Collector(Protocol):
    def collect(self) -> Iterable[Metric]: ...


class PortInUseError(OSError):
    def __init__(self, host: str, port: int, name: str) -> None:
        super().__init__(
            errno.EADDRINUSE,
            f"{name} cannot listen on {host}:{port}: the port is in use "
            f"(stop what holds it, or choose another port under 'ports:' in agentwatch.yaml)",
        )


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes every second would flood the log."""


def build_registry(*collectors: Collector) -> CollectorRegistry:
    # auto_describe=False: families are built at scrape time and may come and go.
    registry = CollectorRegistry(auto_describe=False)
    for collector in collectors:
        registry.register(collector)
    return registry


class BackgroundServer:
    """A WSGI app served on ``host:port`` from a daemon thread."""

    def __init__(self, app: WsgiApp, *, host: str, port: int, name: str) -> None:
        self.host, self.port, self.name = host, port, name
        self._wsgi_app = app
        self._server: _ThreadingServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        """Listen; PortInUseError names the port when it is taken. Port 0 takes a free one."""
        try:
            server = make_server(
                self.host, self.port, self._wsgi_app, _ThreadingServer, handler_class=_QuietHandler
            )
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUseError(self.host, self.port, self.name) from None
            raise
        self._server = server
        self.port = server.server_port  # resolves port 0 to the one the OS chose
        self._thread = threading.Thread(
            target=server.serve_forever, name=f"{self.name}-http", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class MetricsServer(BackgroundServer):
    """Serves collectors over HTTP from a background thread.

    With an ``authenticator``, every path but /healthz asks for the scrape token or an
    account allowed to read metrics, and the refusals are served as
    agentwatch_auth_failures_total{component=name}.
    """

    def __init__(
        self,
        *collectors: Collector,
        host: str = "127.0.0.1",
        port: int,
        name: str = "exporter",
        routes: Mapping[str, JsonRoute] | None = None,
        authenticator: Authenticator | None = None,
        also_authenticated: Mapping[str, Authenticator] | None = None,
    ) -> None:
        """``also_authenticated``: other endpoints of this process (component name ->
        authenticator) whose refusals this server's /metrics serves."""
        app: WsgiApp = self._app
        if authenticator is not None:
            app = WsgiAuth(app, authenticator)
            components = {name: authenticator, **(also_authenticated or {})}
            collectors = (*collectors, AuthFailuresCollector(components))
        super().__init__(app, host=host, port=port, name=name)
        self._routes = dict(routes or {})
        self.registry = build_registry(*collectors)
        self._metrics_app = make_wsgi_app(self.registry)

    def _app(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            result: Iterable[bytes] = self._metrics_app(environ, start_response)
            return result
        if path in ("/healthz", "/-/healthy", "/-/ready"):
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        route = self._routes.get(path)
        if route is not None:
            status, document = route(parse_qs(environ.get("QUERY_STRING", "")))
            start_response(
                _STATUS.get(status, f"{status} Error"),
                [("Content-Type", "application/json")],
            )
            return [json.dumps(document, indent=2).encode() + b"\n"]
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [f"{self.name}: try /metrics or /healthz\n".encode()]
