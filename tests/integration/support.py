"""Helpers the integration tests share: free loopback ports, polling, process liveness."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import httpx
import psutil
import pytest

from agentwatch.stack._ports import port_in_use

__all__ = ["alive", "free_ports", "wait_until"]


def free_ports(count: int) -> list[int]:
    """Distinct ports free on 127.0.0.1, away from every agentwatch default."""
    ports: list[int] = []
    while len(ports) < count:
        port = random.randrange(20000, 32000)
        if port not in ports and not port_in_use("127.0.0.1", port):
            ports.append(port)
    return ports


def wait_until(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll ``check`` until it holds; a server not answering yet counts as "not yet"."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.25)


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
