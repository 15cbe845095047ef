"""``agentwatch down``: stop the supervisor, which stops its children, then anything left."""

from __future__ import annotations

from dataclasses import dataclass

from ._layout import StackHome
from ._process import find_process, stop_processes
from ._state import HomeLock, clear_state, read_state
from ._supervisor import DEFAULT_STOP_TIMEOUT, SUPERVISOR_STOP_TIMEOUT

__all__ = ["StopReport", "stop_stack"]


@dataclass(frozen=True)
class StopReport:
    # (what, pid, outcome) with outcome "stopped" or "killed".
    processes: tuple[tuple[str, int, str], ...]

    @property
    def nothing_running(self) -> bool:
        return not self.processes


def stop_stack(home: StackHome, *, stop_timeout: float | None = None) -> StopReport:
    """Stop the supervisor (it stops its children), then anything it left behind. Idempotent."""
    child_timeout = stop_timeout or DEFAULT_STOP_TIMEOUT
    state = read_state(home)  # before the supervisor deletes it on the way out
    outcomes: list[tuple[str, int, str]] = []
    running = [
        record
        for record in (state.components if state is not None else ())
        if find_process(record.pid, record.create_time) is not None
    ]
    holder = HomeLock.holder(home)
    if holder:
        supervisor = find_process(holder)
        if supervisor is not None:
            killed = stop_processes([supervisor], SUPERVISOR_STOP_TIMEOUT)
            outcomes.append(("supervisor", holder, "killed" if killed else "stopped"))
    # Normally the supervisor has stopped these; if it was killed, or crashed earlier, they
    # may be orphans (Linux sends them SIGTERM when it dies, but they may ignore it).
    leftovers = [
        process
        for record in running
        if (process := find_process(record.pid, record.create_time)) is not None
    ]
    killed_pids = {p.pid for p in stop_processes(leftovers, child_timeout)} if leftovers else set()
    for record in running:
        outcome = "killed" if record.pid in killed_pids else "stopped"
        outcomes.append((record.name, record.pid, outcome))
    if HomeLock.holder(home) is None and home.run_dir.is_dir():
        clear_state(home)
    return StopReport(processes=tuple(outcomes))
