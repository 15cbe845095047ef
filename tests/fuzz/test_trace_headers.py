"""Fuzzing the message envelope's trace context: what ``AgentTracer.start_receive`` reads from
a message's headers (``traceparent``, ``tracestate``, ``baggage`` with the conversation id).

Each input is the headers a real sender wrote (``start_send`` with the OpenTelemetry SDK),
damaged in ways docs/tracing.md rules on (each damage knows whether the result is still a
good context) and by blind edits (whose verdict is left to the receiver). Properties:

- the receiver never raises, whatever the headers hold, and OpenTelemetry logs nothing of them;
- a context the documented rules call bad starts a new trace (no parent, a new conversation
  id) and is counted once as agent_transport_errors_total{error_type="bad_trace_context",
  severity="warning"}, read from the exposition; the span says why, in words of its own,
  never echoing the header;
- a good context is not counted, continues the sender's trace (same trace id, the sender's
  span as parent) and keeps the sender's conversation id.
"""

from __future__ import annotations

import logging
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.id_generator import IdGenerator
from prometheus_client import CollectorRegistry

from agentwatch.exporters import build_registry
from agentwatch.instrument import CONVERSATION_ID, AgentTracer, TransportMonitor
from tests.hypothesis_profiles import FUZZ

CONTEXT_ERROR = "agentwatch.trace_context.error"
_CONVERSATION_CHARS = string.ascii_letters + string.digits + "._:@/+=-"
_TOKEN_CHARS = string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~"
_NEW_CONVERSATION = re.compile(r"[0-9a-f]{32}")
Headers = dict[str, object]


@dataclass
class Envelope:
    headers: Headers
    # True: the documented rules take it; False: they refuse it; None: blind damage.
    good: bool | None = True
    conversation: str | None = None
    trace_id: int = 0
    span_id: int = 0
    steps: list[str] = field(default_factory=list)


class _DrawnIds(IdGenerator):
    """Ids the input chose (the SDK's own come from ``random``, which Hypothesis cannot
    replay)."""

    def __init__(self) -> None:
        self.trace_id = self.span_id = 1

    def generate_trace_id(self) -> int:
        return self.trace_id

    def generate_span_id(self) -> int:
        return self.span_id


_IDS = _DrawnIds()
_SENDER = AgentTracer("planner", "planner-0", tracer_provider=TracerProvider(id_generator=_IDS))
_TRACE_ID = st.integers(1, 2**128 - 1)
_SPAN_ID = st.integers(1, 2**64 - 1)


def _sent(conversation: str, trace_id: int, span_id: int) -> Envelope:
    """The headers the real SDK writes for a message the sender sends."""
    _IDS.trace_id, _IDS.span_id = trace_id, span_id
    headers: dict[str, str] = {}
    hop = _SENDER.start_send(headers, target_agent="coder", conversation_id=conversation)
    _SENDER.end(hop)
    context = hop.span.get_span_context()
    return Envelope(dict(headers), True, conversation, context.trace_id, context.span_id)


_DAMAGE = st.sampled_from(
    [
        "none",
        "uppercase hex",
        "version ff",
        "version 01 with more fields",
        "version 00 with more fields",
        "zero trace id",
        "zero span id",
        "traceparent not hex",
        "traceparent truncated",
        "traceparent with a newline",
        "traceparent too long",
        "traceparent not a string",
        "no traceparent",
        "tracestate",
        "tracestate too long",
        "tracestate not ASCII",
        "conversation id",
        "bad conversation id",
        "baggage properties",
        "baggage members",
        "too many baggage members",
        "baggage too long",
        "malformed baggage member",
        "header names",
        "blind",
    ]
)
_CONVERSATION = st.text(_CONVERSATION_CHARS, min_size=1, max_size=128)
_BAD_CONVERSATION = st.one_of(
    st.text(_CONVERSATION_CHARS, min_size=129, max_size=200),
    st.builds(
        lambda head, bad, tail: head + bad + tail,
        # Not empty: blanks at either end of a baggage value are not part of it.
        st.text(_CONVERSATION_CHARS, min_size=1, max_size=10),
        st.sampled_from(
            [" x", "%20", "%0A", "%FF", "%", "é", "\\", "!", "?", "#", "(", "~", "+%2B "]
        ),
        st.text(_CONVERSATION_CHARS, min_size=1, max_size=10),
    ),
)
_TOKEN = st.text(_TOKEN_CHARS, min_size=1, max_size=12)
_BAGGAGE_VALUE = st.text(
    "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '",;\\'), max_size=12
)
_BLIND_VALUE = st.one_of(
    st.none(),
    st.text(max_size=80),
    st.binary(max_size=40),
    st.integers(),
    st.lists(st.text(max_size=20), max_size=3),
    st.just("\x00" * 10),
    st.just(" " * 600),
    st.just("a=" + "b" * 9000),
)
_BLIND_KEY = st.sampled_from(["traceparent", "tracestate", "baggage", "other"])
_INDEX = st.integers(0, 2**16)
_WHITESPACE = st.sampled_from([" ", "\t", "  "])
_NEWLINE = st.sampled_from(["\n", "\r\n", "\r"])


_MALFORMED_MEMBER = st.sampled_from(["=v", "k", "k v=1", 'k="v"'])


def _damage(data: st.DataObject, envelope: Envelope) -> None:
    """One damage; ``envelope.good`` becomes what docs/tracing.md says of the result."""
    how = data.draw(_DAMAGE)
    envelope.steps.append(how)
    headers = envelope.headers
    version, flags = "00", "01"
    trace_id, span_id = f"{envelope.trace_id:032x}", f"{envelope.span_id:016x}"
    parent = f"{version}-{trace_id}-{span_id}-{flags}"
    baggage = str(headers.get("baggage", ""))
    good: bool | None = False
    if how == "none":
        good = True
    elif how == "uppercase hex":
        headers["traceparent"] = parent.upper()
        good = parent.upper() == parent  # all digits: nothing to raise
    elif how == "version ff":
        headers["traceparent"] = f"ff-{trace_id}-{span_id}-{flags}"
    elif how == "version 01 with more fields":
        # A later version may append fields; version 00 may not.
        headers["traceparent"] = f"01-{trace_id}-{span_id}-{flags}-future"
        good = True
    elif how == "version 00 with more fields":
        headers["traceparent"] = parent + "-x"
    elif how == "zero trace id":
        headers["traceparent"] = f"{version}-{'0' * 32}-{span_id}-{flags}"
    elif how == "zero span id":
        headers["traceparent"] = f"{version}-{trace_id}-{'0' * 16}-{flags}"
    elif how == "traceparent not hex":
        places = [i for i, c in enumerate(parent) if c != "-"]
        at = places[data.draw(_INDEX) % len(places)]
        headers["traceparent"] = parent[:at] + "g" + parent[at + 1 :]
    elif how == "traceparent truncated":
        headers["traceparent"] = parent[: data.draw(_INDEX) % len(parent)]
    elif how == "traceparent with a newline":
        headers["traceparent"] = parent + data.draw(_NEWLINE)
    elif how == "traceparent too long":
        headers["traceparent"] = f"01-{trace_id}-{span_id}-{flags}-" + "a" * 500
    elif how == "traceparent not a string":
        headers["traceparent"] = parent.encode()
    elif how == "no traceparent":
        del headers["traceparent"]
    elif how == "header names":
        # Names are matched exactly, as the SDK writes them: a renamed traceparent is missing.
        headers["Traceparent"] = headers.pop("traceparent")
    elif how == "tracestate":
        headers["tracestate"] = f"{data.draw(_TOKEN).lower()}={data.draw(_TOKEN)}"
        good = True
    elif how == "tracestate too long":
        headers["tracestate"] = "a=" + "b" * 511
    elif how == "tracestate not ASCII":
        headers["tracestate"] = "a=é"
    elif how == "conversation id":
        good = _conversation(envelope, data.draw(_CONVERSATION))
    elif how == "bad conversation id":
        _conversation(envelope, data.draw(_BAD_CONVERSATION))
    elif how == "baggage properties":
        prop = f"{data.draw(_WHITESPACE)};{data.draw(_TOKEN)}={data.draw(_BAGGAGE_VALUE)}"
        headers["baggage"] = baggage + prop
        good = True
    elif how == "baggage members":
        before = f"{data.draw(_TOKEN)}={data.draw(_BAGGAGE_VALUE)}"
        after = f"{data.draw(_TOKEN)}={data.draw(_BAGGAGE_VALUE)}"
        headers["baggage"] = f"{before},{baggage},{after}"
        # Unless a random member is named the conversation id too: then it depends on which.
        good = None if _names_conversation(headers) else True
    elif how == "too many baggage members":
        headers["baggage"] = ",".join([baggage] + ["k=v"] * 64)
    elif how == "baggage too long":
        headers["baggage"] = f"{baggage},pad={'x' * 8200}"
    elif how == "malformed baggage member":
        headers["baggage"] = f"{baggage},{data.draw(_MALFORMED_MEMBER)}"
    else:
        for _ in range(1 + data.draw(_INDEX) % 3):
            headers[data.draw(_BLIND_KEY)] = data.draw(_BLIND_VALUE)
        good = None
    envelope.good = good


def _conversation(envelope: Envelope, conversation: str) -> bool:
    envelope.conversation = conversation
    envelope.headers["baggage"] = f"{CONVERSATION_ID}={conversation}"
    return True


def _names_conversation(headers: Headers) -> bool:
    """True when a member other than the sender's is also named the conversation id."""
    members = str(headers["baggage"]).split(",")
    return sum(m.split("=", 1)[0].strip() == CONVERSATION_ID for m in members) > 1


@st.composite
def envelopes(draw: st.DrawFn) -> Envelope:
    data = draw(st.data())
    envelope = _sent(draw(_CONVERSATION), draw(_TRACE_ID), draw(_SPAN_ID))
    assert envelope.headers["traceparent"] == (
        f"00-{envelope.trace_id:032x}-{envelope.span_id:016x}-01"
    )
    for _ in range(1 + draw(_INDEX) % 2):
        _damage(data, envelope)
        if envelope.good is not True:
            break
    return envelope


def _bad_contexts(registry: CollectorRegistry) -> float:
    labels = {"error_type": "bad_trace_context", "severity": "warning"}
    return registry.get_sample_value("agent_transport_errors_total", labels) or 0.0


_RECEIVER = TransportMonitor()
_REGISTRY = build_registry(_RECEIVER.collector())
# A no-op provider keeps each input cheap; the checks and the extraction are the real ones.
_AGENT = AgentTracer(
    "coder", "coder-0", tracer_provider=trace.NoOpTracerProvider(), transport=_RECEIVER
)


class _Logged(logging.Handler):
    """What OpenTelemetry logs while a message is received."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture(scope="module")
def otel_log() -> Iterator[_Logged]:
    logger = logging.getLogger("opentelemetry")
    handler, level = _Logged(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


@settings(FUZZ)
@given(envelope=envelopes())
def test_a_received_envelope_continues_its_trace_or_is_counted(
    otel_log: _Logged, envelope: Envelope
) -> None:
    before = _bad_contexts(_REGISTRY)
    otel_log.lines.clear()
    hop = _AGENT.start_receive(envelope.headers)
    _AGENT.end(hop)
    # The headers are checked before OpenTelemetry's propagators see them: nothing they
    # hold reaches its log (docs/tracing.md).
    assert otel_log.lines == [], otel_log.lines
    counted = _bad_contexts(_REGISTRY) - before
    problem = hop.attributes.get(CONTEXT_ERROR)
    conversation = hop.attributes[CONVERSATION_ID]
    parent = trace.get_current_span(hop.parent).get_span_context()
    if envelope.good is not None:
        assert (problem is None) == envelope.good, (problem, envelope.steps, envelope.headers)
    if problem is not None:
        assert counted == 1
        assert not parent.is_valid
        assert isinstance(conversation, str)
        assert _NEW_CONVERSATION.fullmatch(conversation), conversation
        assert isinstance(problem, str)
        assert 0 < len(problem) <= 80
        for value in envelope.headers.values():
            if isinstance(value, str) and len(value) >= 8:
                assert value not in problem, (problem, value)
    else:
        assert counted == 0
        assert parent.is_valid
        assert parent.is_remote
    if envelope.good:
        assert parent.trace_id == envelope.trace_id
        assert parent.span_id == envelope.span_id
        assert conversation == envelope.conversation, (conversation, envelope.steps)
