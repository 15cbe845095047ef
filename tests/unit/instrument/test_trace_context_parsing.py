"""Trace contexts the fuzz target (tests/fuzz/test_trace_headers.py) found misread or leaked
into OpenTelemetry's log, pinned."""

from __future__ import annotations

import logging

import pytest
from opentelemetry import trace

from agentwatch.instrument import CONVERSATION_ID, AgentTracer, TransportMonitor

PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
CONTEXT_ERROR = "agentwatch.trace_context.error"


def _receive(headers: dict[str, object]) -> tuple[str | None, str, trace.SpanContext]:
    agent = AgentTracer(
        "coder", tracer_provider=trace.NoOpTracerProvider(), transport=TransportMonitor()
    )
    hop = agent.start_receive(headers)
    problem = hop.attributes.get(CONTEXT_ERROR)
    conversation = hop.attributes[CONVERSATION_ID]
    assert problem is None or isinstance(problem, str)
    assert isinstance(conversation, str)
    return problem, conversation, trace.get_current_span(hop.parent).get_span_context()


@pytest.mark.parametrize(
    ("written", "read"),
    [
        # W3C Baggage percent-decodes only %XX: a "+" from a W3C sender is a plus
        # (OpenTelemetry's own extraction reads it as a space, and the id was refused).
        ("a+b", "a+b"),
        ("a%2Bb", "a+b"),
        ("a%2Bb;prop=1", "a+b"),
        (" conv-1 ", "conv-1"),
    ],
)
def test_the_conversation_id_is_read_as_w3c_baggage_writes_it(written: str, read: str) -> None:
    problem, conversation, parent = _receive(
        {"traceparent": PARENT, "baggage": f"{CONVERSATION_ID}={written}"}
    )
    assert problem is None
    assert conversation == read
    assert parent.trace_id == 0x4BF92F3577B34DA6A3CE929D0E0E4736


@pytest.mark.parametrize("written", ["%20conv", "conv%20", "a%FFb", "a%b"])
def test_a_conversation_id_that_decodes_to_bad_characters_is_refused(written: str) -> None:
    problem, conversation, parent = _receive(
        {"traceparent": PARENT, "baggage": f"{CONVERSATION_ID}={written}"}
    )
    assert problem == "invalid conversation id"
    assert not parent.is_valid
    assert len(conversation) == 32


def test_a_baggage_member_longer_than_4096_bytes_is_a_bad_context() -> None:
    problem, _, parent = _receive({"traceparent": PARENT, "baggage": "k=" + "v" * 5000})
    assert problem == "baggage has a member longer than 4096 bytes"
    assert not parent.is_valid


@pytest.mark.parametrize(
    ("state", "kept"),
    [
        ("a=1, b=2", {"a": "1", "b": "2"}),
        ("tenant@system=x", {"tenant@system": "x"}),
        # A simple key starts with a letter; the trace goes on without the tracestate.
        ("0secret=1", {}),
        ("SECRET=1", {}),
        ("a=1,b", {}),
        (",".join(f"k{i}=v" for i in range(33)), {}),
    ],
)
def test_a_tracestate_that_is_not_w3c_is_dropped_unlogged(
    caplog: pytest.LogCaptureFixture, state: str, kept: dict[str, str]
) -> None:
    with caplog.at_level(logging.DEBUG, logger="opentelemetry"):
        problem, _, parent = _receive({"traceparent": PARENT, "tracestate": state})
    assert problem is None
    assert parent.is_valid
    assert dict(parent.trace_state.items()) == kept
    assert caplog.records == []


def test_empty_baggage_members_are_not_passed_on_to_be_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG, logger="opentelemetry"):
        problem, conversation, parent = _receive(
            {"traceparent": PARENT, "baggage": " " * 600 + f",{CONVERSATION_ID}=c,, ,"}
        )
    assert problem is None
    assert conversation == "c"
    assert parent.is_valid
    assert caplog.records == []


@pytest.mark.parametrize(
    "headers",
    [
        # A regular expression's "$" also matches before a final newline: these passed.
        {"traceparent": PARENT, "baggage": f"{CONVERSATION_ID}=c%0A"},
        {"traceparent": PARENT + "\n"},
        {"traceparent": PARENT, "baggage": f"{CONVERSATION_ID}=c\n"},
    ],
)
def test_a_trailing_newline_is_a_bad_context(headers: dict[str, object]) -> None:
    problem, conversation, parent = _receive(headers)
    assert problem is not None
    assert not parent.is_valid
    assert "\n" not in conversation
