import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from agentwatch.exporters import MetricsServer, PortInUseError, build_registry
from agentwatch.exporters._server import _SharedRenderings
from agentwatch.instrument import AgentFleet, TransportMonitor, VoiceMonitor
from agentwatch.security import Authenticator, ensure_secrets
from tests.unit.tools import check_metrics


@pytest.fixture
def server() -> MetricsServer:
    fleet = AgentFleet()
    fleet.agent("a-0", "a").bind(source_agent="b", action="x").observe(0.01)
    return MetricsServer(fleet.collector(), port=0, name="agent exporter")


def test_serves_text_by_default_and_openmetrics_when_asked(server: MetricsServer) -> None:
    with server:
        text = httpx.get(f"{server.url}/metrics")
        assert text.status_code == 200
        assert text.headers["content-type"].startswith("text/plain; version=0.0.4")
        assert 'agent_messages_processed_total{action="x",agent_id="a-0"' in text.text
        om = httpx.get(
            f"{server.url}/metrics",
            headers={"Accept": "application/openmetrics-text; version=1.0.0"},
        )
        assert om.headers["content-type"].startswith("application/openmetrics-text")
        assert om.text.endswith("# EOF\n")


def test_health_and_unknown_paths(server: MetricsServer) -> None:
    with server:
        assert httpx.get(f"{server.url}/healthz").text == "ok\n"
        missing = httpx.get(f"{server.url}/nothing")
        assert missing.status_code == 404
        assert "/metrics" in missing.text


def test_listens_on_loopback_only_by_default(server: MetricsServer) -> None:
    assert server.host == "127.0.0.1"


def test_port_in_use_names_the_exporter_and_the_fix() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(PortInUseError, match=rf"agent exporter .*:{port}.*ports:"):
            MetricsServer(port=port, name="agent exporter").start()


def test_stop_frees_the_port(server: MetricsServer) -> None:
    server.start()
    port = server.port
    server.stop()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))


class _BlockingApp:
    """A WSGI app whose renderings wait for ``release`` and say which rendering they were."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.renderings = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.renderings += 1
        served = self.renderings
        self.release.wait(30)
        if environ.get("HTTP_ACCEPT") == "broken":
            raise RuntimeError("collector broke")
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [f"rendering {served} for {environ.get('HTTP_ACCEPT')}".encode()]


def _call(app: Any, accept: str) -> tuple[str, bytes]:
    answer: list[str] = []
    body = b"".join(app({"HTTP_ACCEPT": accept}, lambda status, _h: answer.append(status)))
    return answer[0], body


def test_concurrent_identical_scrapes_share_one_rendering() -> None:
    app = _BlockingApp()
    shared = _SharedRenderings(app)
    with ThreadPoolExecutor(21) as pool:
        same = [pool.submit(_call, shared, "text") for _ in range(20)]
        other = pool.submit(_call, shared, "openmetrics")
        # Wait until the 19 later scrapes have joined the first one's rendering.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            in_flight = shared._in_flight.get(("", "text", ""))
            if in_flight is not None and in_flight.followers == 19:
                break
            time.sleep(0.01)
        app.release.set()
        answers = [future.result() for future in same]
    # One rendering for the 20 alike, one for the scrape asking for another format.
    assert app.renderings == 2
    (body,) = {body for _, body in answers}
    assert body.endswith(b" for text")
    assert other.result()[1].endswith(b"for openmetrics")
    # Nothing in flight any more: the next scrape renders afresh.
    assert _call(shared, "text")[1] == b"rendering 3 for text"


def test_a_failing_rendering_fails_its_own_scrape_and_followers_render_afresh() -> None:
    app = _BlockingApp()
    shared = _SharedRenderings(app)
    app.release.set()
    with pytest.raises(RuntimeError, match="collector broke"):
        _call(shared, "broken")
    assert _call(shared, "text") == ("200 OK", b"rendering 2 for text")


def test_scrapes_through_the_server_still_negotiate_their_format(server: MetricsServer) -> None:
    with server, ThreadPoolExecutor(8) as pool:
        accepts = ["text/plain", "application/openmetrics-text; version=1.0.0"] * 4
        answers = list(
            pool.map(
                lambda accept: httpx.get(
                    f"{server.url}/metrics", headers={"Accept": accept}, timeout=30
                ),
                accepts,
            )
        )
    for accept, answer in zip(accepts, answers, strict=True):
        assert answer.status_code == 200
        assert answer.text.endswith("# EOF\n") == accept.startswith("application/openmetrics")


def test_a_family_several_collectors_serve_is_served_once(promtool: Path) -> None:
    fleet = AgentFleet()
    transport = TransportMonitor()
    voice = VoiceMonitor()
    text = generate_latest(
        build_registry(fleet.collector(), transport.collector(), voice.collector())
    ).decode()
    overflow = "agentwatch_cardinality_overflow_total"
    assert text.count(f"# HELP {overflow} ") == 1
    # Each monitor's guarded families are all there, under the one family.
    assert 'family="agent_messages_processed_total"' in text
    assert 'family="agent_transport_messages_total"' in text
    check_metrics(promtool, text)


def test_collectors_disagreeing_on_a_family_type_are_refused() -> None:
    class Serves:
        def __init__(self, family: Metric) -> None:
            self.family = family

        def collect(self) -> Iterator[Metric]:
            yield self.family

    registry = build_registry(
        Serves(CounterMetricFamily("things", "Things.", value=1)),
        Serves(GaugeMetricFamily("things", "Things.", value=1)),
    )
    with pytest.raises(ValueError, match="things as a counter and a gauge"):
        generate_latest(registry)


def test_every_health_path_answers_without_credentials(tmp_path: Path) -> None:
    """The seeds' troubleshooting `curl .../health` works as well as agentwatch's /healthz."""
    secrets, _, _ = ensure_secrets(tmp_path)
    server = MetricsServer(port=0, name="agent exporter", authenticator=Authenticator(secrets))
    with server:
        for path in ("/health", "/healthz", "/-/healthy", "/-/ready"):
            answer = httpx.get(f"{server.url}{path}")
            assert (path, answer.status_code, answer.text) == (path, 200, "ok\n")
        assert httpx.get(f"{server.url}/metrics").status_code == 401
