"""Benchmark 4: memory held by 280 fully populated agents, ours vs prometheus_client.

Each measurement runs in a fresh interpreter (``python -m benchmarks.memory SIDE MODE
AGENTS_PER_TYPE``), so neither side inherits the other's heap: RSS growth from after the
imports to after the fleet is populated, and in a separate run tracemalloc's count of the bytes
Python still holds.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import psutil

from ._benchmark import Benchmark
from ._population import AGENTS_PER_TYPE, build_ours, build_peer, plan_fleet
from ._results import INFORMATIONAL, Peer, Result
from ._timing import Contender, Measurement, Stats, interleave

__all__ = ["BENCHMARK", "FULL", "SMOKE", "Size", "run"]


@dataclass(frozen=True, slots=True)
class Size:
    agents_per_type: int
    rounds: int


FULL = Size(agents_per_type=AGENTS_PER_TYPE, rounds=3)
SMOKE = Size(agents_per_type=1, rounds=1)

SIDES = {"ours": build_ours, "peer": build_peer}
MODES = ("rss", "traced")
PEER = "prometheus_client metrics"
PROJECT = Path(__file__).resolve().parent.parent


def measure(side: str, mode: str, agents_per_type: int) -> Measurement:
    """In this process: populate one side and report what it took (bytes)."""
    # The inputs are not part of either side's footprint.
    plan = plan_fleet(agents_per_type=agents_per_type)
    process = psutil.Process()
    gc.collect()
    if mode == "traced":
        tracemalloc.start()
    before = process.memory_info().rss
    populated = SIDES[side](plan)
    gc.collect()
    grown = float(process.memory_info().rss - before)
    if mode == "rss":
        return {"rss": grown}
    held, peak = tracemalloc.get_traced_memory()
    del populated
    return {"traced": float(held), "peak": float(peak)}


def _in_child(side: str, mode: str, agents_per_type: int) -> Contender:
    def run_child() -> Measurement:
        child = subprocess.run(
            [sys.executable, "-m", "benchmarks.memory", side, mode, str(agents_per_type)],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            check=True,
        )
        measured: Measurement = json.loads(child.stdout)
        return measured

    return run_child


def _result(name: str, agents: int, ours: Stats, peer: Stats, notes: str) -> Result:
    mb = 1 / 2**20
    return Result(
        f"memory, {agents} agents populated: {name}",
        ours.scaled(mb),
        "MiB",
        INFORMATIONAL,
        f"per agent: ours {ours.median / agents / 1e3:.1f} kB, "
        f"peer {peer.median / agents / 1e3:.1f} kB; {notes}",
        Peer(PEER, peer.scaled(mb)),
    )


def run(size: Size = FULL) -> list[Result]:
    measured = interleave(
        {
            f"{side} {mode}": _in_child(side, mode, size.agents_per_type)
            for mode in MODES
            for side in SIDES
        },
        rounds=size.rounds,
        warmup=0,
    )
    agents = len(plan_fleet(agents_per_type=size.agents_per_type).agents)
    ours_peak, peer_peak = measured["ours traced"]["peak"], measured["peer traced"]["peak"]
    return [
        _result(
            "RSS growth",
            agents,
            measured["ours rss"]["rss"],
            measured["peer rss"]["rss"],
            "fresh interpreter per run (psutil RSS)",
        ),
        _result(
            "tracemalloc retained",
            agents,
            measured["ours traced"]["traced"],
            measured["peer traced"]["traced"],
            f"peak while populating: ours {ours_peak.median / 2**20:.2f} MiB, "
            f"peer {peer_peak.median / 2**20:.2f} MiB",
        ),
    ]


BENCHMARK = Benchmark(run, FULL, SMOKE)

if __name__ == "__main__":
    side_arg, mode_arg, agents_arg = sys.argv[1:4]
    print(json.dumps(measure(side_arg, mode_arg, int(agents_arg))))
