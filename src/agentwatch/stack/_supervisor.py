"""The supervisor: starts the components, waits until each is ready, restarts any that die
(with back-off, saying why), and stops them all on request."""

from __future__ import annotations

import os
import shlex
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from agentwatch.render import append_text

from ._disk import HomeSpaceWatch
from ._errors import StartupFailedError, StopRequestedError
from ._health import Prober
from ._plan import Component, Endpoint, StackPlan
from ._process import Child, describe_exit, stop_children
from ._state import ComponentRecord, StackState, clear_state, write_state

__all__ = [
    "DEFAULT_READY_TIMEOUT",
    "DEFAULT_STOP_TIMEOUT",
    "SUPERVISOR_STOP_TIMEOUT",
    "EventLog",
    "Supervisor",
]

INITIAL_BACKOFF = 1.0
MAX_BACKOFF = 60.0
DEFAULT_READY_TIMEOUT = 90.0
DEFAULT_STOP_TIMEOUT = 30.0
# How long a supervisor may take to stop its children before it is itself SIGKILLed.
SUPERVISOR_STOP_TIMEOUT = DEFAULT_STOP_TIMEOUT + 15.0
# A child that ran this long before dying is treated as a fresh failure, not a crash loop.
STABLE_AFTER = 60.0
_POLL = 0.2


class EventLog:
    """Timestamped lines in HOME/logs/supervisor.log, echoed to the terminal when there is one."""

    def __init__(self, path: Path, echo: Callable[[str], None] | None = None) -> None:
        self.path = path
        self._echo = echo
        self._failing = False

    def __call__(self, message: str, *, detail: str = "") -> None:
        """Record ``message``; ``detail`` (a command line, say) goes to the file only.

        A log that cannot be written (a full disk) must not stop the supervisor: the failure
        is said once on the terminal, and the message still goes there.
        """
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            append_text(self.path, f"{stamp} {message}{detail}\n", mode=0o644)
        except OSError as exc:
            if not self._failing and self._echo is not None:
                self._echo(f"cannot write {self.path}: {exc.strerror or exc}")
            self._failing = True
        else:
            self._failing = False
        if self._echo is not None:
            self._echo(message)


@dataclass
class _Slot:
    component: Component
    child: Child
    backoff: float = INITIAL_BACKOFF
    restart_at: float | None = None
    restarts: int = 0


def _indent(text: str) -> str:
    return textwrap.indent(text, "  | ") if text else "  | (nothing in the log)"


class Supervisor:
    """Runs a StackPlan's components as children of the current process.

    Single-threaded on purpose: children are told to die with the thread that started them
    (see ``_process``), and ``request_stop`` is called from signal handlers, which only set a
    flag that the polling loops read.
    """

    def __init__(
        self,
        plan: StackPlan,
        *,
        echo: Callable[[str], None] | None = None,
        ready_timeout: float = DEFAULT_READY_TIMEOUT,
        stop_timeout: float = DEFAULT_STOP_TIMEOUT,
    ) -> None:
        self.plan = plan
        self.log = EventLog(plan.home.log_file("supervisor"), echo)
        self.ready_timeout = ready_timeout
        self.stop_timeout = stop_timeout
        self._slots: list[_Slot] = []
        self._phase = "starting"
        self._stop_requested = False
        self._disk = HomeSpaceWatch(
            plan.home.root, plan.spec.thresholds.home_filesystem_avail_min_ratio, self.log
        )
        self._state_failing = False

    def request_stop(self) -> None:
        self._stop_requested = True

    # -- start-up --------------------------------------------------------------------------

    def start(self) -> None:
        """Start every component and wait until all answer their health URLs.

        On any failure everything already started is stopped before the error propagates, so a
        failed start never leaves half a stack behind.
        """
        self.log(f"starting the stack in {self.plan.home.root}")
        self._disk.check()
        try:
            for component in self.plan.components:
                self._check_stop()
                self._slots.append(_Slot(component, self._spawn(component)))
                self._save()
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        self._phase = "running"
        self._save()
        self.log("every component is ready")

    def _spawn(self, component: Component) -> Child:
        # Children inherit the working directory: every path they are given is absolute, and
        # `python -m agentwatch simulate` finds the package as this process did.
        child = Child(
            component.name,
            component.argv,
            self.plan.home.log_file(component.name),
            env=self.plan.child_environment(),
        )
        try:
            child.start()
        except OSError as exc:
            raise StartupFailedError(
                f"cannot start {component.name} ({component.argv[0]}): {exc.strerror or exc}"
            ) from None
        self.log(
            f"started {component.name} (pid {child.pid})",
            detail=f": {shlex.join(component.argv)}",
        )
        return child

    def _check_stop(self) -> None:
        if self._stop_requested:
            raise StopRequestedError("stopped on request before the stack was up")

    def _died(self, slot: _Slot, code: int) -> StartupFailedError:
        child = slot.child
        return StartupFailedError(
            f"{child.name} {describe_exit(code)} during start-up. "
            f"Last lines of {child.log_path}:\n{_indent(child.tail())}"
        )

    def _wait_ready(self) -> None:
        pending: list[tuple[_Slot, Endpoint]] = [
            (slot, endpoint) for slot in self._slots for endpoint in slot.component.endpoints
        ]
        problems: dict[str, str] = {}
        deadline = time.monotonic() + self.ready_timeout
        with Prober(auth=self.plan.client_auth()) as prober:
            while True:
                self._check_stop()
                for slot in self._slots:
                    code = slot.child.poll()
                    if code is not None:
                        raise self._died(slot, code)
                still: list[tuple[_Slot, Endpoint]] = []
                for slot, endpoint in pending:
                    problem = prober.endpoint_problem(endpoint)
                    if problem is None:
                        self.log(f"{endpoint.label} is ready at {endpoint.url}")
                    else:
                        problems[endpoint.health_url] = problem
                        still.append((slot, endpoint))
                pending = still
                if not pending:
                    return
                if time.monotonic() > deadline:
                    slot, endpoint = pending[0]
                    raise StartupFailedError(
                        f"{endpoint.label} did not become ready within {self.ready_timeout:.0f}s "
                        f"({endpoint.health_url}: {problems[endpoint.health_url]}). "
                        f"Last lines of {slot.child.log_path}:\n{_indent(slot.child.tail())}"
                    )
                time.sleep(_POLL)

    # -- supervision -----------------------------------------------------------------------

    def run(self) -> None:
        """Until ``request_stop``: notice children that died and restart them with back-off."""
        while not self._stop_requested:
            for slot in self._slots:
                self._tend(slot)
            self._disk.check()
            time.sleep(_POLL)

    def _tend(self, slot: _Slot) -> None:
        now = time.monotonic()
        name = slot.component.name
        if slot.restart_at is None:
            code = slot.child.poll()
            if code is None:
                return
            uptime = slot.child.uptime()
            if uptime >= STABLE_AFTER:
                slot.backoff = INITIAL_BACKOFF
            delay = self._schedule_restart(slot, now)
            self.log(
                f"{name} (pid {slot.child.pid}) {describe_exit(code)} after {uptime:.0f}s; "
                f"restarting in {delay:.0f}s. Last lines of {slot.child.log_path}:\n"
                f"{_indent(slot.child.tail(10))}"
            )
        elif now >= slot.restart_at:
            slot.restart_at = None
            try:
                slot.child = self._spawn(slot.component)
            except StartupFailedError as exc:
                delay = self._schedule_restart(slot, now)
                self.log(f"{exc.message}; trying again in {delay:.0f}s")
                return
            slot.restarts += 1
            self.log(f"{name} restarted (restart {slot.restarts})")
            self._save()

    @staticmethod
    def _schedule_restart(slot: _Slot, now: float) -> float:
        delay = slot.backoff
        slot.backoff = min(delay * 2, MAX_BACKOFF)
        slot.restart_at = now + delay
        return delay

    # -- shutdown --------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop every child (SIGTERM, then SIGKILL after ``stop_timeout``). Idempotent."""
        if self._slots:
            self._phase = "stopping"
            self._save()
            children = [slot.child for slot in reversed(self._slots)]
            names = ", ".join(f"{c.name} (pid {c.pid})" for c in children if c.running)
            if names:
                self.log(f"stopping {names}")
            for name, outcome in stop_children(children, self.stop_timeout).items():
                self.log(f"{name}: {outcome}")
            self._slots.clear()
        clear_state(self.plan.home)

    def _save(self) -> None:
        records = tuple(
            ComponentRecord(
                name=slot.component.name,
                pid=slot.child.pid,
                create_time=slot.child.create_time(),
                log=str(slot.child.log_path),
                endpoints=slot.component.endpoints,
                restarts=slot.restarts,
            )
            for slot in self._slots
        )
        state = StackState(
            home=str(self.plan.home.root),
            supervisor_pid=os.getpid(),
            phase=self._phase,
            demo=self.plan.demo,
            components=records,
        )
        # Written atomically, so a failure leaves the previous state whole; supervising (or
        # stopping) must go on regardless.
        try:
            write_state(self.plan.home, state)
        except OSError as exc:
            if not self._state_failing:
                self.log(
                    f"cannot record the stack's state in {self.plan.home.run_dir}: "
                    f"{exc.strerror or exc}; `agentwatch status` may show old pids until it can"
                )
            self._state_failing = True
        else:
            self._state_failing = False
