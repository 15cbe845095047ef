"""Benchmark 1: the agent hot path. One message is a count plus a latency observation.

Each contender is pre-bound the way its library recommends for a hot path, then records the
same latencies. CPU time per message, one thread and then two threads on the same series.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    HistogramDataPoint,
    InMemoryMetricReader,
    NumberDataPoint,
)
from prometheus_client import CollectorRegistry

from agentwatch import catalog as c
from agentwatch.catalog import LATENCY_BUCKETS
from agentwatch.exporters import build_registry
from agentwatch.instrument import AgentFleet

from . import _native as native
from ._benchmark import Benchmark
from ._results import INFORMATIONAL, Peer, Result, Target
from ._timing import Stats, interleave, timed

__all__ = ["BENCHMARK", "FULL", "SMOKE", "Size", "run"]

THREADS = 2


@dataclass(frozen=True, slots=True)
class Size:
    messages: int  # per repetition
    rounds: int

    def __post_init__(self) -> None:
        # Each thread sends an equal share; a remainder would go unsent and fail the counts.
        if self.messages % THREADS:
            raise ValueError(f"messages must be a multiple of {THREADS}")


# The two-thread runs are bimodal (see RESULTS.md): more rounds, steadier medians.
FULL = Size(messages=100_000, rounds=9)
SMOKE = Size(messages=2_000, rounds=1)

AGENT = {"agent_id": "a-0", "agent_type": "planner"}
MESSAGE = {**AGENT, "source_agent": "director", "action": "plan"}
OURS, PROMETHEUS, OTEL = "agentwatch", "prometheus_client", "OpenTelemetry SDK"


@dataclass(frozen=True, slots=True)
class _Contender:
    send: Callable[[Sequence[float]], None]  # records each value as one message
    exported: Callable[[], tuple[float, float]]  # (messages counted, latencies observed)


def _ours() -> _Contender:
    fleet = AgentFleet()
    record = fleet.agent(AGENT["agent_id"], AGENT["agent_type"]).bind(
        source_agent=MESSAGE["source_agent"], action=MESSAGE["action"]
    )

    def send(values: Sequence[float]) -> None:
        for x in values:
            record.observe(x)

    return _Contender(send, lambda: _scraped(build_registry(fleet.collector())))


def _prometheus() -> _Contender:
    registry = CollectorRegistry()
    counter = native.counter(c.AGENT_MESSAGES_PROCESSED_TOTAL, registry).labels(**MESSAGE)
    histogram = native.histogram(c.AGENT_PROCESSING_TIME_SECONDS, registry).labels(**AGENT)

    def send(values: Sequence[float]) -> None:
        for x in values:
            counter.inc()
            histogram.observe(x)

    return _Contender(send, lambda: _scraped(registry))


def _scraped(registry: CollectorRegistry) -> tuple[float, float]:
    counted = registry.get_sample_value(c.AGENT_MESSAGES_PROCESSED_TOTAL.name, MESSAGE)
    observed = registry.get_sample_value(f"{c.AGENT_PROCESSING_TIME_SECONDS.name}_count", AGENT)
    return counted or 0.0, observed or 0.0


def _opentelemetry() -> _Contender:
    reader = InMemoryMetricReader()
    meter = MeterProvider(metric_readers=[reader]).get_meter("agentwatch-benchmark")
    counter = meter.create_counter(c.AGENT_MESSAGES_PROCESSED_TOTAL.family)
    histogram = meter.create_histogram(
        c.AGENT_PROCESSING_TIME_SECONDS.name,
        unit="s",
        explicit_bucket_boundaries_advisory=list(LATENCY_BUCKETS),
    )
    message, agent = dict(MESSAGE), dict(AGENT)

    def send(values: Sequence[float]) -> None:
        for x in values:
            counter.add(1, message)
            histogram.record(x, agent)

    def exported() -> tuple[float, float]:
        data = reader.get_metrics_data()
        points = [
            point
            for resource in (data.resource_metrics if data else ())
            for scope in resource.scope_metrics
            for metric in scope.metrics
            for point in metric.data.data_points
        ]
        counted = sum(p.value for p in points if isinstance(p, NumberDataPoint))
        observed = sum(p.count for p in points if isinstance(p, HistogramDataPoint))
        return float(counted), float(observed)

    return _Contender(send, exported)


def _repetition(contender: _Contender, values: Sequence[float], threads: int) -> Callable[[], None]:
    """One repetition: all ``values`` sent, from one thread or split over ``threads``."""
    if threads == 1:
        return lambda: contender.send(values)
    return lambda: _in_threads(contender.send, values, threads)


def _in_threads(
    send: Callable[[Sequence[float]], None], values: Sequence[float], threads: int
) -> None:
    """Split ``values`` over ``threads`` threads that start together on the same series."""
    start = threading.Barrier(threads)
    share = len(values) // threads

    def work(part: Sequence[float]) -> None:
        start.wait()
        send(part)

    workers = [
        threading.Thread(target=work, args=(values[i * share : (i + 1) * share],))
        for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def _latencies(messages: int) -> list[float]:
    rng = random.Random(20240501)
    return [rng.lognormvariate(-5.0, 1.5) for _ in range(messages)]  # median ~7 ms


def _measure(threads: int, size: Size) -> dict[str, dict[str, Stats]]:
    values = _latencies(size.messages)
    contenders = {OURS: _ours(), PROMETHEUS: _prometheus(), OTEL: _opentelemetry()}
    runs = {name: timed(_repetition(k, values, threads)) for name, k in contenders.items()}
    warmup = 1
    measured = interleave(runs, rounds=size.rounds, warmup=warmup)
    sent = float((warmup + size.rounds) * size.messages)
    for name, contender in contenders.items():
        # A correctness check, not a timing: no message may be lost or counted twice.
        assert contender.exported() == (sent, sent), f"{name} lost messages: {contender.exported()}"
    ns_per_message = 1e9 / size.messages
    return {
        name: {metric: stats.scaled(ns_per_message) for metric, stats in metrics.items()}
        for name, metrics in measured.items()
    }


def _results(threads: int, measured: dict[str, dict[str, Stats]]) -> list[Result]:
    setting = "1 thread" if threads == 1 else f"{threads} threads contending"
    ours = measured[OURS]
    exact = f"counts exact after {threads} threads; " if threads > 1 else ""
    wall = f"wall ns/msg: ours {ours['wall'].median:.0f}"
    return [
        Result(
            f"agent hot path, {setting}",
            ours["cpu"],
            "CPU ns/message",
            target,
            f"{exact}{wall}, {peer} {measured[peer]['wall'].median:.0f}; {why}",
            Peer(peer, measured[peer]["cpu"]),
        )
        for peer, target, why in (
            (
                PROMETHEUS,
                Target.ratio_at_most(0.5),
                "peer: pre-bound Counter.inc() + Histogram.observe(): 3 locks, linear bucket scan",
            ),
            (
                OTEL,
                INFORMATIONAL,
                "peer: counter.add + histogram.record, InMemoryMetricReader, SDK defaults",
            ),
        )
    ]


def run(size: Size = FULL) -> list[Result]:
    return [
        result for threads in (1, THREADS) for result in _results(threads, _measure(threads, size))
    ]


BENCHMARK = Benchmark(run, FULL, SMOKE)
