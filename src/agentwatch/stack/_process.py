"""Child processes: start with output into a log file, stop with SIGTERM then SIGKILL."""

from __future__ import annotations

import contextlib
import ctypes
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import psutil

__all__ = ["Child", "describe_exit", "find_process", "log_tail", "stop_children", "stop_processes"]

_PR_SET_PDEATHSIG = 1


def _die_with_parent_hook() -> Callable[[], None] | None:
    """A pre-exec hook asking Linux to SIGTERM the child when its parent dies.

    It keeps a SIGKILLed supervisor from leaving Prometheus running with nobody to stop it.
    The signal fires when the *thread* that forked the child exits, so children must be
    started from the supervisor's main thread (they are). libc is loaded here, in the
    parent, because the hook runs between fork and exec where little is safe.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None

    def hook() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)

    return hook


_PREEXEC = _die_with_parent_hook()


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"was killed by signal {-returncode}"
    return f"exited with code {returncode}"


def log_tail(path: Path, *, start: int = 0, lines: int = 20) -> str:
    """The last ``lines`` lines of ``path`` written after byte offset ``start``."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            # A log can be large; the last 64 KiB hold far more than the lines we show.
            handle.seek(max(start, size - 65536, 0))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


class Child:
    """One run of a component. A restart is a new Child."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.argv = tuple(argv)
        self.log_path = log_path
        self.cwd = cwd
        self.env = dict(env) if env is not None else None
        self.started_at = 0.0
        self.log_offset = 0
        self._create_time: float | None = None
        self._popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            stamp = datetime.now(UTC).isoformat(timespec="seconds")
            # A full disk must not keep a component from (re)starting for want of this line.
            with contextlib.suppress(OSError):
                log.write(f"--- {stamp} agentwatch starts: {shlex.join(self.argv)}\n".encode())
                log.flush()
            self.log_offset = log.tell()
            self._popen = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.cwd,
                env=self.env,
                # Its own process group: a Ctrl-C in the terminal reaches only the supervisor,
                # which then stops the children in order instead of all of them at once.
                process_group=0,
                preexec_fn=_PREEXEC,  # noqa: PLW1509  (only prctl; no locks, no allocation)
            )
        self.started_at = time.monotonic()

    @property
    def pid(self) -> int:
        if self._popen is None:
            raise RuntimeError(f"{self.name} was never started")
        return self._popen.pid

    def create_time(self) -> float:
        """The OS's start time of the process: with the pid, it identifies it across reuse."""
        if self._create_time is None:
            try:
                self._create_time = psutil.Process(self.pid).create_time()
            except psutil.Error:
                return 0.0
        return self._create_time

    def poll(self) -> int | None:
        return None if self._popen is None else self._popen.poll()

    @property
    def running(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    def uptime(self) -> float:
        return time.monotonic() - self.started_at

    def tail(self, lines: int = 20) -> str:
        return log_tail(self.log_path, start=self.log_offset, lines=lines)

    def signal(self, signum: int) -> None:
        if self._popen is not None and self._popen.poll() is None:
            self._popen.send_signal(signum)

    def wait(self, timeout: float) -> int | None:
        if self._popen is None:
            return None
        try:
            return self._popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None


def stop_children(children: Iterable[Child], timeout: float) -> dict[str, str]:
    """SIGTERM every running child at once, SIGKILL those still alive after ``timeout``.

    Returns what happened to each, by name. Signalling all first makes the total wait the
    slowest child's shutdown rather than the sum of all of them.
    """
    running = [child for child in children if child.running]
    for child in running:
        child.signal(signal.SIGTERM)
    outcome: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    for child in running:
        code = child.wait(max(0.0, deadline - time.monotonic()))
        if code is None:
            child.signal(signal.SIGKILL)
            child.wait(10.0)
            outcome[child.name] = f"killed (did not stop within {timeout:.0f}s of SIGTERM)"
        else:
            outcome[child.name] = "stopped"
    return outcome


def find_process(pid: int, create_time: float | None = None) -> psutil.Process | None:
    """The live process ``pid``, if it is the one started at ``create_time`` (pids are reused)."""
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return None
        if create_time is not None and abs(process.create_time() - create_time) > 1.0:
            return None
    except psutil.Error:
        return None
    return process


def _gone(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.Error:
        return True


def stop_processes(processes: Sequence[psutil.Process], timeout: float) -> list[psutil.Process]:
    """SIGTERM ``processes`` (not our children), SIGKILL any left after ``timeout``.

    Returns the ones that were still alive and had to be killed.
    """
    for process in processes:
        with contextlib.suppress(psutil.Error):
            process.terminate()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not all(_gone(p) for p in processes):
        time.sleep(0.1)
    killed = [p for p in processes if not _gone(p)]
    for process in killed:
        with contextlib.suppress(psutil.Error):
            process.kill()
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline and not all(_gone(p) for p in killed):
        time.sleep(0.1)
    return killed
