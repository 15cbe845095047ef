"""The simulated system's traces, through the real OpenTelemetry SDK: one trace per request
across agents, failures on the spans, nothing leaked, and exemplars in the histograms."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from agentwatch.exporters import TracingPipeline
from agentwatch.instrument import CONVERSATION_ID, KEEP_ATTRIBUTE
from agentwatch.simulate import Engine, Publisher, SimulatedTracing, parse_fault
from agentwatch.simulate._messages import I
from agentwatch.spec import Spec, Tracing

from .conftest import PEAK, run, samples, total


def _traced_engine(ratio: float, *faults: str) -> tuple[Engine, InMemorySpanExporter]:
    tracing = Tracing(min_sampling_ratio=ratio, max_sampling_ratio=ratio)
    exporter = InMemorySpanExporter()
    engine = Engine(Spec(), start=PEAK)
    pipeline = TracingPipeline(tracing, exporter=exporter)
    engine.tracing = SimulatedTracing(engine.topology, pipeline, run="t")
    for text in faults:
        engine.faults.add(parse_fault(text), engine.now)
    return engine, exporter


def _finished(engine: Engine, exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    assert engine.tracing is not None
    engine.tracing.pipeline.shutdown()  # flush the batch processor
    return list(exporter.get_finished_spans())


def _by_trace(spans: list[ReadableSpan]) -> dict[int, list[ReadableSpan]]:
    traces: dict[int, list[ReadableSpan]] = defaultdict(list)
    for span in spans:
        assert span.context is not None
        traces[span.context.trace_id].append(span)
    return traces


def _attr(span: ReadableSpan, name: str) -> object:
    return (span.attributes or {}).get(name)


def test_each_sampled_request_is_one_trace_across_the_agents_it_visited() -> None:
    engine, exporter = _traced_engine(1.0)
    run(engine, 6, tick=0.1)
    traces = _by_trace(_finished(engine, exporter))
    complete = [
        spans
        for spans in traces.values()
        if any(s.parent is None and s.end_time for s in spans)
        and any(s.status.status_code is StatusCode.UNSET and s.parent is None for s in spans)
    ]
    assert len(complete) > 300
    long_ones = 0
    for spans in complete:
        ids = {s.context.span_id for s in spans if s.context}
        roots = [s for s in spans if s.parent is None]
        assert len(roots) == 1, "one root per trace"
        root = roots[0]
        assert root.kind is SpanKind.CLIENT
        assert root.resource.attributes["service.name"] == "external"
        # Every other span hangs from a span of the same trace: the chain is unbroken.
        assert all(s.parent is not None and s.parent.span_id in ids for s in spans if s is not root)
        # One conversation id ties them together.
        assert len({_attr(s, CONVERSATION_ID) for s in spans}) == 1
        # A SERVER span is always the child of the CLIENT span that delivered its message.
        by_id = {s.context.span_id: s for s in spans if s.context}
        for span in spans:
            if span.kind is SpanKind.SERVER:
                assert span.parent is not None
                sender = by_id[span.parent.span_id]
                assert sender.kind is SpanKind.CLIENT
                assert _attr(sender, "gen_ai.agent.id") == _attr(span, "gen_ai.agent.id")
                assert span.resource.attributes["service.instance.id"] == _attr(
                    span, "gen_ai.agent.id"
                )
        # The root covers the whole request: every hop of it happened within it (events the
        # request's agents emitted on the side may be handled after it is done).
        assert root.start_time is not None
        assert root.end_time is not None
        hops = [s for s in spans if _attr(s, "agentwatch.message.type") != "event"]
        assert all(root.start_time <= (s.start_time or 0) <= root.end_time for s in hops)
        agents = {_attr(s, "gen_ai.agent.id") for s in spans if s.kind is SpanKind.SERVER}
        if len(agents) >= 5:
            long_ones += 1
            assert len(spans) >= 5
    assert long_ones > 30, "requests that visit at least 5 agents"


def test_tracing_changes_nothing_the_simulation_does() -> None:
    plain = Engine(Spec(), start=PEAK)
    traced, _ = _traced_engine(1.0, "crash:type=security:at=2s:for=5s")
    plain.faults.add(parse_fault("crash:type=security:at=2s:for=5s"), plain.now)
    run(plain, 6, tick=0.1)
    run(traced, 6, tick=0.1)
    assert plain.ledger == traced.ledger


def test_every_traced_message_in_the_system_has_its_open_span_and_no_other() -> None:
    engine, _ = _traced_engine(1.0, "crash:type=linter:at=1s:for=3s")
    run(engine, 5, tick=0.1)
    assert engine.tracing is not None
    in_system = np.concatenate(
        [table.i[:, I.TRACE] for table in (engine.queue, engine.in_flight, engine.in_service)]
    )
    traced = set(in_system[in_system > 0].tolist())
    assert traced == set(engine.tracing._sending)
    assert engine.tracing._root_slots <= traced
    assert not engine.tracing._parents


def test_lost_messages_and_failed_requests_are_errors_on_their_spans() -> None:
    engine, exporter = _traced_engine(1.0, "crash:type=security:at=1s:for=8s")
    run(engine, 10, tick=0.2)
    spans = _finished(engine, exporter)
    failed = [s for s in spans if s.status.status_code is StatusCode.ERROR]
    kinds = {str(_attr(s, "error.type")) for s in failed}
    # Messages sent to the crashed agents before the router noticed, and what they held.
    assert {"delivery_failed", "lost_on_crash"} <= kinds
    # The messages themselves (roots are the requests, below).
    delivery = [
        s for s in failed if _attr(s, "error.type") == "delivery_failed" and s.parent is not None
    ]
    assert all(s.kind is SpanKind.CLIENT for s in delivery)
    assert {str(_attr(s, "gen_ai.agent.name")) for s in delivery} == {"security"}
    # The requests they belonged to failed: their roots say so.
    failed_roots = [s for s in failed if s.parent is None]
    assert failed_roots
    assert all(s.resource.attributes["service.name"] == "external" for s in failed_roots)


@pytest.mark.parametrize("ratio", [0.001, 0.02])
def test_every_failed_request_is_kept_whatever_the_sampling(ratio: float) -> None:
    engine, exporter = _traced_engine(ratio, "crash:type=security:at=2s:for=20s")
    publisher = Publisher(engine, clock=lambda: engine.now)
    run(engine, 30, tick=0.1)
    publisher.publish()
    spans = _finished(engine, exporter)
    failures = total(
        samples(publisher.fleet.collector()), "agent_workflows_total", outcome="failure"
    )
    assert failures > 20
    failed_roots = [
        s for s in spans if s.parent is None and s.status.status_code is StatusCode.ERROR
    ]
    assert len(failed_roots) == failures
    kept = [s for s in failed_roots if _attr(s, KEEP_ATTRIBUTE) == "error"]
    # At 0.1% nearly all of them were dropped at their start and kept when they failed.
    assert len(kept) >= failures * (0.9 if ratio < 0.01 else 0.8)
    assert {_attr(s, CONVERSATION_ID) for s in failed_roots} == {
        _attr(s, CONVERSATION_ID)
        for s in failed_roots
        if str(_attr(s, CONVERSATION_ID))[:2] == "t-"
    }


def test_traced_messages_become_exemplars_of_their_histograms() -> None:
    engine, exporter = _traced_engine(1.0)
    publisher = Publisher(engine, clock=lambda: engine.now)
    run(engine, 3, tick=0.1)
    publisher.publish()
    trace_ids = {
        format(s.context.trace_id, "032x") for s in _finished(engine, exporter) if s.context
    }
    exemplars = [
        (sample.name, sample.exemplar)
        for collector in (publisher.fleet.collector(), publisher.transport.collector())
        for metric in collector.collect()
        for sample in metric.samples
        if sample.exemplar is not None
    ]
    names = {name for name, _ in exemplars}
    assert names == {
        "agent_processing_time_seconds_bucket",
        "agent_transport_latency_seconds_bucket",
    }
    # Each points at a trace that was really exported (open roots aside, all spans ended).
    found = [e for _, e in exemplars if e is not None and e.labels["trace_id"] in trace_ids]
    assert len(found) >= 0.9 * len(exemplars)
