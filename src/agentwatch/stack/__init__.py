"""The local stack: real Prometheus and Alertmanager processes (and, unless told otherwise, the
built-in simulated agent system) started, health-checked, supervised and stopped."""

from typing import TYPE_CHECKING

from agentwatch._lazy import lazy_exports

# Imported when first used (agentwatch._lazy): the supervisor and `agentwatch status` do without
# the tree checks of `agentwatch check` and the dashboards they generate.
if TYPE_CHECKING:
    from ._backfill import backfill_history
    from ._binaries import Binaries, find_binaries
    from ._detach import run_supervisor_process, start_detached
    from ._down import StopReport, stop_stack
    from ._errors import (
        AlreadyRunningError,
        BinaryNotFoundError,
        ConfigInvalidError,
        PortInUseError,
        StackError,
        StartupFailedError,
        StopRequestedError,
    )
    from ._layout import StackHome
    from ._plan import Component, Endpoint, StackPlan, build_plan, simulate_command
    from ._ports import check_ports, port_in_use
    from ._state import HomeLock, read_state
    from ._status import EndpointStatus, StackStatus, stack_status
    from ._supervisor import Supervisor
    from ._tools import CheckResult, rule_file_problem
    from ._up import open_stack, plan_stack, run_foreground, up_stack
    from ._validate import COMPOSE_FILE, check_tree
else:
    __getattr__, __dir__ = lazy_exports(__name__)

__all__ = [
    "COMPOSE_FILE",
    "AlreadyRunningError",
    "Binaries",
    "BinaryNotFoundError",
    "CheckResult",
    "Component",
    "ConfigInvalidError",
    "Endpoint",
    "EndpointStatus",
    "HomeLock",
    "PortInUseError",
    "StackError",
    "StackHome",
    "StackPlan",
    "StackStatus",
    "StartupFailedError",
    "StopReport",
    "StopRequestedError",
    "Supervisor",
    "backfill_history",
    "build_plan",
    "check_ports",
    "check_tree",
    "find_binaries",
    "open_stack",
    "plan_stack",
    "port_in_use",
    "read_state",
    "rule_file_problem",
    "run_foreground",
    "run_supervisor_process",
    "simulate_command",
    "stack_status",
    "start_detached",
    "stop_stack",
    "up_stack",
]
