"""What a running stack records in ``HOME/run/``, so ``status`` and ``down`` can find it.

``supervisor.pid`` is both the supervisor's pid file and its lock (``flock``): the lock is held
exactly as long as the supervisor lives, so a crash never leaves a stale "already running".
``stack.json`` lists each child with its pid, start time, log and URLs; ``<component>.pid``
files hold the bare pids for people and scripts.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shlex
from dataclasses import asdict, dataclass, field
from typing import Any

from agentwatch.render import write_text

from ._errors import AlreadyRunningError
from ._layout import StackHome
from ._plan import Endpoint

__all__ = ["ComponentRecord", "HomeLock", "StackState", "clear_state", "read_state", "write_state"]

_STATE_VERSION = 1


@dataclass(frozen=True)
class ComponentRecord:
    name: str
    pid: int
    create_time: float
    log: str
    endpoints: tuple[Endpoint, ...]
    restarts: int = 0


@dataclass(frozen=True)
class StackState:
    home: str
    supervisor_pid: int
    # starting → running → stopping; status reports it so a restarting child is not a mystery.
    phase: str
    demo: bool
    components: tuple[ComponentRecord, ...] = field(default=())


def write_state(home: StackHome, state: StackState) -> None:
    data = {"version": _STATE_VERSION, **asdict(state)}
    write_text(home.state_file, json.dumps(data, indent=2) + "\n")
    for record in state.components:
        write_text(home.pid_file(record.name), f"{record.pid}\n")


def _record(data: dict[str, Any]) -> ComponentRecord:
    return ComponentRecord(
        name=str(data["name"]),
        pid=int(data["pid"]),
        create_time=float(data["create_time"]),
        log=str(data["log"]),
        endpoints=tuple(
            Endpoint(
                str(e["label"]),
                str(e["url"]),
                str(e["health_url"]),
                cluster_url=str(e["cluster_url"]) if e.get("cluster_url") else None,
                cluster_size=int(e.get("cluster_size", 0)),
            )
            for e in data["endpoints"]
        ),
        restarts=int(data.get("restarts", 0)),
    )


def read_state(home: StackHome) -> StackState | None:
    """The recorded state, or None when there is none (or it is unreadable: a half-written file
    cannot happen, writes are atomic, but a hand-edited one can)."""
    try:
        data = json.loads(home.state_file.read_text(encoding="utf-8"))
        return StackState(
            home=str(data["home"]),
            supervisor_pid=int(data["supervisor_pid"]),
            phase=str(data["phase"]),
            demo=bool(data["demo"]),
            components=tuple(_record(c) for c in data["components"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def clear_state(home: StackHome) -> None:
    state = read_state(home)
    names = {c.name for c in state.components} if state else set()
    names |= {path.stem for path in home.run_dir.glob("*.pid") if path != home.supervisor_pid_file}
    for name in names:
        home.pid_file(name).unlink(missing_ok=True)
    home.state_file.unlink(missing_ok=True)


class HomeLock:
    """An exclusive lock on the home directory, held by whoever runs its stack.

    ``up --detach`` takes it, then hands the same open file to the supervisor it starts
    (``adopt``), so there is no moment when a second ``up`` could slip in.
    """

    def __init__(self, home: StackHome, fd: int) -> None:
        self.home = home
        self.fd = fd

    @classmethod
    def acquire(cls, home: StackHome) -> HomeLock:
        home.run_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(home.supervisor_pid_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = cls.holder(home)
            where = shlex.quote(str(home.root))
            raise AlreadyRunningError(
                f"a stack is already running in {home.root}"
                + (f" (supervisor pid {holder})" if holder else "")
                + f". See it with `agentwatch status --home {where}`; "
                + f"stop it with `agentwatch down --home {where}`."
            ) from None
        lock = cls(home, fd)
        lock.record_pid(os.getpid())
        return lock

    @classmethod
    def adopt(cls, home: StackHome, fd: int) -> HomeLock:
        """Take over a lock passed down by the process that acquired it."""
        os.set_inheritable(fd, False)
        lock = cls(home, fd)
        lock.record_pid(os.getpid())
        return lock

    @staticmethod
    def holder(home: StackHome) -> int | None:
        """The pid of the process holding the lock, or None when nobody holds it."""
        try:
            fd = os.open(home.supervisor_pid_file, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                text = os.pread(fd, 64, 0).decode("ascii", errors="replace").strip()
                # Held, but the pid may not be written yet: 0 still means "held".
                return int(text) if text.isdigit() else 0
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)

    def record_pid(self, pid: int) -> None:
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, f"{pid}\n".encode(), 0)

    def close(self) -> None:
        """Let go of this copy; the lock lasts while another process still holds the file."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def release(self) -> None:
        """Give the home up: empty the pid file (it is never deleted, see below) and unlock.

        Deleting a lock file races with a process that opened it just before: it would lock
        the deleted file while a third locks a new one.
        """
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                os.ftruncate(self.fd, 0)
            self.close()
