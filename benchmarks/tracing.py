"""Benchmark: what tracing costs the simulated system, per message, at 1% and at 100%.

Three runs of the same simulated system (same seed, same messages: tracing draws nothing from
the simulation's random numbers) side by side, interleaved: tracing off, head sampling pinned
at 1%, and at 100%. Each run steps the engine through ``Size.sim_seconds`` of simulated time at the
daily peak, in 100 ms steps as `agentwatch simulate` does, and hands everything to the SDK
(``Publisher.publish``) every step. With tracing, spans go through the same pipeline
`agentwatch simulate` builds (adaptive sampler, in-memory trace store, batch processor) to an
exporter that encodes every span to OTLP protobuf and drops the bytes: the CPU of building,
sampling, propagating, storing and serialising spans is counted; a network is not. Process CPU
time counts the batch processor's thread too. Building the engine and the tracer providers
(once per process in `agentwatch simulate`) is left out; the flush at the end is counted.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Sequence
from dataclasses import dataclass

from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from agentwatch.exporters import TraceStore, TracingPipeline
from agentwatch.simulate import Engine, Publisher, SimulatedTracing
from agentwatch.spec import Spec, Tracing

from ._benchmark import Benchmark
from ._results import INFORMATIONAL, Peer, Result, Target
from ._timing import Measurement, interleave

__all__ = ["BENCHMARK", "FULL", "SMOKE", "Size", "run"]


@dataclass(frozen=True, slots=True)
class Size:
    sim_seconds: float
    rounds: int


FULL = Size(sim_seconds=10.0, rounds=5)
SMOKE = Size(sim_seconds=0.5, rounds=1)

STEP = 0.1
# 14:00 UTC on a Tuesday: the daily peak of a weekday.
PEAK = 1_700_575_200.0
OFF, ONE_PERCENT, ALL = "tracing off", "1% sampled", "100% sampled"


class _EncodingExporter(SpanExporter):
    """Encodes spans as an OTLP exporter would before sending, then drops them."""

    def __init__(self) -> None:
        self.spans = 0
        self.bytes = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.bytes += len(encode_spans(spans).SerializeToString())
        self.spans += len(spans)
        return SpanExportResult.SUCCESS


class _Run:
    """One repetition's outcome, kept for the notes."""

    messages = 0
    exported = 0
    encoded = 0


def _simulate(ratio: float | None, sim_seconds: float, outcome: _Run) -> Measurement:
    spec = Spec()
    engine = Engine(spec, start=PEAK)
    exporter = _EncodingExporter()
    pipeline = None
    if ratio is not None:
        tracing = Tracing(min_sampling_ratio=ratio, max_sampling_ratio=ratio)
        # A queue the whole run fits in: the engine runs faster than real time here, and a
        # dropped span would be work not measured.
        pipeline = TracingPipeline(
            tracing, exporter=exporter, store=TraceStore(), max_queue_size=1_000_000
        )
        engine.tracing = SimulatedTracing(engine.topology, pipeline, run="bench")
    publisher = Publisher(engine, clock=lambda: engine.now)
    end = engine.now + sim_seconds
    gc.collect()
    started = time.process_time()
    while engine.now < end - 1e-9:
        engine.step(engine.now + STEP)
        publisher.publish()
    if pipeline is not None:
        pipeline.shutdown()
    cpu = time.process_time() - started
    outcome.messages = engine.ledger.created
    outcome.exported, outcome.encoded = exporter.spans, exporter.bytes
    return {"cpu": cpu}


def run(size: Size = FULL) -> list[Result]:
    outcomes = {name: _Run() for name in (OFF, ONE_PERCENT, ALL)}
    ratios = {OFF: None, ONE_PERCENT: 0.01, ALL: 1.0}
    measured = interleave(
        {
            name: lambda name=name: _simulate(  # type: ignore[misc]
                ratios[name], size.sim_seconds, outcomes[name]
            )
            for name in outcomes
        },
        rounds=size.rounds,
    )
    messages = outcomes[OFF].messages
    assert all(o.messages == messages for o in outcomes.values()), "same simulated messages"
    assert outcomes[ALL].exported > 0, "tracing at 100% exported no span"
    per_message = {name: measured[name]["cpu"].scaled(1e6 / messages) for name in outcomes}
    off = Peer(OFF, per_message[OFF])

    def row(name: str, target: Target, why: str) -> Result:
        extra = per_message[name].median - per_message[OFF].median
        outcome = outcomes[name]
        return Result(
            f"tracing overhead on the simulated system, {name}",
            per_message[name],
            "CPU µs/message",
            target,
            f"{messages:,} simulated messages in {size.sim_seconds:g} simulated s; "
            f"{outcome.exported:,} spans exported ({outcome.encoded / 1e6:.1f} MB of OTLP "
            f"protobuf); {extra / per_message[OFF].median:+.0%} CPU against tracing off; "
            f"extra CPU / spans exported: {extra * messages / max(1, outcome.exported):.0f} µs "
            f"({why})",
            off,
        )

    return [
        row(
            ONE_PERCENT,
            Target("ratio <= 1.05 (issue 5: < 5% extra CPU at 1%)", 1.05),
            "it includes the sampler's decision on every request, kept or not",
        ),
        row(ALL, INFORMATIONAL, "building, storing and encoding each span"),
    ]


BENCHMARK = Benchmark(run, FULL, SMOKE)
