"""Benchmark 3: rendering /metrics for 28 agent types x 10 agents with every agent family.

Ours: the fleet collector in a registry, rendered by prometheus_client (what a scrape of the
agent exporter does: snapshot, health scores, families, text). Peer: prometheus_client's own
Gauge/Counter/Histogram objects holding the same series and values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.openmetrics.exposition import generate_latest as generate_openmetrics

from agentwatch.exporters import build_registry

from ._population import FleetPlan, build_ours, build_peer, plan_fleet
from ._results import INFORMATIONAL, Peer, Result
from ._timing import Stats, interleave, timed

__all__ = ["run"]

ROUNDS = 7
RENDERS = 5  # per repetition
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
    assert _samples(ours) == _samples(peer), "agentwatch and the peer expose different samples"
    assert len(ours) == len(peer), f"{len(ours)} bytes from agentwatch, {len(peer)} from the peer"
    return _Exposition(len(_samples(ours)), len(ours))


def _repetition(
    registry: CollectorRegistry, render: Callable[[CollectorRegistry], bytes]
) -> Callable[[], None]:
    def repeat() -> None:
        for _ in range(RENDERS):
            render(registry)

    return repeat


def _result(fmt: str, exposition: _Exposition, measured: dict[str, dict[str, Stats]]) -> Result:
    ours, peer = measured[f"ours {fmt}"], measured[f"peer {fmt}"]
    ms = 1e3 / RENDERS
    return Result(
        f"/metrics render, 280 agents, {fmt}",
        ours["wall"].scaled(ms),
        "ms per scrape",
        INFORMATIONAL,
        f"{exposition.samples:,} samples in {exposition.size:,} bytes, identical on both sides; "
        f"CPU ms: ours {ours['cpu'].median * ms:.1f}, peer {peer['cpu'].median * ms:.1f}; "
        "ours includes its snapshot and health scores",
        Peer(PEER, peer["wall"].scaled(ms)),
    )


def run() -> list[Result]:
    plan = plan_fleet()
    expositions = {fmt: _same_exposition(plan, render) for fmt, render in FORMATS.items()}
    sides = {"ours": build_registry(build_ours(plan).collector()), "peer": build_peer(plan)}
    measured = interleave(
        {
            f"{side} {fmt}": timed(_repetition(registry, render))
            for side, registry in sides.items()
            for fmt, render in FORMATS.items()
        },
        rounds=ROUNDS,
    )
    return [_result(fmt, exposition, measured) for fmt, exposition in expositions.items()]
