"""``up --detach``: a supervisor in its own session, which reports on a pipe when the stack is
ready (or why it is not), and holds the home's lock handed down to it."""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Callable

from ._errors import StackError, StartupFailedError, StopRequestedError
from ._plan import StackPlan
from ._process import describe_exit, log_tail
from ._signals import on_stop_signals
from ._state import HomeLock
from ._supervisor import DEFAULT_READY_TIMEOUT, SUPERVISOR_STOP_TIMEOUT, Supervisor

__all__ = ["run_supervisor_process", "start_detached"]

# How long `up --detach` waits for the supervisor beyond its own readiness timeout.
_DETACH_MARGIN = 30.0


def _notify(fd: int, payload: dict[str, object]) -> None:
    # The waiting `up --detach` may already be gone (Ctrl-C); nobody else needs the message.
    with contextlib.suppress(OSError):
        os.write(fd, (json.dumps(payload) + "\n").encode())
    with contextlib.suppress(OSError):
        os.close(fd)


def run_supervisor_process(plan: StackPlan, *, lock_fd: int, ready_fd: int) -> int:
    """The detached supervisor's body: adopt the lock, start, report on ``ready_fd``, supervise.

    Returns the exit code.
    """
    lock = HomeLock.adopt(plan.home, lock_fd)
    os.set_inheritable(ready_fd, False)
    supervisor = Supervisor(plan)
    try:
        with on_stop_signals(supervisor.request_stop):
            try:
                try:
                    supervisor.start()
                except StackError as exc:
                    supervisor.log(f"start-up failed: {exc.message}")
                    _notify(ready_fd, {"ok": False, "message": exc.message, "code": exc.exit_code})
                    return exc.exit_code
                _notify(ready_fd, {"ok": True, "pid": os.getpid()})
                supervisor.run()
                supervisor.log("stop requested")
            finally:
                supervisor.stop()
    finally:
        lock.release()
    return 0


def _supervisor_argv(plan: StackPlan, *, ready_fd: int, lock_fd: int) -> list[str]:
    argv = [sys.executable, "-m", "agentwatch", "up", "--home", str(plan.home.root)]
    if plan.config_path is not None:
        argv += ["--config", str(plan.config_path)]
    if not plan.demo:
        argv.append("--no-demo")
    if plan.spec.ha.enabled:
        # The supervisor reads the config file again; --ha may have come from the command line.
        argv.append("--ha")
    return [
        *argv,
        "--foreground-supervisor",
        "--ready-fd",
        str(ready_fd),
        "--lock-fd",
        str(lock_fd),
    ]


def _read_message(
    process: subprocess.Popen[bytes], fd: int, timeout: float, stopped: Callable[[], bool]
) -> bytes:
    deadline = time.monotonic() + timeout
    buffer = b""
    while b"\n" not in buffer:
        if stopped():
            raise StopRequestedError("stopped on request before the stack was up")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise StartupFailedError(
                f"the supervisor (pid {process.pid}) did not report within {timeout:.0f}s"
            )
        readable, _, _ = select.select([fd], [], [], min(remaining, 0.5))
        if readable:
            chunk = os.read(fd, 65536)
            if not chunk:  # the supervisor exited without a word
                break
            buffer += chunk
    return buffer


def start_detached(
    plan: StackPlan, lock: HomeLock, *, ready_timeout: float = DEFAULT_READY_TIMEOUT
) -> int:
    """Start a supervisor in its own session and wait until it reports the stack ready.

    Returns the supervisor's pid. On failure the supervisor has stopped everything it started
    (or has been made to) before StackError is raised.
    """
    try:
        return _start_detached(plan, lock, ready_timeout)
    finally:
        # The supervisor holds the lock from here on (or has exited and so freed it).
        lock.close()


def _start_detached(plan: StackPlan, lock: HomeLock, ready_timeout: float) -> int:
    home = plan.home
    log_path = home.log_file("supervisor")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    read_fd, write_fd = os.pipe()
    try:
        with log_path.open("ab") as log:
            start = log.tell()
            process = subprocess.Popen(
                _supervisor_argv(plan, ready_fd=write_fd, lock_fd=lock.fd),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # The working directory is inherited on purpose: `python -m agentwatch` must
                # find the package the same way it was found for this process.
                # Its own session: no terminal, so closing the terminal (SIGHUP) or Ctrl-C in
                # it after `up --detach` returned does not reach the stack.
                start_new_session=True,
                pass_fds=(write_fd, lock.fd),
            )
    except OSError as exc:
        os.close(read_fd)
        raise StartupFailedError(f"cannot start the supervisor: {exc}") from None
    finally:
        # Only the supervisor may hold the write end: end of file then means it exited.
        os.close(write_fd)
    interrupted = False

    def stop() -> None:
        nonlocal interrupted
        interrupted = True

    try:
        with on_stop_signals(stop):
            timeout = ready_timeout + _DETACH_MARGIN
            raw = _read_message(process, read_fd, timeout, lambda: interrupted)
            try:
                message = json.loads(raw)
            except ValueError:
                raise StartupFailedError(
                    f"the supervisor (pid {process.pid}) {_how_it_ended(process)} without "
                    f"reporting. Last lines of {log_path}:\n{log_tail(log_path, start=start)}"
                ) from None
            if not message.get("ok"):
                raise StackError(str(message["message"]), exit_code=int(message["code"]))
    except BaseException:
        _end(process)
        raise
    finally:
        os.close(read_fd)
    return process.pid


def _how_it_ended(process: subprocess.Popen[bytes]) -> str:
    try:
        return describe_exit(process.wait(10.0))
    except subprocess.TimeoutExpired:
        return "closed its report pipe"


def _end(process: subprocess.Popen[bytes]) -> None:
    """Make sure a supervisor that failed, or is abandoned, is gone before `up` returns.

    One that reported a failure is already on its way out; give it a moment before SIGTERM,
    on which it stops its own children; SIGKILL if even that takes too long.
    """
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(5.0)
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(SUPERVISOR_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
