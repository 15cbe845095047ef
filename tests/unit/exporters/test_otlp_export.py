"""Spans leave over real OTLP, HTTP and gRPC, from the OpenTelemetry SDK's own exporters.

No OpenTelemetry Collector or Jaeger binary can run here (neither is packaged for this
machine), so the receiving end is a stand-in: a loopback server speaking the OTLP protocol
with the protocol's own protobuf definitions (opentelemetry-proto) and, for gRPC, grpcio's
server. It decodes what arrives exactly as a collector would.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import grpc
import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from agentwatch.exporters import TraceStore, TracingPipeline, otlp_span_exporter
from agentwatch.simulate import Engine, SimulatedTracing
from agentwatch.spec import Spec, Tracing
from tests.unit.simulate.conftest import PEAK, run

ExportRequest = trace_service_pb2.ExportTraceServiceRequest


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Received:
    def __init__(self) -> None:
        self.requests: list[Any] = []
        self.paths: list[str] = []
        self.lock = threading.Lock()

    def add(self, request: Any, path: str) -> None:
        with self.lock:
            self.requests.append(request)
            self.paths.append(path)

    def spans(self) -> list[tuple[str, Any]]:
        """(service.name, span) for every span received."""
        found = []
        for request in self.requests:
            for resource_spans in request.resource_spans:
                attributes = {
                    a.key: a.value.string_value for a in resource_spans.resource.attributes
                }
                for scope in resource_spans.scope_spans:
                    found += [(attributes["service.name"], span) for span in scope.spans]
        return found


@pytest.fixture
def http_collector() -> Iterator[tuple[str, _Received]]:
    received = _Received()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            assert self.headers["Content-Type"] == "application/x-protobuf"
            received.add(ExportRequest.FromString(body), self.path)
            reply = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    server = ThreadingHTTPServer(("127.0.0.1", _free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


@pytest.fixture
def grpc_collector() -> Iterator[tuple[str, _Received]]:
    received = _Received()

    class Service(trace_service_pb2_grpc.TraceServiceServicer):
        def Export(  # noqa: N802  (the OTLP service's method name)
            self, request: Any, context: grpc.ServicerContext
        ) -> Any:
            received.add(request, "grpc")
            return trace_service_pb2.ExportTraceServiceResponse()

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(Service(), server)  # type: ignore[no-untyped-call]
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield f"http://127.0.0.1:{port}", received
    server.stop(grace=None)


def _simulate_into(tracing: Tracing) -> TraceStore:
    """A few seconds of the simulated system, every request traced, exported via ``tracing``."""
    store = TraceStore()
    engine = Engine(Spec(), start=PEAK)
    pipeline = TracingPipeline(tracing, store=store)
    engine.tracing = SimulatedTracing(engine.topology, pipeline, run="otlp")
    run(engine, 2, tick=0.1)
    pipeline.shutdown()  # flushes the batch processor: everything ended is sent
    return store


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_spans_reach_a_collector_over_otlp(
    protocol: str,
    http_collector: tuple[str, _Received],
    grpc_collector: tuple[str, _Received],
) -> None:
    endpoint, received = http_collector if protocol == "http/protobuf" else grpc_collector
    tracing = Tracing.model_validate({"otlp_endpoint": endpoint, "otlp_protocol": protocol})
    store = _simulate_into(tracing)
    kept = [span for spans in store.traces() for span in spans]
    spans = received.spans()
    assert len(kept) > 1000
    assert len(spans) == len(kept)
    assert {bytes(span.trace_id).hex() for _, span in spans} == {
        format(span.context.trace_id, "032x") for span in kept if span.context
    }
    services = {service for service, _ in spans}
    assert "external" in services
    assert len(services) > 20  # one service per agent type
    names = {span.name for _, span in spans}
    assert "invoke_agent director" in names
    if protocol == "http/protobuf":
        assert set(received.paths) == {"/v1/traces"}


def test_no_endpoint_means_no_exporter() -> None:
    assert otlp_span_exporter(Tracing()) is None


@pytest.mark.parametrize(
    ("endpoint", "path"),
    [("http://collector:4318", "/v1/traces"), ("http://c:4318/custom/traces", "/custom/traces")],
)
def test_the_http_endpoint_is_a_base_url_unless_it_has_a_path(endpoint: str, path: str) -> None:
    exporter = otlp_span_exporter(Tracing(otlp_endpoint=endpoint))
    assert exporter is not None
    assert exporter._endpoint.endswith(path)  # type: ignore[attr-defined]
