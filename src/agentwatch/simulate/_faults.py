"""Faults that can be injected into the simulated system, and their text form.

``kind[:key=value]...`` — for example ``memory_leak:agent=optimizer-0:at=60s:for=10m``,
``crash:type=security:at=30s:for=2m`` or ``emergency_flood:at=10s:for=1m:rate=500``.
``at`` is an offset from the start of the simulation (or from now, for a fault sent to a
running simulation); ``for`` is how long the fault lasts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from agentwatch.spec import duration_seconds

from ._fault_kind import FaultKind
from ._routing import Topology

__all__ = [
    "ActiveFaults",
    "Fault",
    "FaultError",
    "FaultKind",
    "FaultSchedule",
    "parse_fault",
    "resolve_target",
]


# Faults that act on agents need to know which; the others have a sensible default target.
_NEEDS_TARGET = {FaultKind.CRASH, FaultKind.SLOWDOWN, FaultKind.MEMORY_LEAK, FaultKind.QUEUE_BACKUP}
_DEFAULT_SECONDS = {
    FaultKind.CRASH: 120.0,
    FaultKind.SLOWDOWN: 300.0,
    FaultKind.MEMORY_LEAK: 1800.0,
    FaultKind.QUEUE_BACKUP: 300.0,
    FaultKind.EMERGENCY_FLOOD: 60.0,
    FaultKind.UNAUTHORIZED_ACCESS: 120.0,
    FaultKind.VOICE_AUTH_FAILURES: 300.0,
    FaultKind.AUDIO_CAPTURE_ANOMALY: 300.0,
}
# rate: messages/s (flood), attempts/s (unauthorized), MiB/s (leak).
_DEFAULT_RATE = {
    FaultKind.EMERGENCY_FLOOD: 500.0,
    FaultKind.UNAUTHORIZED_ACCESS: 20.0,
    FaultKind.MEMORY_LEAK: 1.0,
}
_DEFAULT_FACTOR = 5.0  # slowdown: service times multiplied by this
# ratio: share of voice authentications failing / captures with an anomaly during the fault.
_DEFAULT_RATIO = {FaultKind.VOICE_AUTH_FAILURES: 0.6, FaultKind.AUDIO_CAPTURE_ANOMALY: 0.3}
_PARAMETERS: dict[FaultKind, frozenset[str]] = {
    kind: frozenset(
        {"agent", "type", "at", "for"}
        | ({"rate"} if kind in _DEFAULT_RATE else set())
        | ({"factor"} if kind is FaultKind.SLOWDOWN else set())
        | ({"ratio"} if kind in _DEFAULT_RATIO else set())
    )
    for kind in FaultKind
}
_DEFAULT_TYPE = {
    FaultKind.UNAUTHORIZED_ACCESS: "security",
    FaultKind.VOICE_AUTH_FAILURES: "voice",
    FaultKind.AUDIO_CAPTURE_ANOMALY: "voice",
}

SYNTAX = "KIND[:agent=ID|:type=TYPE][:at=DURATION][:for=DURATION][:rate=N][:factor=N][:ratio=N]"


class FaultError(ValueError):
    """A fault description that cannot be used; the message names it and what was expected."""


@dataclass(frozen=True, slots=True)
class Fault:
    kind: FaultKind
    agent: str | None = None
    type: str | None = None
    at: float = 0.0
    duration: float = 60.0
    rate: float = 0.0
    factor: float = 1.0
    ratio: float = 0.0
    text: str = ""

    def describe(self) -> str:
        return self.text or self.kind.value


def _number(text: str, key: str, spec: str, *, low: float, high: float | None = None) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FaultError(f"fault {spec!r}: {key}={text!r} is not a number") from None
    if not (value >= low and (high is None or value <= high)):
        bound = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise FaultError(f"fault {spec!r}: {key} must be {bound}, got {text}")
    return value


def _duration(text: str, key: str, spec: str, *, allow_zero: bool) -> float:
    if allow_zero and text in ("0", "0s"):
        return 0.0
    try:
        seconds = duration_seconds(text)
    except ValueError as exc:
        raise FaultError(f"fault {spec!r}: {key}: {exc}") from None
    if seconds <= 0 and not allow_zero:
        raise FaultError(f"fault {spec!r}: {key} must be a positive duration, got {text!r}")
    return seconds


def parse_fault(text: str) -> Fault:
    """A fault from its text form; FaultError names the text and what was expected."""
    spec = text.strip()
    kind_text, *parts = spec.split(":")
    try:
        kind = FaultKind(kind_text.strip())
    except ValueError:
        kinds = ", ".join(k.value for k in FaultKind)
        raise FaultError(
            f"fault {spec!r}: unknown kind {kind_text!r} (expected one of {kinds}; syntax {SYNTAX})"
        ) from None
    values: dict[str, str] = {}
    for part in parts:
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise FaultError(f"fault {spec!r}: expected key=value, got {part!r} (syntax {SYNTAX})")
        if key not in _PARAMETERS[kind]:
            allowed = ", ".join(sorted(_PARAMETERS[kind]))
            raise FaultError(f"fault {spec!r}: {kind} takes {allowed}, not {key!r}")
        if key in values:
            raise FaultError(f"fault {spec!r}: {key} is given twice")
        values[key] = value
    if "agent" in values and "type" in values:
        raise FaultError(f"fault {spec!r}: give agent= or type=, not both")
    if kind in _NEEDS_TARGET and "agent" not in values and "type" not in values:
        raise FaultError(f"fault {spec!r}: {kind} needs a target: agent=ID or type=TYPE")
    return Fault(
        kind=kind,
        agent=values.get("agent"),
        type=values.get("type", None if "agent" in values else _DEFAULT_TYPE.get(kind)),
        at=_duration(values["at"], "at", spec, allow_zero=True) if "at" in values else 0.0,
        duration=(
            _duration(values["for"], "for", spec, allow_zero=False)
            if "for" in values
            else _DEFAULT_SECONDS[kind]
        ),
        rate=(
            _number(values["rate"], "rate", spec, low=0.0)
            if "rate" in values
            else _DEFAULT_RATE.get(kind, 0.0)
        ),
        factor=(
            _number(values["factor"], "factor", spec, low=1.0, high=1000.0)
            if "factor" in values
            else _DEFAULT_FACTOR
        ),
        ratio=(
            _number(values["ratio"], "ratio", spec, low=0.0, high=1.0)
            if "ratio" in values
            else _DEFAULT_RATIO.get(kind, 0.0)
        ),
        text=spec,
    )


@dataclass(frozen=True, slots=True)
class ScheduledFault:
    fault: Fault
    start: float  # simulated Unix time
    end: float
    agents: NDArray[np.bool_]  # the agents it acts on (for type-wide faults: all of the type)
    target_type: int  # -1 when the fault is not aimed at a type


@dataclass
class ActiveFaults:
    """What the faults active during one step do, as per-agent arrays and system values."""

    crashed: NDArray[np.bool_]
    stalled: NDArray[np.bool_]
    slowdown: NDArray[np.float64]
    leak_bytes_per_second: NDArray[np.float64]
    auth_failure_ratio: NDArray[np.float64]  # per agent: extra share of failing authentications
    anomaly_ratio: NDArray[np.float64]
    # (receiver type or -1 for the default receivers, messages per second)
    floods: list[tuple[int, float]] = field(default_factory=list)
    # (attacked type, attempts per second)
    intrusions: list[tuple[int, float]] = field(default_factory=list)


# Faults that act on a whole agent type, not on one instance: an emergency flood goes to a type's
# receivers and intrusion attempts are messages routed to a type, whichever instance takes them.
_TYPE_WIDE = {FaultKind.EMERGENCY_FLOOD, FaultKind.UNAUTHORIZED_ACCESS}
# Faults that act on the voice pipeline, which only agents of this type run.
_VOICE_ONLY = {FaultKind.VOICE_AUTH_FAILURES, FaultKind.AUDIO_CAPTURE_ANOMALY}
VOICE_TYPE = "voice"


def resolve_target(fault: Fault, topology: Topology) -> tuple[NDArray[np.bool_], int]:
    """The agents ``fault`` acts on and its target type (-1: none), or FaultError.

    FaultError when the target does not exist, and when the fault could not have any effect on
    it (a fault that reports "injected" and does nothing would teach a user that an alert is
    broken): an intrusion at a type every sender may reach, a voice fault on an agent that runs
    no voice pipeline, a type-wide fault aimed at one agent.
    """
    agents = np.zeros(topology.n_agents, dtype=bool)
    target_type = -1
    if fault.agent is not None:
        if fault.agent not in topology.agent_ids:
            example = topology.agent_ids[0]
            raise FaultError(
                f"fault {fault.describe()!r}: no agent {fault.agent!r} in this simulation "
                f"(agent ids are TYPE-N, e.g. {example})"
            )
        agent = topology.agent_ids.index(fault.agent)
        agents[agent] = True
        if fault.kind in _TYPE_WIDE:
            agent_type = topology.types[topology.agent_type[agent]]
            raise FaultError(
                f"fault {fault.describe()!r}: {fault.kind} acts on an agent type, not on one "
                f"agent; give type={agent_type} (the type of {fault.agent})"
            )
    elif fault.type is not None:
        if fault.type not in topology.types:
            raise FaultError(
                f"fault {fault.describe()!r}: no agent type {fault.type!r} in this "
                f"simulation (types: {', '.join(topology.types)})"
            )
        target_type = topology.types.index(fault.type)
        agents[topology.instances[target_type]] = True
    _check_effect(fault, topology, agents, target_type)
    return agents, target_type


def _check_effect(
    fault: Fault, topology: Topology, agents: NDArray[np.bool_], target_type: int
) -> None:
    """FaultError when ``fault`` on this target could change nothing in the simulation."""
    if fault.kind is FaultKind.UNAUTHORIZED_ACCESS and topology.allowed[:, target_type].all():
        raise FaultError(
            f"fault {fault.describe()!r}: every sender may reach {fault.type}, so no "
            f"attempt on it is unauthorized; aim at a type with restricted senders, "
            f"such as {_restricted_example(topology)}"
        )
    if fault.kind in _VOICE_ONLY:
        voice = topology.types.index(VOICE_TYPE) if VOICE_TYPE in topology.types else -1
        if not (topology.agent_type[agents] == voice).any():
            target = fault.agent or fault.type
            raise FaultError(
                f"fault {fault.describe()!r}: {target} runs no voice pipeline; {fault.kind} acts "
                f"on {VOICE_TYPE} agents only"
                + ("" if voice >= 0 else f" (this simulation has no {VOICE_TYPE} type)")
            )


def _restricted_example(topology: Topology) -> str:
    restricted = [t for i, t in enumerate(topology.types) if not topology.allowed[:, i].all()]
    return restricted[0] if restricted else "(none in this simulation)"


class FaultSchedule:
    """The faults of one simulation, resolved against its agents."""

    def __init__(self, topology: Topology) -> None:
        self._topology = topology
        self._faults: list[ScheduledFault] = []

    def add(self, fault: Fault, now: float) -> ScheduledFault:
        """Schedule ``fault`` at ``now + fault.at``; FaultError if its target does not exist."""
        agents, target_type = resolve_target(fault, self._topology)
        start = now + fault.at
        scheduled = ScheduledFault(fault, start, start + fault.duration, agents, target_type)
        self._faults.append(scheduled)
        return scheduled

    def scheduled(self) -> list[ScheduledFault]:
        return list(self._faults)

    def active(self, t0: float, t1: float) -> ActiveFaults:
        """The faults in effect during the step [t0, t1): those that overlap it."""
        n = self._topology.n_agents
        state = ActiveFaults(
            crashed=np.zeros(n, dtype=bool),
            stalled=np.zeros(n, dtype=bool),
            slowdown=np.ones(n),
            leak_bytes_per_second=np.zeros(n),
            auth_failure_ratio=np.zeros(n),
            anomaly_ratio=np.zeros(n),
        )
        for item in self._faults:
            if not (item.start < t1 and item.end > t0):
                continue
            # Share of the step the fault covers, so rates stay exact whatever the step.
            cover = (min(t1, item.end) - max(t0, item.start)) / (t1 - t0)
            fault, agents = item.fault, item.agents
            match fault.kind:
                case FaultKind.CRASH:
                    state.crashed |= agents
                case FaultKind.QUEUE_BACKUP:
                    state.stalled |= agents
                case FaultKind.SLOWDOWN:
                    state.slowdown[agents] = np.maximum(state.slowdown[agents], fault.factor)
                case FaultKind.MEMORY_LEAK:
                    state.leak_bytes_per_second[agents] += fault.rate * 1024 * 1024 * cover
                case FaultKind.EMERGENCY_FLOOD:
                    state.floods.append((item.target_type, fault.rate * cover))
                case FaultKind.UNAUTHORIZED_ACCESS:
                    state.intrusions.append((item.target_type, fault.rate * cover))
                case FaultKind.VOICE_AUTH_FAILURES:
                    state.auth_failure_ratio[agents] = np.maximum(
                        state.auth_failure_ratio[agents], fault.ratio
                    )
                case FaultKind.AUDIO_CAPTURE_ANOMALY:
                    state.anomaly_ratio[agents] = np.maximum(
                        state.anomaly_ratio[agents], fault.ratio
                    )
        return state
