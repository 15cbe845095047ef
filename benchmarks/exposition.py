"""Benchmark 3: rendering /metrics for 28 agent types x 10 agents with every agent family.

Ours: the fleet collector in a registry, rendered by prometheus_client (what a scrape of the
agent exporter does: snapshot, health scores, families, text). Peer: prometheus_client's own
Gauge/Counter/Histogram objects holding the same series and values, the SDK's
agentwatch_cardinality_overflow_total included (``_population``), so both render the same
exposition and the same bytes are timed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.openmetrics.exposition import generate_latest as generate_openmetrics

from agentwatch.exporters import build_registry

from ._benchmark import Benchmark
from ._population import AGENTS_PER_TYPE, FleetPlan, build_ours, build_peer, plan_fleet
from ._results import INFORMATIONAL, Peer, Result
from ._timing import Stats, interleave, timed

__all__ = ["BENCHMARK", "FULL", "SMOKE", "Size", "run"]


@dataclass(frozen=True, slots=True)
class Size:
    agents_per_type: int
    rounds: int
    renders: int  # per repetition


FULL = Size(agents_per_type=AGENTS_PER_TYPE, rounds=7, renders=5)
SMOKE = Size(agents_per_type=1, rounds=1, renders=1)

PEER = "prometheus_client metrics"
FORMATS: dict[str, Callable[[CollectorRegistry], bytes]] = {
    "text 0.0.4": generate_latest,
    "OpenMetrics": generate_openmetrics,
}


def _samples(body: bytes) -> list[str]:
    return sorted(line for line in body.decode().splitlines() if not line.startswith("#"))


@dataclass(frozen=True, slots=True)
class _Exposition:
    samples: int
    size: int  # bytes


def _same_exposition(plan: FleetPlan, render: Callable[[CollectorRegistry], bytes]) -> _Exposition:
    """Sanity: a first scrape of each side gives the very same samples, in the same bytes."""
    ours = render(build_registry(build_ours(plan).collector()))
    peer = render(build_peer(plan))
    samples = _samples(ours)
    assert samples == _samples(peer), (
        "agentwatch and the peer expose different samples: only ours "
        f"{_only(samples, _samples(peer))}, only the peer {_only(_samples(peer), samples)}"
    )
    assert len(ours) == len(peer), f"{len(ours)} bytes from agentwatch, {len(peer)} from the peer"
    return _Exposition(len(samples), len(ours))


def _only(these: list[str], those: list[str]) -> list[str]:
    """A few of the samples in ``these`` missing from ``those``: enough to name the family."""
    return sorted(set(these) - set(those))[:5]


def _repetition(
    registry: CollectorRegistry, render: Callable[[CollectorRegistry], bytes], renders: int
) -> Callable[[], None]:
    def repeat() -> None:
        for _ in range(renders):
            render(registry)

    return repeat


def _result(
    fmt: str,
    agents: int,
    exposition: _Exposition,
    measured: dict[str, dict[str, Stats]],
    size: Size,
) -> Result:
    ours, peer = measured[f"ours {fmt}"], measured[f"peer {fmt}"]
    ms = 1e3 / size.renders
    return Result(
        f"/metrics render, {agents} agents, {fmt}",
        ours["wall"].scaled(ms),
        "ms per scrape",
        INFORMATIONAL,
        f"{exposition.samples:,} samples in {exposition.size:,} bytes, identical on both sides "
        "(agentwatch_cardinality_overflow_total included: the peer holds it too); "
        f"CPU ms: ours {ours['cpu'].median * ms:.1f}, peer {peer['cpu'].median * ms:.1f}; "
        "ours includes its snapshot and health scores",
        Peer(PEER, peer["wall"].scaled(ms)),
    )


def run(size: Size = FULL) -> list[Result]:
    plan = plan_fleet(agents_per_type=size.agents_per_type)
    expositions = {fmt: _same_exposition(plan, render) for fmt, render in FORMATS.items()}
    sides = {"ours": build_registry(build_ours(plan).collector()), "peer": build_peer(plan)}
    measured = interleave(
        {
            f"{side} {fmt}": timed(_repetition(registry, render, size.renders))
            for side, registry in sides.items()
            for fmt, render in FORMATS.items()
        },
        rounds=size.rounds,
    )
    agents = len(plan.agents)
    return [
        _result(fmt, agents, exposition, measured, size) for fmt, exposition in expositions.items()
    ]


BENCHMARK = Benchmark(run, FULL, SMOKE)
