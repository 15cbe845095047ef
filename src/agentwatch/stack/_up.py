"""``agentwatch up``: everything that can fail on bad input (binaries, lock, ports, configs,
history) happens in the calling process, so the user sees those errors directly; then the stack
is supervised in that process (foreground) or by a detached supervisor."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path

from agentwatch.exit_codes import EXIT_BAD_INPUT
from agentwatch.exporters import filesystem_space
from agentwatch.spec import Spec

from ._backfill import backfill_history
from ._binaries import find_binaries
from ._configs import render_configs, validate_configs
from ._detach import start_detached
from ._disk import low_space_warning
from ._errors import StackError
from ._layout import StackHome
from ._plan import StackPlan, build_plan
from ._ports import check_ports
from ._signals import on_stop_signals
from ._state import HomeLock
from ._supervisor import Supervisor

__all__ = ["open_stack", "plan_stack", "run_foreground", "up_stack"]


def plan_stack(
    spec: Spec,
    home: StackHome,
    *,
    config_path: Path | None,
    demo: bool,
    simulate_argv: Sequence[str] | None = None,
    path: str | None = None,
) -> StackPlan:
    """The plan, after finding the binaries (BinaryNotFoundError names the package to install).

    A spec with scrape.shards above 1 is refused (exit 2): the stack runs one Prometheus, and
    shard 0's config alone would leave the other shards' targets unscraped without a word.
    """
    if spec.scrape.shards > 1:
        raise StackError(
            f"{config_path or 'the spec'}: scrape.shards: {spec.scrape.shards} shards need one "
            "Prometheus each and `agentwatch up` runs one: run a Prometheus per "
            "prometheus/prometheus-shard-<i>.yml that `agentwatch generate` writes "
            "(docs/scale-out.md), or set scrape.shards to 1",
            exit_code=EXIT_BAD_INPUT,
        )
    return build_plan(
        spec,
        home,
        find_binaries(path),
        config_path=config_path,
        demo=demo,
        simulate_argv=simulate_argv,
    )


def open_stack(plan: StackPlan) -> HomeLock:
    """Take the home's lock, check ports, render and validate the configs.

    Nothing is started. On success the caller holds the returned lock; on failure it has
    been released.
    """
    try:
        lock = HomeLock.acquire(plan.home)
    except OSError as exc:
        raise StackError(f"cannot use {plan.home.root} as the home directory: {exc}") from None
    try:
        config_file = str(plan.config_path) if plan.config_path is not None else None
        check_ports(plan.spec.listen_address, plan.ports(), config_file=config_file)
        try:
            plan.home.create()
            render_configs(plan)
        except OSError as exc:
            raise StackError(f"cannot prepare {plan.home.root}: {exc}") from None
        validate_configs(plan)
    except BaseException:
        lock.release()
        raise
    return lock


def up_stack(
    plan: StackPlan,
    *,
    detach: bool,
    history: str | None = None,
    on_progress: Callable[[str], None],
    on_ready: Callable[[], None],
) -> None:
    """``agentwatch up``: check and prepare, backfill history, start, then either supervise
    here until a stop signal (foreground) or return once a detached supervisor has the stack
    running. ``on_progress`` gets progress lines; ``on_ready`` is called once all is healthy.
    """
    lock = open_stack(plan)
    try:
        if history is not None:
            on_progress(
                f"Backfilling {history} of simulated history into {plan.home.prometheus_data}"
            )
            backfill_history(plan, history, on_progress)
    except BaseException:
        lock.release()
        raise
    if detach:
        # The detached supervisor's warnings go to its log only; say this one here too.
        with contextlib.suppress(OSError):
            space = filesystem_space(plan.home.root)
            min_ratio = plan.spec.thresholds.home_filesystem_avail_min_ratio
            if space.avail_ratio < min_ratio:
                on_progress(low_space_warning(plan.home.root, space, min_ratio))
        start_detached(plan, lock)
        on_ready()
    else:
        run_foreground(plan, lock, on_ready=on_ready, echo=on_progress)


def run_foreground(
    plan: StackPlan,
    lock: HomeLock,
    *,
    on_ready: Callable[[], None],
    echo: Callable[[str], None] | None = None,
) -> None:
    """Start the stack and supervise it in this process until SIGINT/SIGTERM/SIGHUP."""
    supervisor = Supervisor(plan, echo=echo)
    try:
        with on_stop_signals(supervisor.request_stop):
            try:
                supervisor.start()
                on_ready()
                supervisor.run()
            finally:
                supervisor.stop()
    finally:
        lock.release()
