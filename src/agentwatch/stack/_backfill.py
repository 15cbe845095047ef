"""Writing simulated history into Prometheus's data directory before Prometheus starts."""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Callable

from ._errors import StartupFailedError, StopRequestedError
from ._plan import StackPlan, simulate_command
from ._process import describe_exit
from ._signals import on_stop_signals

__all__ = ["backfill_history"]


def backfill_history(plan: StackPlan, duration: str, on_line: Callable[[str], None]) -> None:
    """Run ``agentwatch simulate --backfill`` into Prometheus's data dir, before Prometheus
    starts (blocks written under a running TSDB are not picked up reliably). Its output goes
    to ``on_line`` as progress and to HOME/logs/backfill.log."""
    home = plan.home
    home.prometheus_data.mkdir(parents=True, exist_ok=True)
    argv = simulate_command(plan.config_path, backfill=duration, tsdb=home.prometheus_data)
    log_path = home.log_file("backfill")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    stopped = False
    with log_path.open("ab") as log:
        log.write(f"--- agentwatch runs: {shlex.join(argv)}\n".encode())
        try:
            process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
            )
        except OSError as exc:
            raise StartupFailedError(f"cannot run the history backfill: {exc}") from None

        def stop() -> None:
            nonlocal stopped
            stopped = True
            process.terminate()

        with on_stop_signals(stop):
            assert process.stdout is not None  # stdout=PIPE
            for raw in process.stdout:
                log.write(raw)
                log.flush()
                on_line(raw.decode("utf-8", errors="replace").rstrip("\r\n"))
            code = process.wait()
    if stopped:
        raise StopRequestedError("stopped during the history backfill; nothing else was started")
    if code != 0:
        raise StartupFailedError(
            f"the history backfill ({shlex.join(argv)}) {describe_exit(code)}; "
            f"its output is above and in {log_path}"
        )
