"""Objectives the simulated system can meet, derived from what it is configured to carry.

The spec's thresholds are the seeds' and fit the system the seeds describe: a transport that
moves 4 million messages a second. The built-in simulated system moves what its ``simulation``
settings make it move, about a thousand messages a second by default, so against the seeds'
floor a healthy demo would page from its first minute.

Of the thresholds, only the throughput floor (``thresholds.transport_throughput_min_mps``, read
by ``TransportThroughputLow`` and the throughput SLO alike) measures how much the system
carries; the others are ratios, latencies, scores and absolute limits that mean the same at any
size. So when the local stack monitors the simulated system, the floor becomes half of what the
simulated system sends at its quietest (the daily trough of a weekend day): a healthy system
never goes below it, and losing half of the traffic does. A floor the spec's file sets
explicitly is kept. A user's own system is monitored with the spec's values unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

from agentwatch.spec import Spec

from ._routing import build_topology

__all__ = ["FLOOR_SHARE", "SimulatedLoad", "simulated_load", "with_simulated_objectives"]

#: The throughput floor, as a share of the quietest expected load.
FLOOR_SHARE = 0.5
_THROUGHPUT_FLOOR = "transport_throughput_min_mps"


@dataclass(frozen=True, slots=True)
class SimulatedLoad:
    """Messages per wall-clock second the simulated system is built to send."""

    messages_per_request: float
    mean_messages_per_second: float
    quietest_messages_per_second: float

    @property
    def throughput_floor(self) -> float:
        """The floor for ``thresholds.transport_throughput_min_mps``, whole messages/s."""
        return float(max(1, int(FLOOR_SHARE * self.quietest_messages_per_second)))


def simulated_load(spec: Spec) -> SimulatedLoad:
    """The expected send rate of the simulated system ``spec`` configures.

    Every request sends its tasks, one result and status events (``Topology.visits_per_request``);
    requests arrive at ``simulation.request_rate`` on average, ``daily_amplitude`` lower at the
    daily trough and ``weekly_dip`` lower again at weekends; live mode runs ``time_compression``
    simulated seconds per wall second, and Prometheus measures rates per wall second.
    """
    simulation = spec.simulation
    per_request = float(build_topology(spec).visits_per_request().sum())
    mean = simulation.request_rate * per_request * simulation.time_compression
    quietest = mean * (1.0 - simulation.daily_amplitude) * (1.0 - simulation.weekly_dip)
    return SimulatedLoad(per_request, mean, quietest)


def with_simulated_objectives(spec: Spec) -> Spec:
    """``spec`` with the throughput floor fitted to its simulated system (module docstring)."""
    thresholds = spec.thresholds
    if _THROUGHPUT_FLOOR in thresholds.model_fields_set:
        return spec
    floor = simulated_load(spec).throughput_floor
    return spec.model_copy(
        update={"thresholds": thresholds.model_copy(update={_THROUGHPUT_FLOOR: floor})}
    )
