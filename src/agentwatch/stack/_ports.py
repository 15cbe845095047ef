"""Checking, before anything starts, that every port the stack will listen on is free."""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterable

import psutil

from agentwatch.exit_codes import EXIT_BAD_INPUT

from ._errors import PortInUseError, StackError

__all__ = ["check_ports", "port_in_use"]


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def port_in_use(host: str, port: int) -> bool:
    """True when a server could not bind ``host:port`` because something else holds it.

    Binding (rather than connecting) is the same test the server will face. SO_REUSEADDR is set
    because Prometheus and Alertmanager (Go) set it too: a port held only by connections in
    TIME_WAIT is free for them, and must not be reported as taken.
    """
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def _holder(port: int) -> str:
    """``pid 123, prometheus`` for the process listening on ``port``, when the OS tells us."""
    try:
        connections = psutil.net_connections(kind="tcp")
    except (psutil.AccessDenied, OSError):
        return ""
    for conn in connections:
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port:
            if conn.pid is None:
                return ""
            try:
                return f" (held by pid {conn.pid}, {psutil.Process(conn.pid).name()})"
            except psutil.Error:
                return f" (held by pid {conn.pid})"
    return ""


def check_ports(
    host: str, wanted: Iterable[tuple[str, str, int]], *, config_file: str | None = None
) -> None:
    """Raise PortInUseError naming every busy port.

    ``wanted`` is (component, spec field path, port); ``config_file`` is the file the ports came
    from, if any, so the message can name it."""
    where = config_file or "agentwatch.yaml"
    busy: list[str] = []
    for component, field, port in wanted:
        try:
            taken = port_in_use(host, port)
        except OSError as exc:
            raise StackError(
                f"{component} cannot listen on {host}:{port}: {exc.strerror}. "
                f"Check listen_address and ports in {where}.",
                exit_code=EXIT_BAD_INPUT,
            ) from None
        if taken:
            busy.append(
                f"port {port} for {component} on {host} is already in use{_holder(port)}; "
                f"set {field} to a free port in {where}"
            )
    if busy:
        fix = (
            f"change the ports in {config_file}"
            if config_file
            else "pass a config file with other ports: agentwatch up --config agentwatch.yaml"
        )
        raise PortInUseError("\n".join(busy) + f"\nStop whatever holds the port, or {fix}.")
