"""Benchmark 2: the transport batch API at the seed's 4.2M messages per second.

A paced driver hands pre-generated batches to the monitor for whole seconds of wall time and
charges only the monitor's calls (thread CPU time) to it: monitoring CPU as a share of one
core. Each batch also goes to a prometheus_client peer doing the same work (exact counts,
latencies on the same sample), in alternating order, so both see the same seconds.
Unpaced, the same driver gives the monitor's maximum rate on one core per batch size.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray
from prometheus_client import CollectorRegistry

from agentwatch import catalog as c
from agentwatch.exporters import build_registry
from agentwatch.instrument import TransportMonitor

from ._benchmark import Benchmark
from ._native import counter, histogram
from ._results import CPU_OVERHEAD, Peer, Result, Target
from ._timing import Stats, bracket_overhead

__all__ = ["BENCHMARK", "FULL", "SMOKE", "Size", "run"]


@dataclass(frozen=True, slots=True)
class Size:
    paced_batches: tuple[int, ...]
    rate_batches: tuple[int, ...]
    paced_seconds: int  # measured, after the warm-up
    rate_seconds: int
    # At least two whole-second boundaries (any 2 s hold two): the first full second sets
    # the sample ratio in force.
    warmup_seconds: int
    # How far ours may end from the sample ratio the peer was given.
    stride_tolerance: float


FULL = Size(
    paced_batches=(4_200, 1_000),
    rate_batches=(100, 1_000, 10_000),
    paced_seconds=10,
    rate_seconds=3,
    warmup_seconds=3,
    stride_tolerance=0.02,
)
# The smoke run proves the code path in CI, where four test workers share two cores and a
# one-second pace moves the ratio by a few percent (1/841 -> 1/806 seen); its figures are not
# published, so it tolerates what the full run would refuse.
SMOKE = Size(
    paced_batches=(4_200,),
    rate_batches=(1_000,),
    paced_seconds=1,
    rate_seconds=1,
    warmup_seconds=2,
    stride_tolerance=0.10,
)

SEED_RATE = 4_200_000  # messages per second, seed 004's claim
POOL = 64  # distinct pre-generated latency arrays per batch size, used in turn
MESSAGE_BYTES = 240
KEY = {"direction": "out", "msg_type": "data", "priority": "normal"}
PROMETHEUS = "prometheus_client"

Latencies = NDArray[np.float64]


class _Sink(Protocol):
    def record_batch(
        self, count: int, nbytes: int, *, latencies: Latencies, msg_type: str, priority: str
    ) -> None: ...


class _PrometheusPeer:
    """prometheus_client doing record_batch's work: exact counts, the same latency sample."""

    def __init__(self, stride: int) -> None:
        self.registry = registry = CollectorRegistry()
        self._messages = counter(c.AGENT_TRANSPORT_MESSAGES_TOTAL, registry).labels(**KEY)
        self._bytes = counter(c.AGENT_TRANSPORT_BYTES_TOTAL, registry).labels(**KEY)
        self._latency = histogram(c.AGENT_TRANSPORT_LATENCY_SECONDS, registry).labels(
            msg_type=KEY["msg_type"]
        )
        self._stride = stride
        self._offset = 0

    def record_batch(
        self, count: int, nbytes: int, *, latencies: Latencies, msg_type: str, priority: str
    ) -> None:
        self._messages.inc(count)
        self._bytes.inc(nbytes)
        stride, offset = self._stride, self._offset
        if offset < count:
            for value in latencies[offset::stride].tolist():
                self._latency.observe(value)
        self._offset = (offset - count) % stride


@dataclass(frozen=True, slots=True)
class _Run:
    cpu: list[list[float]]  # per sink, CPU seconds its calls took in each second of wall time
    sent: list[int]  # messages sent in each second of wall time
    wall: float

    def share_of_core(self, sink: int) -> Stats:
        """Percent of one core the sink used, per second of wall time."""
        return Stats.of([100.0 * spent for spent in self.cpu[sink]])

    def rate_per_core(self, sink: int) -> Stats:
        """Messages per CPU second of the sink, per second of wall time, in millions."""
        return Stats.of(
            [n / spent / 1e6 for n, spent in zip(self.sent, self.cpu[sink], strict=True)]
        )


def _drive(
    sinks: Sequence[_Sink],
    pool: Sequence[Latencies],
    *,
    rate: float | None,
    seconds: int,
    overhead: float,
) -> _Run:
    """Send batches to every sink for ``seconds``, at ``rate`` messages/s or flat out.

    Only the sinks' calls are timed, each by thread CPU time less the timer's own
    ``overhead``; the sinks take turns going first.
    """
    batch = len(pool[0])
    cpu = [[0.0] * seconds for _ in sinks]
    sent = [0] * seconds
    order = [list(range(len(sinks))), list(reversed(range(len(sinks))))]
    clock, cpu_clock = time.perf_counter, time.thread_time
    calls, start = 0, clock()
    while (now := clock() - start) < seconds:
        if rate is not None and (due := calls * batch / rate) > now:
            time.sleep(due - now)
            continue
        latencies, second = pool[calls % len(pool)], int(now)
        for index in order[calls % 2]:
            began = cpu_clock()
            sinks[index].record_batch(
                batch,
                batch * MESSAGE_BYTES,
                latencies=latencies,
                msg_type=KEY["msg_type"],
                priority=KEY["priority"],
            )
            cpu[index][second] += cpu_clock() - began - overhead
        sent[second] += batch
        calls += 1
    return _Run(cpu, sent, clock() - start)


def _pool(batch: int) -> list[Latencies]:
    rng = np.random.default_rng(batch)
    return [rng.lognormal(math.log(0.002), 1.0, batch) for _ in range(POOL)]  # median 2 ms


def _exported(registry: CollectorRegistry) -> tuple[float, float]:
    """(messages counted, latencies observed) as a scrape would see them."""
    counted = registry.get_sample_value(c.AGENT_TRANSPORT_MESSAGES_TOTAL.name, KEY)
    observed = registry.get_sample_value(
        f"{c.AGENT_TRANSPORT_LATENCY_SECONDS.name}_count", {"msg_type": KEY["msg_type"]}
    )
    return counted or 0.0, observed or 0.0


@dataclass(frozen=True, slots=True)
class _SideBySide:
    run: _Run  # sink 0 is ours, sink 1 the peer
    notes: str


def _side_by_side(
    batch: int, rate: float | None, seconds: int, size: Size, overhead: float
) -> _SideBySide:
    """Warm our monitor up alone until its sample ratio settles, then drive it and the peer.

    Both see every batch; the peer samples latencies at the ratio our monitor settled on.
    """
    pool = _pool(batch)
    ours = TransportMonitor()
    warmup = _drive([ours], pool, rate=rate, seconds=size.warmup_seconds, overhead=overhead)
    stride = round(1 / ours.sample_ratio)
    _, warmed_up = _exported(build_registry(ours.collector()))
    peer = _PrometheusPeer(stride)
    measured = _drive([ours, peer], pool, rate=rate, seconds=seconds, overhead=overhead)
    final = round(1 / ours.sample_ratio)
    # Ours re-reads its load every second; a second that gets one batch more or less than the
    # pace (the switch from warm-up to the measured run, a late call on a busy machine) moves
    # a 1/840 stride by a step or two. A peer sampling a step apart is still a fair peer; a
    # ratio that had not settled is not.
    if abs(final - stride) > size.stride_tolerance * stride:
        raise RuntimeError(f"sample ratio moved during the run: 1/{stride} -> 1/{final}")
    counted, observed = _exported(build_registry(ours.collector()))
    peer_counted, peer_observed = _exported(peer.registry)
    sent = sum(warmup.sent) + sum(measured.sent)
    # Correctness, not timing: every message is counted exactly once, by both.
    assert counted == sent, f"agentwatch exported {counted} messages, {sent} were sent"
    assert peer_counted == sum(measured.sent), f"the peer counted {peer_counted}"
    notes = (
        f"batch {batch}: {sent:,} msgs sent = {counted:,.0f} exported; sample ratio 1/{stride} "
        f"in force{f' (1/{final} at the end)' if final != stride else ''}; latencies observed "
        f"while measured: ours {observed - warmed_up:,.0f}, "
        f"peer {peer_observed:,.0f} ({observed:,.0f} in all, the warm-up's first second at 100%)"
    )
    if rate is not None:
        notes += (
            f"; achieved {sum(measured.sent) / measured.wall / 1e6:.2f}M msg/s; warm-up peak "
            f"{warmup.share_of_core(0).high:.2f}% of a core"
        )
    return _SideBySide(measured, notes)


PEER_NOTE = (
    "peer: pre-bound Counter.inc(count) for messages and bytes + Histogram.observe per sampled "
    "latency at our ratio; fair for counting and sampling, ours also keeps the throughput window"
)


def _paced(batch: int, size: Size, overhead: float) -> Result:
    measured = _side_by_side(batch, SEED_RATE, size.paced_seconds, size, overhead)
    ours, peer = measured.run.share_of_core(0), measured.run.share_of_core(1)
    # percent of a core -> CPU µs per record_batch call, at SEED_RATE / batch calls a second
    per_call = 1e4 * batch / SEED_RATE
    return Result(
        f"transport monitor CPU at 4.2M msg/s, batch {batch:,}",
        ours,
        "% of one core",
        CPU_OVERHEAD,
        f"{measured.notes}; CPU per call: ours {ours.median * per_call:.1f} µs, "
        f"peer {peer.median * per_call:.1f} µs; {PEER_NOTE}",
        Peer(PROMETHEUS, peer),
    )


def _flat_out(batch: int, size: Size, overhead: float) -> Result:
    measured = _side_by_side(batch, None, size.rate_seconds, size, overhead)
    return Result(
        f"transport monitor max rate, batch {batch:,}",
        measured.run.rate_per_core(0),
        "M msg/s per core",
        Target.ours_at_least(SEED_RATE / 1e6, "M msg/s per core", " (seed 004)"),
        f"higher is better; {measured.notes}",
        Peer(PROMETHEUS, measured.run.rate_per_core(1)),
    )


def run(size: Size = FULL) -> list[Result]:
    overhead = bracket_overhead()
    return [_paced(batch, size, overhead) for batch in size.paced_batches] + [
        _flat_out(batch, size, overhead) for batch in size.rate_batches
    ]


BENCHMARK = Benchmark(run, FULL, SMOKE)
