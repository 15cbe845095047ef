"""``agentwatch status``: each component's process and health URL, from the recorded state, and
what each clustered Alertmanager says of its cluster."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agentwatch.exporters import FilesystemSpace, filesystem_space

from ._health import ClusterView, Prober
from ._layout import StackHome
from ._plan import stack_client_auth
from ._process import find_process
from ._state import HomeLock, read_state

__all__ = ["EndpointStatus", "StackStatus", "stack_status"]


@dataclass(frozen=True)
class EndpointStatus:
    component: str
    label: str
    url: str
    pid: int
    alive: bool
    problem: str | None
    restarts: int
    # A clustered Alertmanager's view of its cluster, e.g. "cluster ready, 2 peers".
    cluster: str | None = None

    @property
    def healthy(self) -> bool:
        return self.alive and self.problem is None


@dataclass(frozen=True)
class StackStatus:
    home: Path
    # None: no supervisor holds the home. 0: one does but has not written its pid yet.
    supervisor_pid: int | None
    phase: str | None
    endpoints: tuple[EndpointStatus, ...]
    # The filesystem holding the home; None when it cannot be measured.
    home_space: FilesystemSpace | None = None

    @property
    def running(self) -> bool:
        return self.supervisor_pid is not None

    @property
    def nothing_running(self) -> bool:
        return not self.running and not any(e.alive for e in self.endpoints)

    @property
    def healthy(self) -> bool:
        return (
            self.running
            and self.phase == "running"
            and bool(self.endpoints)
            and all(e.healthy for e in self.endpoints)
        )


def stack_status(home: StackHome, *, timeout: float = 2.0) -> StackStatus:
    """Each endpoint's health: its process alive (same pid and start time) and its URL 200."""
    holder = HomeLock.holder(home)
    state = read_state(home)
    endpoints: list[EndpointStatus] = []
    if state is not None:
        # A live supervisor restarts dead children; say so, or a restart looks like an outage.
        dead = "process not running"
        if holder is not None and state.phase == "running":
            dead += " (the supervisor restarts it)"
        with Prober(timeout=timeout, auth=stack_client_auth(home.secrets.secrets_json)) as prober:
            for record in state.components:
                alive = find_process(record.pid, record.create_time) is not None
                for endpoint in record.endpoints:
                    problem = prober.problem(endpoint.health_url) if alive else dead
                    cluster = None
                    if problem is None and endpoint.cluster_url is not None:
                        view = prober.cluster(endpoint.cluster_url)
                        if isinstance(view, ClusterView):
                            cluster = view.describe()
                            problem = view.problem(endpoint.cluster_size)
                        else:
                            problem = view
                    endpoints.append(
                        EndpointStatus(
                            component=record.name,
                            label=endpoint.label,
                            url=endpoint.url,
                            pid=record.pid,
                            alive=alive,
                            problem=problem,
                            restarts=record.restarts,
                            cluster=cluster,
                        )
                    )
    try:
        space: FilesystemSpace | None = filesystem_space(home.root)
    except OSError:
        space = None
    return StackStatus(
        home=home.root,
        supervisor_pid=holder,
        phase=state.phase if state is not None else None,
        endpoints=tuple(endpoints),
        home_space=space,
    )
