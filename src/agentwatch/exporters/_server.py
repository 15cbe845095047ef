"""One exporter endpoint: /metrics (text or OpenMetrics, as the scraper asks), /healthz, and
any JSON routes the exporter's owner adds (GET, query parameters in, a JSON document out)."""

from __future__ import annotations

import errno
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import Any, Protocol, Self
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app
from prometheus_client.metrics_core import Metric

from agentwatch.catalog.http_paths import HEALTH_PATHS
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
    # socketserver's default backlog is 5: with more scrapers connecting at once, the kernel
    # drops their SYNs and they retry a second later, past a 1 s job's scrape timeout.
    request_queue_size = 128


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes every second would flood the log."""


class _ServedTogether:
    """Collectors served by one registry, a family that several of them yield served once.

    Each SDK monitor serves the families it owns plus agentwatch_cardinality_overflow_total
    for them; served side by side, two families of one name would be invalid exposition (a
    second HELP line), which Prometheus refuses whole. Here the later family's samples join
    the first one's, in a new family: the collectors' own are left as they built them.
    """

    def __init__(self, collectors: Iterable[Collector]) -> None:
        self._collectors = tuple(collectors)

    def collect(self) -> Iterator[Metric]:
        served: dict[str, Metric] = {}
        for collector in self._collectors:
            for family in collector.collect():
                first = served.get(family.name)
                if first is None:
                    served[family.name] = family
                    continue
                if first.type != family.type:
                    raise ValueError(
                        f"two collectors serve {family.name} as a {first.type} and a {family.type}"
                    )
                merged = Metric(first.name, first.documentation, first.type, first.unit)
                merged.samples = [*first.samples, *family.samples]
                served[family.name] = merged
        yield from served.values()


def build_registry(*collectors: Collector) -> CollectorRegistry:
    """A registry serving ``collectors`` together (a family several yield is served once)."""
    # auto_describe=False: families are built at scrape time and may come and go.
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_ServedTogether(collectors))
    return registry


@dataclass
class _Rendering:
    """One /metrics rendering that concurrent scrapes asking the same thing wait for."""

    done: threading.Event = field(default_factory=threading.Event)
    response: tuple[str, list[tuple[str, str]], bytes] | None = None
    followers: int = 0


class _SharedRenderings:
    """Scrapes that arrive while an identical one is being rendered share its answer.

    Rendering holds the GIL, so N scrapers at once would otherwise cost N renderings queued
    one behind another: under load each waits for all the others, and scrapes time out.
    Shared, a scrape waits for one rendering at most (the one in flight, or its own),
    whatever the number of scrapers. "Identical" is the same query string, Accept and
    Accept-Encoding (Prometheus servers send the same ones). A scrape that joins a rendering
    already under way gets values read up to one rendering's time before it arrived, which is
    well inside any scrape interval.
    """

    def __init__(self, app: WsgiApp) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._in_flight: dict[tuple[str, str, str], _Rendering] = {}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        key = (
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_ACCEPT", ""),
            environ.get("HTTP_ACCEPT_ENCODING", ""),
        )
        with self._lock:
            rendering = self._in_flight.get(key)
            leads = rendering is None
            if rendering is None:
                rendering = self._in_flight[key] = _Rendering()
            else:
                rendering.followers += 1
        if leads:
            try:
                rendering.response = self._render(environ)
            finally:
                with self._lock:
                    del self._in_flight[key]
                rendering.done.set()
        else:
            rendering.done.wait()
        # The leader's rendering failed (its own request got the error): render afresh.
        response = rendering.response or self._render(environ)
        status, headers, body = response
        start_response(status, headers)
        return [body]

    def _render(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        answer: list[tuple[str, list[tuple[str, str]]]] = []

        def capture(
            status: str, headers: list[tuple[str, str]], exc_info: object = None
        ) -> Callable[[bytes], object]:
            answer.append((status, headers))
            return lambda _data: None

        body = b"".join(self._app(environ, capture))
        status, headers = answer[-1]
        return status, headers, body


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
        self._metrics_app = _SharedRenderings(make_wsgi_app(self.registry))

    def _app(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            result: Iterable[bytes] = self._metrics_app(environ, start_response)
            return result
        if path in HEALTH_PATHS:
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
