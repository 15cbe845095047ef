"""The fault control endpoint asks for the exporters' credentials when auth is on."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from agentwatch.security import Authenticator, Role, Secrets
from agentwatch.simulate import ControlError, list_faults, list_traces, send_fault
from agentwatch.simulate._control import ControlServer
from agentwatch.simulate._faults import Fault, ScheduledFault

SECRETS = Secrets.generate()


class _Target:
    def inject(self, fault: Fault) -> ScheduledFault:
        raise AssertionError("no fault may be injected without credentials")

    def scheduled(self) -> list[ScheduledFault]:
        return []

    def sim_now(self) -> float:
        return 0.0

    def traces(self, limit: int) -> list[dict[str, Any]]:
        return []

    def trace(self, trace_id: int) -> list[dict[str, Any]]:
        return []


@pytest.fixture
def server() -> Any:
    control = ControlServer(
        _Target(), port=0, agent_ids=("web-1",), authenticator=Authenticator(SECRETS)
    ).start()
    yield control
    control.stop()


def test_without_credentials_nothing_is_read_or_injected(server: ControlServer) -> None:
    with pytest.raises(ControlError, match="credentials required"):
        send_fault("crash:type=web", port=server.port)
    with pytest.raises(ControlError, match="credentials required"):
        list_traces(port=server.port)
    with pytest.raises(ControlError, match="credentials required"):
        list_faults(port=server.port)
    assert httpx.get(f"{server.url}/healthz").status_code == 200


def test_the_service_account_may_and_an_executive_may_not(server: ControlServer) -> None:
    service = httpx.BasicAuth(SECRETS.service.username, SECRETS.service.password)
    assert list_faults(port=server.port, auth=service) == {"now": 0.0, "faults": []}
    executive = next(u for u in SECRETS.users if u.role is Role.EXECUTIVE)
    response = httpx.get(f"{server.url}/faults", auth=(executive.username, executive.password))
    assert response.status_code == 403
