"""Benchmark: the OTLP/HTTP metrics receiver taking in Claude Code telemetry.

The request is what the real OpenTelemetry SDK encodes for an hour of the demo's simulated
developers (every claude_code.* counter with its attributes, both GenAI histograms), delta
temporality as Claude Code sends it. Ours: decode the protobuf body and ingest it into the
store (label mapping, privacy drops, accumulation, limits) — what a POST to /v1/metrics costs
minus HTTP. Peer: protobuf's own decoding of the same body, the floor any receiver pays.
"""

from __future__ import annotations

from dataclasses import dataclass

from opentelemetry.exporter.otlp.proto.common.metrics_encoder import encode_metrics
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from agentwatch.exporters.otlp import Encoding, OtlpStore, decode_request
from agentwatch.simulate._developers import DELTA, SimulatedDevelopers
from agentwatch.simulate._load import LoadPattern

from ._benchmark import Benchmark
from ._results import INFORMATIONAL, Peer, Result
from ._timing import interleave, timed

__all__ = ["BENCHMARK", "FULL", "SMOKE", "Size", "run"]


@dataclass(frozen=True, slots=True)
class Size:
    requests: int  # per repetition
    rounds: int


FULL = Size(requests=200, rounds=7)
SMOKE = Size(requests=5, rounds=1)

START = 1_764_000_000.0  # a Monday afternoon, near the simulated daily peak


def _request_body() -> tuple[bytes, int]:
    """One export of an hour of 50 simulated developers, and its data points."""
    reader = InMemoryMetricReader(preferred_temporality=DELTA)
    team = SimulatedDevelopers(
        50, "", LoadPattern(200.0, 0.5, 0.2), seed=1, start=START, reader=reader
    )
    for minute in range(1, 61):
        team.advance(START + 60 * minute)
    data = reader.get_metrics_data()
    assert data is not None
    request = encode_metrics(data)
    points = sum(
        len(getattr(m, m.WhichOneof("data")).data_points)
        for rm in request.resource_metrics
        for sm in rm.scope_metrics
        for m in sm.metrics
    )
    return request.SerializeToString(), points


def run(size: Size = FULL) -> list[Result]:
    body, points = _request_body()
    store = OtlpStore()
    first = store.ingest(decode_request(body, Encoding.PROTOBUF))
    assert not first.refused, f"the receiver refused points of the benchmark request: {first}"

    def ours() -> None:
        for _ in range(size.requests):
            store.ingest(decode_request(body, Encoding.PROTOBUF))

    def peer() -> None:
        for _ in range(size.requests):
            ExportMetricsServiceRequest.FromString(body)

    measured = interleave({"ours": timed(ours), "peer": timed(peer)}, rounds=size.rounds)
    per_point = 1e6 / (size.requests * points)
    ours_cpu = measured["ours"]["cpu"].scaled(per_point)
    return [
        Result(
            "OTLP receiver: decode + ingest of Claude Code telemetry",
            ours_cpu,
            "CPU µs per data point",
            INFORMATIONAL,
            f"{points} data points in {len(body):,} bytes per request (an hour of 50 simulated "
            f"developers, real SDK encoding); {1e6 / ours_cpu.median:,.0f} points/s on one core",
            Peer("protobuf decode alone", measured["peer"]["cpu"].scaled(per_point)),
        )
    ]


BENCHMARK = Benchmark(run, FULL, SMOKE)
