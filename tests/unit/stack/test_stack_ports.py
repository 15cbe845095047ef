"""Port-in-use detection before anything starts."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from agentwatch.stack import PortInUseError, StackError, check_ports, port_in_use


@pytest.fixture
def listening() -> Iterator[int]:
    """A port that a listening socket holds for the test's duration."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_listening_port_is_in_use(listening: int) -> None:
    assert port_in_use("127.0.0.1", listening)


def test_a_wildcard_listener_blocks_loopback(listening: int) -> None:
    # The fixture listens on loopback; binding all interfaces on that port must fail too.
    assert port_in_use("0.0.0.0", listening)


def test_a_free_port_is_not_in_use() -> None:
    assert not port_in_use("127.0.0.1", _free_port())


def test_a_port_left_in_time_wait_counts_as_free() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = int(server.getsockname()[1])
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = server.accept()
        accepted.close()  # the server side closes first, so it holds the TIME_WAIT
        client.close()
    assert not port_in_use("127.0.0.1", port)


def test_check_ports_names_component_field_and_fix(listening: int) -> None:
    free = _free_port()
    with pytest.raises(PortInUseError) as caught:
        check_ports(
            "127.0.0.1",
            [
                ("Prometheus", "ports.prometheus", free),
                ("Alertmanager", "ports.alertmanager", listening),
            ],
        )
    message = caught.value.message
    assert f"port {listening} for Alertmanager on 127.0.0.1 is already in use" in message
    assert "ports.alertmanager" in message
    assert "--config" in message
    assert f"port {free}" not in message
    assert caught.value.exit_code == 2


def test_check_ports_names_the_config_file_given(listening: int) -> None:
    with pytest.raises(PortInUseError) as caught:
        check_ports(
            "127.0.0.1", [("Prometheus", "ports.prometheus", listening)], config_file="/etc/aw.yaml"
        )
    assert "set ports.prometheus to a free port in /etc/aw.yaml" in caught.value.message
    assert "change the ports in /etc/aw.yaml" in caught.value.message


def test_check_ports_passes_when_all_are_free() -> None:
    check_ports("127.0.0.1", [("Prometheus", "prometheus", _free_port())])


def test_an_address_not_on_this_machine_is_bad_configuration() -> None:
    # 192.0.2.0/24 is TEST-NET-1: never assigned to a local interface.
    with pytest.raises(StackError) as caught:
        check_ports("192.0.2.1", [("Prometheus", "prometheus", 9090)])
    assert "listen_address" in caught.value.message
    assert caught.value.exit_code == 2
