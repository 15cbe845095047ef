"""The queueing view of each agent type, and the scaling recommendations drawn from it.

An agent type is a multi-server queue: messages arrive at rate λ (processed + failed per
second; in a steady state what leaves is what arrived), each of its c workers serves them at
μ = 1 / mean processing time, so its utilisation is ρ = λ / (c μ). Little's law gives the
time a message waits in the queue from the queue length: W = L / λ.

Load is forecast once, for the whole fleet (transport throughput); each type's λ is assumed to
grow with it, which holds while the mix of requests stays the same. The target instance count
is the smallest that keeps the forecast peak ρ at or under ``TARGET_UTILISATION``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from agentwatch.analytics._results import Priority, ScalingAction, ScalingRecommendation
from agentwatch.analytics.capacity_queries import TYPE_QUERIES

from ._outlook import Outlook
from ._resources import PromQuerier

__all__ = [
    "COMPUTE_NODES",
    "HORIZON",
    "TARGET_UTILISATION",
    "TypeLoad",
    "fetch_loads",
    "recommend_nodes",
    "recommend_type",
    "urgency",
]

# Utilisation a resource is sized for: queueing delay grows as 1 / (1 - ρ), so 0.7 keeps
# waits near twice the service time while leaving room for bursts. Chosen, not from the spec.
TARGET_UTILISATION: Final = 0.7
# How far ahead a recommendation plans for.
HORIZON: Final = 86_400.0
COMPUTE_NODES: Final = "compute_nodes"


@dataclass(frozen=True, slots=True)
class TypeLoad:
    """One agent type now: arrival rate, service time, capacity and queue."""

    agent_type: str
    arrival_rate: float  # λ, messages/s
    service_time: float  # 1/μ, seconds
    workers_per_instance: float
    instances: int  # alive now
    queue: float  # L, messages waiting

    @property
    def servers(self) -> float:
        return self.workers_per_instance * self.instances

    @property
    def utilisation(self) -> float:
        """ρ = λ / (c μ); infinite with no live servers but arrivals."""
        offered = self.arrival_rate * self.service_time
        if self.servers <= 0:
            return math.inf if offered > 0 else 0.0
        return offered / self.servers

    @property
    def queue_time(self) -> float | None:
        """W = L / λ (Little's law), seconds; None with no arrivals."""
        return self.queue / self.arrival_rate if self.arrival_rate > 0 else None

    def instances_for(self, arrival_rate: float, target: float = TARGET_UTILISATION) -> int:
        """The fewest instances whose workers keep ρ at or under ``target`` at that rate."""
        needed = arrival_rate * self.service_time / (self.workers_per_instance * target)
        # Shave float noise so an exact fit (e.g. 14.000000000000002) is not rounded up.
        return max(1, math.ceil(round(needed, 9)))


def _by_type(api: PromQuerier, query: str, at: float) -> dict[str, float]:
    return {
        s.labels.get("agent_type", ""): s.value
        for s in api.query(query, at=at)
        if math.isfinite(s.value)
    }


def fetch_loads(api: PromQuerier, at: float) -> dict[str, TypeLoad]:
    """Each agent type with a measured service time and live workers."""
    data = {name: _by_type(api, query, at) for name, query in TYPE_QUERIES.items()}
    loads = {}
    for agent_type, service_time in sorted(data["service_time"].items()):
        instances = data["instances"].get(agent_type, 0.0)
        workers = data["workers"].get(agent_type, 0.0)
        if instances <= 0 or workers <= 0 or service_time <= 0:
            continue
        loads[agent_type] = TypeLoad(
            agent_type=agent_type,
            arrival_rate=data["processed_rate"].get(agent_type, 0.0)
            + data["error_rate"].get(agent_type, 0.0),
            service_time=service_time,
            workers_per_instance=workers / instances,
            instances=round(data["active"].get(agent_type, instances)),
            queue=data["queue"].get(agent_type, 0.0),
        )
    return loads


def urgency(seconds: float | None) -> tuple[Priority, str]:
    """Priority and timeline from how soon the target is crossed (0 = already)."""
    if seconds is None:
        return Priority.LOW, "within 1d"
    if seconds <= 0:
        return Priority.HIGH, "immediate"
    if seconds <= 3600:
        return Priority.HIGH, "within 1h"
    if seconds <= 6 * 3600:
        return Priority.MEDIUM, "within 6h"
    return Priority.LOW, "within 1d"


def _when(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds <= 0:
        return " (already)"
    return f" in {seconds / 3600:.1f} h"


def recommend_type(load: TypeLoad, growth: Outlook | None) -> ScalingRecommendation:
    """``growth`` is the fleet load relative to now (1.0 = today's rate); None: no forecast,
    so the recommendation rests on the current load only."""
    rho = load.utilisation
    factor = growth.peak(HORIZON) if growth is not None else 1.0
    peak_rate = load.arrival_rate * factor
    target = load.instances_for(peak_rate)
    peak_rho = rho * factor
    crossing = (
        growth.scaled(rho).crossing(TARGET_UTILISATION, HORIZON)
        if growth is not None
        else (0.0 if rho >= TARGET_UTILISATION else None)
    )
    wait = load.queue_time
    reason = (
        f"ρ = λ/(cμ) = {load.arrival_rate:.2f}/({load.servers:g} × {1 / load.service_time:.2f})"
        f" = {rho:.2f} now, forecast peak {peak_rho:.2f} within 1d"
        f"{_when(crossing) if crossing is not None else ''} (target {TARGET_UTILISATION:g});"
        f" queue {load.queue:.1f} messages"
        + (f", wait W = L/λ = {wait:.2f} s" if wait is not None else "")
    )
    resource = f"{load.agent_type}_agents"
    if target > load.instances:
        priority, timeline = urgency(crossing)
        action = ScalingAction.SCALE_UP
    elif target < load.instances:
        priority, timeline, action = Priority.LOW, "within 1d", ScalingAction.SCALE_DOWN
    else:
        priority, timeline, action = Priority.LOW, "none", ScalingAction.HOLD
    return ScalingRecommendation(
        resource, action, priority, float(load.instances), float(target), reason, timeline
    )


def recommend_nodes(
    nodes: int, usage: Mapping[str, Outlook], names: Mapping[str, str]
) -> ScalingRecommendation | None:
    """Compute nodes (agent instances) sized so that each usage ratio in ``usage`` (cpu,
    memory: used / capacity, capacity proportional to nodes) peaks at the target; the
    resource needing most nodes decides. ``names`` gives each usage's name in the reason."""
    if nodes <= 0 or not usage:
        return None
    best: tuple[int, str, float, float, float | None] | None = None
    for key, view in usage.items():
        peak = view.peak(HORIZON)
        target = max(1, math.ceil(round(nodes * peak / TARGET_UTILISATION, 9)))
        crossing = view.crossing(TARGET_UTILISATION, HORIZON)
        if best is None or target > best[0]:
            best = (target, key, view.current, peak, crossing)
    assert best is not None
    target, key, current, peak, crossing = best
    reason = (
        f"{names.get(key, key)} utilization at {current * 100:.1f}%, forecast peak "
        f"{peak * 100:.1f}% within 1d{_when(crossing)} (target {TARGET_UTILISATION * 100:.0f}%)"
    )
    if target > nodes:
        priority, timeline = urgency(crossing)
        action = ScalingAction.SCALE_UP
    elif target < nodes:
        priority, timeline, action = Priority.LOW, "within 1d", ScalingAction.SCALE_DOWN
    else:
        priority, timeline, action = Priority.LOW, "none", ScalingAction.HOLD
    return ScalingRecommendation(
        COMPUTE_NODES, action, priority, float(nodes), float(target), reason, timeline
    )
