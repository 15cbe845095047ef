"""The home lock, the run-state file, and status/down on a home where nothing runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agentwatch.stack import (
    AlreadyRunningError,
    Endpoint,
    HomeLock,
    StackHome,
    read_state,
    stack_status,
    stop_stack,
)
from agentwatch.stack._state import ComponentRecord, StackState, clear_state, write_state


def test_a_second_lock_on_the_same_home_is_refused_with_hints(tmp_path: Path) -> None:
    home = StackHome(tmp_path)
    lock = HomeLock.acquire(home)
    try:
        assert HomeLock.holder(home) == os.getpid()
        with pytest.raises(AlreadyRunningError) as caught:
            HomeLock.acquire(home)
        message = caught.value.message
        assert f"already running in {tmp_path}" in message
        assert f"supervisor pid {os.getpid()}" in message
        assert f"agentwatch status --home {tmp_path}" in message
        assert f"agentwatch down --home {tmp_path}" in message
        assert caught.value.exit_code == 1
    finally:
        lock.release()
    assert HomeLock.holder(home) is None
    assert home.supervisor_pid_file.read_text() == ""
    HomeLock.acquire(home).release()


def test_holder_of_a_home_never_used(tmp_path: Path) -> None:
    assert HomeLock.holder(StackHome(tmp_path / "nowhere")) is None


def test_state_round_trip_and_clear(tmp_path: Path) -> None:
    home = StackHome(tmp_path)
    state = StackState(
        home=str(tmp_path),
        supervisor_pid=10,
        phase="running",
        demo=False,
        components=(
            ComponentRecord(
                name="prometheus",
                pid=11,
                create_time=123.5,
                log=str(tmp_path / "logs" / "prometheus.log"),
                endpoints=(Endpoint("Prometheus", "http://x/", "http://x/-/ready"),),
                restarts=2,
            ),
        ),
    )
    write_state(home, state)
    assert read_state(home) == state
    assert home.pid_file("prometheus").read_text() == "11\n"
    clear_state(home)
    assert read_state(home) is None
    assert not home.pid_file("prometheus").exists()


def test_unreadable_state_is_no_state(tmp_path: Path) -> None:
    home = StackHome(tmp_path)
    home.run_dir.mkdir()
    home.state_file.write_text("{not json")
    assert read_state(home) is None


def test_status_and_down_when_nothing_runs(tmp_path: Path) -> None:
    home = StackHome(tmp_path)
    status = stack_status(home)
    assert status.nothing_running
    assert not status.healthy
    assert stop_stack(home).nothing_running
    assert stop_stack(home).nothing_running  # idempotent


def test_status_ignores_a_dead_recorded_process(tmp_path: Path) -> None:
    home = StackHome(tmp_path)
    write_state(
        home,
        StackState(
            home=str(tmp_path),
            supervisor_pid=1,
            phase="running",
            demo=False,
            components=(
                # Our own pid with another start time: a reused pid, not the recorded process.
                ComponentRecord("prometheus", os.getpid(), 1.0, "log", (), 0),
            ),
        ),
    )
    assert stack_status(home).nothing_running
    assert stop_stack(home).nothing_running
    assert read_state(home) is None  # down cleared the stale record
