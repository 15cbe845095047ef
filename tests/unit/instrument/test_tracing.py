"""AgentTracer with the real OpenTelemetry SDK and its in-memory exporter: one trace across
agents, through queues, retries and a crashed receiver; bad trace contexts never crash."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from prometheus_client import generate_latest
from prometheus_client.openmetrics.exposition import generate_latest as openmetrics

from agentwatch.exporters import build_registry
from agentwatch.instrument import (
    BAD_TRACE_CONTEXT,
    CONVERSATION_ID,
    AgentFleet,
    AgentTracer,
    TraceExemplar,
    TransportMonitor,
    check_trace_headers,
)
from tests.hypothesis_profiles import examples_in_ci

from .spans import recording_provider

GOOD_PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@pytest.fixture
def recording() -> Iterator[tuple[TracerProvider, InMemorySpanExporter]]:
    recorded = recording_provider()
    yield recorded
    recorded[0].shutdown()


@pytest.fixture
def exporter(recording: tuple[TracerProvider, InMemorySpanExporter]) -> InMemorySpanExporter:
    return recording[1]


@pytest.fixture
def provider(recording: tuple[TracerProvider, InMemorySpanExporter]) -> TracerProvider:
    return recording[0]


def _attrs(span: ReadableSpan) -> dict[str, object]:
    return dict(span.attributes or {})


def _bad_contexts(transport: TransportMonitor) -> int:
    _, _, errors, _ = transport._snapshot()
    return sum(count for (kind, _), count in errors if kind == BAD_TRACE_CONTEXT)


def test_a_request_across_five_agents_is_one_trace_with_its_parent_chain(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    names = ["director", "planner", "coder", "tester", "reviewer"]
    tracers = [AgentTracer(n, f"{n}-0", tracer_provider=provider) for n in names]
    client = AgentTracer("external", tracer_provider=provider)
    headers: dict[str, str] = {}
    with client.send(headers, target_agent="director", conversation_id="conv-42"):
        pass
    for here, there in zip(tracers, [*names[1:], None], strict=True):
        with here.receive(headers, message_type="task", priority="high"):
            if there is not None:
                headers = {}
                with here.send(headers, target_agent=there, target_agent_id=f"{there}-0"):
                    pass
    spans = exporter.get_finished_spans()
    assert len(spans) == 1 + 5 + 4
    assert len({s.context.trace_id for s in spans if s.context}) == 1
    by_id = {s.context.span_id: s for s in spans if s.context}
    roots = [s for s in spans if s.parent is None]
    assert [s.name for s in roots] == ["invoke_agent director"]
    # Walk down the chain: CLIENT (send) -> SERVER (receive) -> CLIENT -> ...
    chain = [roots[0]]
    while children := [
        s for s in spans if s.parent and s.parent.span_id == chain[-1].context.span_id
    ]:
        assert len(children) == 1
        chain.append(children[0])
    expected = [(SpanKind.CLIENT, "invoke_agent director")]
    for i, name in enumerate(names):
        expected.append((SpanKind.SERVER, f"invoke_agent {name}"))
        if i + 1 < len(names):
            expected.append((SpanKind.CLIENT, f"invoke_agent {names[i + 1]}"))
    assert [(s.kind, s.name) for s in chain] == expected
    assert len(by_id) == len(spans)
    for span in spans:
        attributes = _attrs(span)
        assert attributes["gen_ai.operation.name"] == "invoke_agent"
        assert attributes[CONVERSATION_ID] == "conv-42"
        assert span.name == f"invoke_agent {attributes['gen_ai.agent.name']}"
    server = [s for s in spans if s.kind is SpanKind.SERVER]
    assert [_attrs(s)["gen_ai.agent.id"] for s in server] == [f"{n}-0" for n in names]
    assert {_attrs(s)["agentwatch.message.priority"] for s in server} == {"high"}


def test_the_context_survives_a_queue_a_retry_and_a_crashed_receiver(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    sender = AgentTracer("planner", "planner-0", tracer_provider=provider)
    crashed = AgentTracer("coder", "coder-0", tracer_provider=provider)
    standby = AgentTracer("coder", "coder-1", tracer_provider=provider)
    inbox: queue.Queue[dict[str, str]] = queue.Queue()
    with sender.receive({"traceparent": GOOD_PARENT}):
        first: dict[str, str] = {}
        with sender.send(first, target_agent="coder"):
            inbox.put(first)

    def crash() -> None:
        message = inbox.get()
        with pytest.raises(RuntimeError), crashed.receive(message):
            raise RuntimeError("coder-0 died")
        inbox.put(message)  # back on the queue, untouched, for a retry elsewhere

    worker = threading.Thread(target=crash)
    worker.start()
    worker.join()
    # The sender retries with a fresh message under its same span...
    with sender.receive({"traceparent": GOOD_PARENT}):
        retry: dict[str, str] = {}
        with sender.send(retry, target_agent="coder"):
            pass
    # ...and the standby takes both the requeued original and the retry.
    for message in (inbox.get(), retry):
        with standby.receive(message):
            pass
    spans = exporter.get_finished_spans()
    assert {s.context.trace_id for s in spans if s.context} == {0x4BF92F3577B34DA6A3CE929D0E0E4736}
    failed = [s for s in spans if s.status.status_code is StatusCode.ERROR]
    assert [(_attrs(s)["gen_ai.agent.id"], _attrs(s)["error.type"]) for s in failed] == [
        ("coder-0", "RuntimeError")
    ]
    assert failed[0].events[0].name == "exception"
    sends = {s.context.span_id for s in spans if s.kind is SpanKind.CLIENT and s.context}
    received = [s for s in spans if _attrs(s).get("gen_ai.agent.id") == "coder-1"]
    assert len(received) == 2
    assert all(s.parent and s.parent.span_id in sends for s in received)


def test_sends_inside_a_tool_call_stay_in_the_trace(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    agent = AgentTracer("researcher", "researcher-0", tracer_provider=provider)
    out: dict[str, str] = {}
    with (
        agent.receive({"traceparent": GOOD_PARENT, "baggage": f"{CONVERSATION_ID}=c1"}),
        agent.tool("web_search"),
        agent.send(out, target_agent="writer"),
    ):
        pass
    tool = next(s for s in exporter.get_finished_spans() if s.name == "execute_tool web_search")
    assert tool.kind is SpanKind.INTERNAL
    assert _attrs(tool)["gen_ai.tool.name"] == "web_search"
    assert _attrs(tool)[CONVERSATION_ID] == "c1"
    assert out["traceparent"].split("-")[1] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert "c1" in out["baggage"]


HOSTILE: list[dict[str, object]] = [
    {},
    {"traceparent": ""},
    {"traceparent": "garbage"},
    {"traceparent": GOOD_PARENT.upper()},
    {"traceparent": "ff" + GOOD_PARENT[2:]},
    {"traceparent": GOOD_PARENT + "-extra"},
    {"traceparent": "00-" + "0" * 32 + "-00f067aa0ba902b7-01"},
    {"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-" + "0" * 16 + "-01"},
    {"traceparent": GOOD_PARENT + "\r\nX-Injected: yes"},
    {"traceparent": "00-" + "a" * 10_000_000},
    {"traceparent": b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
    {"traceparent": None},
    {"traceparent": [GOOD_PARENT]},
    {"traceparent": GOOD_PARENT, "tracestate": "x" * 600},
    {"traceparent": GOOD_PARENT, "tracestate": "vendor=ünïcode"},
    {"traceparent": GOOD_PARENT, "baggage": "k=v," * 100},
    {"traceparent": GOOD_PARENT, "baggage": "k=" + "v" * 9000},
    {"traceparent": GOOD_PARENT, "baggage": "no equals sign"},
    {"traceparent": GOOD_PARENT, "baggage": "a=b;c" + " " * 8000 + "x"},
    {"traceparent": GOOD_PARENT, "baggage": f"{CONVERSATION_ID}=%3Cscript%3E"},
    {"traceparent": GOOD_PARENT, "baggage": 42},
]


class _Exploding(dict[str, object]):
    def get(self, key: str, default: object = None) -> object:
        raise KeyError("no headers for you")


@pytest.mark.parametrize("headers", [*HOSTILE, _Exploding()], ids=range(len(HOSTILE) + 1))
def test_a_bad_trace_context_starts_a_new_trace_and_is_counted(
    provider: TracerProvider, exporter: InMemorySpanExporter, headers: dict[str, object]
) -> None:
    transport = TransportMonitor()
    agent = AgentTracer("planner", "planner-0", tracer_provider=provider, transport=transport)
    with agent.receive(headers):
        pass
    (span,) = exporter.get_finished_spans()
    assert span.parent is None
    assert span.context is not None
    assert span.context.trace_id != 0x4BF92F3577B34DA6A3CE929D0E0E4736
    assert isinstance(_attrs(span)["agentwatch.trace_context.error"], str)
    assert _bad_contexts(transport) == 1


def test_a_good_context_is_not_counted(
    provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    transport = TransportMonitor()
    agent = AgentTracer("planner", tracer_provider=provider, transport=transport)
    good = {"traceparent": GOOD_PARENT, "tracestate": "v=1", "baggage": f"{CONVERSATION_ID}=c;p=1"}
    with agent.receive(good):
        pass
    (span,) = exporter.get_finished_spans()
    assert span.parent is not None
    assert span.parent.span_id == 0x00F067AA0BA902B7
    assert _attrs(span)[CONVERSATION_ID] == "c"
    assert "agentwatch.trace_context.error" not in _attrs(span)
    assert _bad_contexts(transport) == 0


_HEADER_VALUE = st.one_of(
    st.none(),
    st.text(max_size=300),
    st.binary(max_size=100),
    st.integers(),
    st.lists(st.text(max_size=60), max_size=3),
    # Near misses of valid headers.
    st.builds(
        lambda version, trace_id, span_id, flags, tail: (
            f"{version}-{trace_id}-{span_id}-{flags}" + tail
        ),
        st.sampled_from(["00", "01", "ff", "0", "zz"]),
        st.text("0123456789abcdefABCDEF", min_size=30, max_size=34),
        st.text("0123456789abcdef", min_size=14, max_size=18),
        st.sampled_from(["00", "01", "ff", "1"]),
        st.sampled_from(["", "-", "-x", " ", "\n"]),
    ),
)


@settings(examples_in_ci(10_000))
@given(
    st.dictionaries(
        st.sampled_from(["traceparent", "tracestate", "baggage", "other"]),
        _HEADER_VALUE,
        max_size=4,
    )
)
def test_fuzzed_headers_never_crash_the_receiver(headers: dict[str, object]) -> None:
    # A no-op provider keeps CI's 10,000 examples fast; the checks and extraction are the same.
    transport = TransportMonitor()
    agent = AgentTracer("planner", tracer_provider=trace.NoOpTracerProvider(), transport=transport)
    problem = check_trace_headers(headers)
    hop = agent.start_receive(headers)
    agent.end(hop)
    assert _bad_contexts(transport) == (0 if problem is None else 1)
    if problem is None:
        parent = trace.get_current_span(hop.parent).get_span_context()
        assert parent.is_valid
        assert parent.trace_id == int(str(headers["traceparent"]).split("-")[1], 16)


def test_a_message_processed_in_a_sampled_span_is_an_exemplar(provider: TracerProvider) -> None:
    agent = AgentTracer("planner", "planner-0", tracer_provider=provider)
    fleet = AgentFleet()
    monitor = fleet.agent("planner-0", "planner")
    with agent.receive({"traceparent": GOOD_PARENT}) as span:
        with monitor.processing(source_agent="director", action="plan"):
            pass
        span_id = span.get_span_context().span_id
    text = openmetrics(build_registry(fleet.collector())).decode()
    lines = [line for line in text.splitlines() if "trace_id" in line]
    assert len(lines) == 1
    assert lines[0].startswith("agent_processing_time_seconds_bucket{")
    assert 'trace_id="4bf92f3577b34da6a3ce929d0e0e4736"' in lines[0]
    assert f'span_id="{span_id:016x}"' in lines[0]
    # The text format (0.0.4) has no exemplars; only OpenMetrics carries them.
    assert text.count("# {") == 1


def test_transport_exemplars_appear_in_openmetrics_only() -> None:
    transport = TransportMonitor()
    transport.record_batch(10, 1000, latencies=[0.002] * 10, msg_type="task")
    transport.record_exemplars("task", [TraceExemplar.of(0.002, 0xABC, 0xDEF, 1_700_000_000.0)])
    registry = build_registry(transport.collector())
    om = openmetrics(registry).decode()
    assert (
        'agent_transport_latency_seconds_bucket{le="0.0025",msg_type="task"} 10.0 # '
        '{span_id="0000000000000def",trace_id="00000000000000000000000000000abc"} 0.002 '
        "1700000000.0" in om
    )
    assert "trace_id" not in generate_latest(registry).decode()
