import socket

import httpx
import pytest

from agentwatch.exporters import MetricsServer, PortInUseError
from agentwatch.instrument import AgentFleet


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
