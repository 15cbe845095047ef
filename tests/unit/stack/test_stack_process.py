"""Child processes: logs, exit descriptions, stopping with SIGTERM then SIGKILL."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

import psutil

from agentwatch.stack._process import (
    Child,
    describe_exit,
    find_process,
    log_tail,
    stop_children,
    stop_processes,
)

# Ignores SIGTERM, so only SIGKILL ends it. The marker is split so that it is not found in the
# log's header line, which echoes the command line.
STUBBORN = (
    "import signal, sys, time\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "print('sig' + 'term ignored', flush=True)\n"
    "time.sleep(60)\n"
)


def _wait_for_line(path: Path, text: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while text not in (path.read_text() if path.exists() else ""):
        assert time.monotonic() < deadline, f"{text!r} never appeared in {path}"
        time.sleep(0.05)


def test_describe_exit() -> None:
    assert describe_exit(0) == "exited with code 0"
    assert describe_exit(3) == "exited with code 3"
    assert describe_exit(-signal.SIGKILL) == "was killed by SIGKILL"


def test_log_tail_reads_only_after_the_offset(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    log.write_text("old 1\nold 2\n")
    start = log.stat().st_size
    with log.open("a") as handle:
        handle.writelines(f"new {i}\n" for i in range(30))
    assert log_tail(log, start=start, lines=3) == "new 27\nnew 28\nnew 29"
    assert "old" not in log_tail(log, start=start, lines=100)
    assert log_tail(tmp_path / "missing.log") == ""


def test_child_output_goes_to_its_log_after_a_header(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "echo.log"
    child = Child("echo", [sys.executable, "-c", "print('hello from the child')"], log, tmp_path)
    child.start()
    assert child.wait(20.0) == 0
    text = log.read_text()
    assert "agentwatch starts:" in text.splitlines()[0]
    assert child.tail() == "hello from the child"


def test_stop_children_terminates_politely(tmp_path: Path) -> None:
    child = Child(
        "sleeper",
        [sys.executable, "-c", "import time; time.sleep(60)"],
        tmp_path / "s.log",
        tmp_path,
    )
    child.start()
    assert stop_children([child], timeout=20.0) == {"sleeper": "stopped"}
    assert child.poll() == -signal.SIGTERM


def test_stop_children_kills_what_ignores_sigterm(tmp_path: Path) -> None:
    log = tmp_path / "stubborn.log"
    child = Child("stubborn", [sys.executable, "-c", STUBBORN], log, tmp_path)
    child.start()
    _wait_for_line(log, "sigterm ignored")
    outcome = stop_children([child], timeout=0.5)
    assert outcome["stubborn"].startswith("killed")
    assert child.poll() == -signal.SIGKILL


def test_find_process_checks_the_start_time(tmp_path: Path) -> None:
    child = Child(
        "sleeper",
        [sys.executable, "-c", "import time; time.sleep(60)"],
        tmp_path / "s.log",
        tmp_path,
    )
    child.start()
    try:
        assert find_process(child.pid, child.create_time()) is not None
        assert find_process(child.pid, child.create_time() - 100) is None
    finally:
        stop_children([child], timeout=20.0)
    assert find_process(child.pid) is None


def test_stop_processes_escalates_to_sigkill(tmp_path: Path) -> None:
    log = tmp_path / "stubborn.log"
    child = Child("stubborn", [sys.executable, "-c", STUBBORN], log, tmp_path)
    child.start()
    _wait_for_line(log, "sigterm ignored")
    process = psutil.Process(child.pid)
    killed = stop_processes([process], timeout=0.5)
    assert [p.pid for p in killed] == [child.pid]
    assert child.wait(10.0) == -signal.SIGKILL
