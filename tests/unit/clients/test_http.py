"""What every agentwatch client shares (agentwatch.clients): proxy settings in the environment
are ignored, and errors name the URL and where the credentials were looked for."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from agentwatch.clients import (
    SECRETS_LOOKUP,
    Probe,
    ServiceError,
    file_service_account,
    url_problem,
)
from agentwatch.clients.alertmanager import AlertmanagerAPI
from agentwatch.clients.prometheus import PrometheusAPI
from agentwatch.clients.prometheus_admin import PrometheusAdmin
from agentwatch.security import ensure_secrets
from agentwatch.simulate import list_faults

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")


class _Target(BaseHTTPRequestHandler):
    """Answers every request 200 with what each client expects; 401 under /private."""

    paths: list[str]
    status = 200

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _answer(self) -> None:
        self.paths.append(self.path)
        body = {
            "status": "success",
            "data": {"resultType": "vector", "result": [], "name": "snapshot-1"},
            "now": 0.0,
            "faults": [],
        }
        data = json.dumps([] if "/api/v2/" in self.path else body).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()


@pytest.fixture
def target() -> Iterator[tuple[int, list[str]]]:
    """A server on loopback: its port, and the paths it was asked for."""
    paths: list[str] = []
    handler = type("Handler", (_Target,), {"paths": paths})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], paths
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """A listening socket named as the proxy in every proxy variable: the connections it got."""
    connections: list[object] = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, peer = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connections.append(peer)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    address = f"http://127.0.0.1:{listener.getsockname()[1]}"
    for name in PROXY_VARIABLES:
        monkeypatch.setenv(name, address)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    yield connections
    stop.set()
    thread.join(timeout=5)
    listener.close()


CLIENTS: dict[str, Callable[[int], object]] = {
    "prometheus query": lambda port: PrometheusAPI(f"http://127.0.0.1:{port}").query("up"),
    "prometheus snapshot": lambda port: PrometheusAdmin(f"http://127.0.0.1:{port}").snapshot(),
    "alertmanager": lambda port: AlertmanagerAPI(f"http://127.0.0.1:{port}").alerts(),
    "probe": lambda port: Probe(timeout=5).get_ok(f"http://127.0.0.1:{port}/-/ready"),
    "fault control": lambda port: list_faults(port=port),
}


def test_the_proxy_variables_would_send_a_plain_client_to_the_proxy(
    target: tuple[int, list[str]], proxy: list[object]
) -> None:
    # The test's own check: the environment is one that reroutes a client that trusts it.
    port, paths = target
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
    assert proxy
    assert paths == []


@pytest.mark.parametrize("client", list(CLIENTS))
def test_every_client_ignores_the_proxy_in_the_environment(
    target: tuple[int, list[str]], proxy: list[object], client: str
) -> None:
    port, paths = target
    CLIENTS[client](port)
    assert len(paths) == 1
    assert proxy == []


@pytest.mark.parametrize("client", [c for c in CLIENTS if c != "probe"])
def test_an_unreachable_server_is_an_error_naming_its_url(client: str) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ServiceError) as caught:
        CLIENTS[client](port)
    assert f"127.0.0.1:{port}" in str(caught.value)
    assert caught.value.unreachable


def test_a_refusal_names_where_the_credentials_came_from(
    target: tuple[int, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port, _ = target
    monkeypatch.setattr(_Target, "status", 401)
    url = f"http://127.0.0.1:{port}"
    with pytest.raises(ServiceError) as caught:
        AlertmanagerAPI(url).alerts()
    assert f"Alertmanager at {url} refused access (HTTP 401 Unauthorized)" in str(caught.value)
    assert "sent no credentials" in str(caught.value)
    assert SECRETS_LOOKUP in str(caught.value)

    ensure_secrets(tmp_path)
    secrets_json = tmp_path / "secrets" / "secrets.json"
    account = file_service_account(secrets_json)
    with pytest.raises(ServiceError) as caught:
        PrometheusAPI(url, auth=account).query("up")
    assert f"Prometheus at {url} refused access (HTTP 401 Unauthorized)" in str(caught.value)
    assert f"the service account of {secrets_json}" in str(caught.value)


def test_a_home_without_secrets_has_no_service_account(tmp_path: Path) -> None:
    assert file_service_account(tmp_path / "secrets.json") is None


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://127.0.0.1:9090", None),
        ("https://prometheus.example", None),
        ("ftp://host/x", "expected an http:// or https:// URL with a host"),
        ("http://", "expected an http:// or https:// URL with a host"),
    ],
)
def test_url_problem(url: str, problem: str | None) -> None:
    assert url_problem(url) == problem
