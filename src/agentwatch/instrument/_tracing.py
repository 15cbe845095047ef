"""Spans for agents that pass messages: one trace per request, across agent boundaries.

An agent that sends opens a CLIENT span ``invoke_agent {target}`` and writes the W3C trace
context (``traceparent``, ``tracestate``) and the conversation id (as W3C ``baggage``) into the
message's headers; the agent that receives it reads them back and continues the same trace
with a SERVER span ``invoke_agent {itself}``. Names and attributes follow the OpenTelemetry
GenAI conventions (``gen_ai.operation.name``, ``gen_ai.agent.name``, ``gen_ai.agent.id``,
``gen_ai.conversation.id``, ``execute_tool {gen_ai.tool.name}``).

Headers come from other processes and are not trusted: a message whose trace context is
missing, malformed or hostile (oversized, non-ASCII, an invalid conversation id) starts a new
trace, is counted as ``agent_transport_errors_total{error_type="bad_trace_context"}``, and
never raises. The checks are stricter than the W3C propagators', so OpenTelemetry never logs
what a hostile header holds.

Personal values: every attribute whose key the tracer's ``Pseudonymizer`` lists
(``privacy.hashed_labels``: ``user.id``, ``user.email``, ``enduser.id``, ``session.id``, ...) is
replaced by its keyed hash before it is set on a span: the ``attributes=`` an agent passes
to ``send``/``receive``/``tool`` (and their ``start_*`` forms), what it sets on the span those
blocks yield, events and links on it, and the tracer's own attributes. A span fetched some
other way (``trace.get_current_span()``) is OpenTelemetry's own and is not covered; free
text such as an exception's message is not scanned (docs/privacy.md).

With ``AdaptiveSampler``, an operation that head sampling dropped but that failed or took
``slow_seconds`` or longer is recorded after it ends (its real start time, the same trace and
parent) and exported: errors and slow operations are always kept. What ran under it while it
was unsampled was not recorded; a collector with tail sampling over unsampled-at-source spans
is the tool for whole error traces across processes.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import unquote

from opentelemetry import baggage, context, trace
from opentelemetry.baggage.propagation import W3CBaggagePropagator
from opentelemetry.context import Context
from opentelemetry.propagators.composite import CompositePropagator
from opentelemetry.trace import Span, SpanContext, SpanKind, Status, StatusCode, TracerProvider
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util import types
from opentelemetry.util.types import AttributeValue

from agentwatch.security import Pseudonymizer

from ._privacy import default_pseudonymizer
from ._sampling import KEEP_ATTRIBUTE
from ._transport import TransportMonitor

__all__ = [
    "BAD_TRACE_CONTEXT",
    "CONVERSATION_ID",
    "AgentTracer",
    "Hop",
    "check_trace_headers",
]

TRACEPARENT, TRACESTATE, BAGGAGE = "traceparent", "tracestate", "baggage"
OPERATION = "gen_ai.operation.name"
AGENT_NAME = "gen_ai.agent.name"
AGENT_ID = "gen_ai.agent.id"
TOOL_NAME = "gen_ai.tool.name"
CONVERSATION_ID = "gen_ai.conversation.id"
MESSAGE_TYPE = "agentwatch.message.type"
MESSAGE_PRIORITY = "agentwatch.message.priority"
CONTEXT_ERROR = "agentwatch.trace_context.error"
ERROR_TYPE = "error.type"
INVOKE_AGENT, EXECUTE_TOOL = "invoke_agent", "execute_tool"
BAD_TRACE_CONTEXT = "bad_trace_context"

# W3C Trace Context level 1: version 00 is exactly 55 characters; later versions may append
# fields, so allow some room, as OpenTelemetry does (512).
_MAX_TRACEPARENT = 512
_MAX_TRACESTATE = 512
# W3C Baggage: at least 64 members and 8192 bytes must be accepted; more is refused here.
_MAX_BAGGAGE = 8192
_MAX_BAGGAGE_MEMBERS = 64
# OpenTelemetry drops a longer member and logs its key, which the sender chose.
_MAX_BAGGAGE_MEMBER = 4096
_TRACEPARENT_RE = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$")
_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]++"
_BAGGAGE_VALUE = r"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*+"
_OWS = r"[ \t]*+"  # possessive: hostile runs of blanks cannot make the match backtrack
_BAGGAGE_PROPERTY = rf";{_OWS}{_TOKEN}{_OWS}(={_OWS}{_BAGGAGE_VALUE})?{_OWS}"
_BAGGAGE_MEMBER_RE = re.compile(
    rf"^{_OWS}{_TOKEN}{_OWS}={_OWS}{_BAGGAGE_VALUE}{_OWS}({_BAGGAGE_PROPERTY})*$"
)
# Used with fullmatch: "$" alone would also match before a final newline ("c\n").
_CONVERSATION_RE = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")
# W3C Trace Context tracestate: at most 32 members, each key=value as the standard spells them
# (a simple key starts with a lowercase letter; a multi-tenant one is tenant@system).
_MAX_TRACESTATE_MEMBERS = 32
_TRACESTATE_MEMBER_RE = re.compile(
    r"(?:[a-z][_0-9a-z\-*/]{0,255}|[a-z0-9][_0-9a-z\-*/]{0,240}@[a-z][_0-9a-z\-*/]{0,13})"
    r"=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]"
)

# An agent's own span attributes (user.id, say), added to the tracer's.
Attributes = Mapping[str, AttributeValue]

_PROPAGATOR = CompositePropagator([TraceContextTextMapPropagator(), W3CBaggagePropagator()])


def _tracestate_ok(state: str) -> bool:
    """True when every member is W3C's key=value (blanks around members and empty members
    are allowed), as OpenTelemetry reads it."""
    members = [m.strip(" \t") for m in state.split(",") if m.strip(" \t")]
    return len(members) <= _MAX_TRACESTATE_MEMBERS and all(
        _TRACESTATE_MEMBER_RE.fullmatch(m) for m in members
    )


def _conversation_in(members: str) -> str | None:
    """The conversation id a baggage header carries, percent-decoded as W3C Baggage says
    (``%XX`` only: OpenTelemetry's own extraction reads ``+`` as a space, which would make a
    valid id such as ``a+b`` from a W3C sender look invalid); the last member wins, as in
    OpenTelemetry. None when no member names it."""
    found = None
    for member in members.split(","):
        key, equals, value = member.partition("=")
        if equals and key.strip(" \t") == CONVERSATION_ID:
            found = unquote(value.split(";", 1)[0].strip(" \t"), errors="replace")
    return found


def check_trace_headers(headers: Mapping[str, object]) -> str | None:
    """What is wrong with a message's trace headers, or None when they can be trusted."""
    try:
        parent = headers.get(TRACEPARENT)
        state = headers.get(TRACESTATE)
        members = headers.get(BAGGAGE)
    except Exception:  # a hostile mapping: anything it raises is its own fault
        return "unreadable headers"
    if parent is None:
        return "missing traceparent"
    if not isinstance(parent, str) or len(parent) > _MAX_TRACEPARENT:
        return "traceparent is not a string of at most 512 characters"
    match = _TRACEPARENT_RE.fullmatch(parent)
    if match is None:
        return "malformed traceparent"
    version, trace_id, span_id, _, rest = match.groups()
    if version == "ff" or (version == "00" and rest):
        return "traceparent version not supported"
    if trace_id == "0" * 32 or span_id == "0" * 16:
        return "traceparent with an all-zero id"
    if state is not None and (
        not isinstance(state, str) or len(state) > _MAX_TRACESTATE or not state.isascii()
    ):
        return "tracestate is not an ASCII string of at most 512 characters"
    if members is None:
        return None
    if not isinstance(members, str) or len(members.encode("utf-8", "replace")) > _MAX_BAGGAGE:
        return "baggage is not a string of at most 8192 bytes"
    entries = [m for m in members.split(",") if m.strip(" \t")]
    if len(entries) > _MAX_BAGGAGE_MEMBERS:
        return "baggage has more than 64 members"
    if any(len(m.encode("utf-8", "replace")) > _MAX_BAGGAGE_MEMBER for m in entries):
        return "baggage has a member longer than 4096 bytes"
    for entry in entries:
        if not _BAGGAGE_MEMBER_RE.fullmatch(entry):
            return "malformed baggage"
    return None


@dataclass(frozen=True, slots=True)
class Hop:
    """One started span: ``context`` holds it and the conversation id, for what follows it.

    ``parent``, ``name``, ``kind`` and ``attributes`` are kept so a dropped span that turns out
    to fail or run slow can be recorded after the fact.
    """

    span: Span
    context: Context
    parent: Context
    name: str
    kind: SpanKind
    attributes: dict[str, AttributeValue]
    start_time: int

    @property
    def sampled(self) -> bool:
        return self.span.get_span_context().trace_flags.sampled


def new_conversation_id() -> str:
    return uuid.uuid4().hex


class AgentTracer:
    """The spans of one agent. ``transport`` counts bad trace contexts; ``slow_seconds`` makes
    dropped operations at least that long kept; ``pseudonymizer`` hashes personal attribute
    values (default: the spec's default keys under a key drawn once per process; see the
    module docs)."""

    def __init__(
        self,
        agent_name: str,
        agent_id: str | None = None,
        *,
        tracer_provider: TracerProvider | None = None,
        transport: TransportMonitor | None = None,
        slow_seconds: float | None = None,
        pseudonymizer: Pseudonymizer | None = None,
    ) -> None:
        self.agent_name = agent_name
        self.agent_id = agent_id
        self.pseudonymizer = pseudonymizer or default_pseudonymizer()
        self._tracer = trace.get_tracer("agentwatch", tracer_provider=tracer_provider)
        self._transport = transport
        self._slow_ns = None if slow_seconds is None else int(slow_seconds * 1e9)

    # -- spans with explicit times (a simulator, a replay, an async framework) ---------------

    def start_send(
        self,
        headers: MutableMapping[str, str] | None,
        *,
        target_agent: str,
        target_agent_id: str | None = None,
        message_type: str = "task",
        priority: str = "normal",
        conversation_id: str | None = None,
        context: Context | None = None,
        start_time: int | None = None,
        attributes: Attributes | None = None,
    ) -> Hop:
        """Open the CLIENT span of a message to ``target_agent`` and write its trace context
        into ``headers``. The parent is ``context`` (default: the current one); with no
        parent this starts a trace, and a conversation unless ``conversation_id`` is given.
        ``attributes`` are the agent's own (``user.id``, say; hashed when listed), added to
        the span's; they cannot replace the attributes the tracer sets.

        ``headers=None`` writes nothing yet (``inject`` does it later): a caller that sends only
        sampled messages saves the cost of writing headers it would throw away."""
        parent = context if context is not None else _current()
        conversation = conversation_id or _conversation_of(parent) or new_conversation_id()
        own = _send_attributes(target_agent, target_agent_id, message_type, priority, conversation)
        hop = self._start(
            f"{INVOKE_AGENT} {target_agent}",
            kind=SpanKind.CLIENT,
            parent=parent,
            attributes={**(attributes or {}), **own},
            conversation=conversation,
            start_time=start_time,
        )
        if headers is not None:
            self.inject(hop, headers)
        return hop

    @staticmethod
    def inject(hop: Hop, headers: MutableMapping[str, str]) -> None:
        """Write ``hop``'s trace context and baggage into a message's headers (W3C)."""
        _PROPAGATOR.inject(headers, hop.context)

    def start_receive(
        self,
        headers: Mapping[str, object],
        *,
        message_type: str = "task",
        priority: str = "normal",
        start_time: int | None = None,
        attributes: Attributes | None = None,
    ) -> Hop:
        """Open this agent's SERVER span for a message, continuing the trace in ``headers``;
        a bad trace context is counted and starts a new trace instead. ``attributes`` as in
        ``start_send``."""
        problem = check_trace_headers(headers)
        if problem is None:
            # Only the three values just checked reach OpenTelemetry's propagators.
            state, members = headers.get(TRACESTATE), headers.get(BAGGAGE)
            carrier = {TRACEPARENT: headers.get(TRACEPARENT)}
            if isinstance(state, str) and _tracestate_ok(state):
                # W3C lets a receiver drop a tracestate it cannot parse (the trace goes on);
                # OpenTelemetry would log the member it refuses.
                carrier[TRACESTATE] = state
            listed = members.split(",") if isinstance(members, str) else []
            listed = [m for m in listed if m.strip(" \t")]
            if listed:
                # Without its empty members, which OpenTelemetry would log as malformed.
                carrier[BAGGAGE] = ",".join(listed)
            parent = _PROPAGATOR.extract(carrier, context=Context())
            written = _conversation_in(members) if isinstance(members, str) else None
            conversation = written if written and _CONVERSATION_RE.fullmatch(written) else None
            if written is not None and conversation is None:
                problem = "invalid conversation id"
        if problem is not None:
            parent, conversation = Context(), None
            if self._transport is not None:
                self._transport.record_error(BAD_TRACE_CONTEXT, severity="warning")
        own: dict[str, AttributeValue] = {
            OPERATION: INVOKE_AGENT,
            AGENT_NAME: self.agent_name,
            MESSAGE_TYPE: message_type,
            MESSAGE_PRIORITY: priority,
        }
        if self.agent_id is not None:
            own[AGENT_ID] = self.agent_id
        if problem is not None:
            own[CONTEXT_ERROR] = problem
        conversation = conversation or new_conversation_id()
        own[CONVERSATION_ID] = conversation
        return self._start(
            f"{INVOKE_AGENT} {self.agent_name}",
            kind=SpanKind.SERVER,
            parent=parent,
            attributes={**(attributes or {}), **own},
            conversation=conversation,
            start_time=start_time,
        )

    def start_tool(
        self,
        tool_name: str,
        *,
        context: Context | None = None,
        start_time: int | None = None,
        attributes: Attributes | None = None,
    ) -> Hop:
        parent = context if context is not None else _current()
        conversation = _conversation_of(parent) or new_conversation_id()
        own: dict[str, AttributeValue] = {
            OPERATION: EXECUTE_TOOL,
            TOOL_NAME: tool_name,
            AGENT_NAME: self.agent_name,
            CONVERSATION_ID: conversation,
        }
        return self._start(
            f"{EXECUTE_TOOL} {tool_name}",
            kind=SpanKind.INTERNAL,
            parent=parent,
            attributes={**(attributes or {}), **own},
            conversation=conversation,
            start_time=start_time,
        )

    def end(
        self, hop: Hop, *, end_time: int | None = None, error: BaseException | str | None = None
    ) -> None:
        """End ``hop``'s span; a dropped one that failed or ran slow is recorded now."""
        ended = time.time_ns() if end_time is None else end_time
        if hop.span.is_recording():
            if error is not None:
                _mark_failed(hop.span, error)
            hop.span.end(ended)
            return
        slow = self._slow_ns is not None and ended - hop.start_time >= self._slow_ns
        if error is not None or slow:
            self.record_kept(hop, "error" if error is not None else "slow", ended, error)

    def record_kept(
        self, hop: Hop, reason: str, end_time: int, error: BaseException | str | None = None
    ) -> Span:
        """Record a span head sampling dropped, as it was, because of ``reason``."""
        span = self._tracer.start_span(
            hop.name,
            context=hop.parent,
            kind=hop.kind,
            attributes={**hop.attributes, KEEP_ATTRIBUTE: reason},
            start_time=hop.start_time,
        )
        if error is not None:
            _mark_failed(span, error)
        span.end(end_time)
        return span

    def record_kept_send(
        self,
        reason: str,
        *,
        target_agent: str,
        start_time: int,
        end_time: int,
        target_agent_id: str | None = None,
        message_type: str = "task",
        priority: str = "normal",
        conversation_id: str | None = None,
        error: BaseException | str | None = None,
        attributes: Attributes | None = None,
    ) -> Span:
        """A message this agent sent, in a trace head sampling dropped at its start, recorded
        as a trace of its own now that it turned out to fail or run slow (``reason``)."""
        conversation = conversation_id or new_conversation_id()
        own = _send_attributes(target_agent, target_agent_id, message_type, priority, conversation)
        hop = Hop(
            trace.INVALID_SPAN,
            Context(),
            Context(),
            f"{INVOKE_AGENT} {target_agent}",
            SpanKind.CLIENT,
            self._hashed({**(attributes or {}), **own}),
            start_time,
        )
        return self.record_kept(hop, reason, end_time, error)

    # -- context managers for code that runs while the span is open -----------------------

    @contextmanager
    def send(
        self,
        headers: MutableMapping[str, str],
        *,
        target_agent: str,
        target_agent_id: str | None = None,
        message_type: str = "task",
        priority: str = "normal",
        conversation_id: str | None = None,
        attributes: Attributes | None = None,
    ) -> Iterator[Span]:
        """``with tracer.send(message.headers, target_agent="coder"): transport.put(message)``;
        the span it yields hashes personal attributes set on it."""
        hop = self.start_send(
            headers,
            target_agent=target_agent,
            target_agent_id=target_agent_id,
            message_type=message_type,
            priority=priority,
            conversation_id=conversation_id,
            attributes=attributes,
        )
        with self._running(hop) as span:
            yield span

    @contextmanager
    def receive(
        self,
        headers: Mapping[str, object],
        *,
        message_type: str = "task",
        priority: str = "normal",
        attributes: Attributes | None = None,
    ) -> Iterator[Span]:
        """``with tracer.receive(message.headers, attributes={"user.id": uid}): handle(message)``;
        sends inside it continue the trace."""
        hop = self.start_receive(
            headers, message_type=message_type, priority=priority, attributes=attributes
        )
        with self._running(hop) as span:
            yield span

    @contextmanager
    def tool(self, tool_name: str, *, attributes: Attributes | None = None) -> Iterator[Span]:
        with self._running(self.start_tool(tool_name, attributes=attributes)) as span:
            yield span

    @contextmanager
    def _running(self, hop: Hop) -> Iterator[Span]:
        token = context.attach(hop.context)
        try:
            yield _HashingSpan(hop.span, self.pseudonymizer)
        except BaseException as exc:
            context.detach(token)
            self.end(hop, error=exc)
            raise
        context.detach(token)
        self.end(hop)

    # -- internals -------------------------------------------------------------------------

    def _start(
        self,
        name: str,
        *,
        kind: SpanKind,
        parent: Context,
        attributes: dict[str, AttributeValue],
        conversation: str,
        start_time: int | None,
    ) -> Hop:
        started = time.time_ns() if start_time is None else start_time
        attributes = self._hashed(attributes)
        span = self._tracer.start_span(
            name,
            context=parent,
            kind=kind,
            attributes=attributes,
            start_time=started,
            # end() records failures itself, once, whichever way the span ends.
            record_exception=False,
            set_status_on_exception=False,
        )
        here = baggage.set_baggage(
            CONVERSATION_ID, conversation, trace.set_span_in_context(span, parent)
        )
        return Hop(span, here, parent, name, kind, attributes, started)

    def _hashed(self, attributes: Mapping[str, AttributeValue]) -> dict[str, AttributeValue]:
        return _hashed(self.pseudonymizer, attributes)


def _hashed(
    pseudonymizer: Pseudonymizer, attributes: Mapping[str, types.AnyValue] | None
) -> dict[str, AttributeValue]:
    """``attributes`` with personal values hashed; one under a hashed key that cannot be
    hashed (bytes, a map) is left out rather than exported."""
    hashed: dict[str, AttributeValue] = {}
    for key, value in (attributes or {}).items():
        try:
            hashed[key] = pseudonymizer.attribute(key, value)
        except TypeError:
            continue
    return hashed


class _HashingSpan(Span):
    """The span a ``with`` block of the tracer yields: attributes set on it, on its events
    and on its links are hashed as the tracer's own are; everything else is the span's."""

    def __init__(self, span: Span, pseudonymizer: Pseudonymizer) -> None:
        self._span = span
        self._pseudonymizer = pseudonymizer

    def end(self, end_time: int | None = None) -> None:
        self._span.end(end_time)

    def get_span_context(self) -> SpanContext:
        return self._span.get_span_context()

    def set_attributes(self, attributes: Mapping[str, types.AnyValue]) -> None:
        self._span.set_attributes(_hashed(self._pseudonymizer, attributes))

    def set_attribute(self, key: str, value: types.AnyValue) -> None:
        self.set_attributes({key: value})

    def add_event(
        self,
        name: str,
        attributes: types.Attributes = None,
        timestamp: int | None = None,
    ) -> None:
        self._span.add_event(name, _hashed(self._pseudonymizer, attributes), timestamp)

    def add_link(self, context: SpanContext, attributes: types.Attributes = None) -> None:
        self._span.add_link(context, _hashed(self._pseudonymizer, attributes))

    def update_name(self, name: str) -> None:
        self._span.update_name(name)

    def is_recording(self) -> bool:
        return self._span.is_recording()

    def set_status(self, status: Status | StatusCode, description: str | None = None) -> None:
        self._span.set_status(status, description)

    def record_exception(
        self,
        exception: BaseException,
        attributes: types.Attributes = None,
        timestamp: int | None = None,
        escaped: bool = False,
    ) -> None:
        self._span.record_exception(
            exception, _hashed(self._pseudonymizer, attributes), timestamp, escaped
        )


def _send_attributes(
    target_agent: str,
    target_agent_id: str | None,
    message_type: str,
    priority: str,
    conversation: str,
) -> dict[str, AttributeValue]:
    attributes: dict[str, AttributeValue] = {
        OPERATION: INVOKE_AGENT,
        AGENT_NAME: target_agent,
        CONVERSATION_ID: conversation,
        MESSAGE_TYPE: message_type,
        MESSAGE_PRIORITY: priority,
    }
    if target_agent_id is not None:
        attributes[AGENT_ID] = target_agent_id
    return attributes


def _current() -> Context:
    return context.get_current()


def _conversation_of(ctx: Context) -> str | None:
    value = baggage.get_baggage(CONVERSATION_ID, ctx)
    if not isinstance(value, str):
        return None
    # OpenTelemetry keeps a member's W3C properties (";key=value") in its value.
    value = value.split(";", 1)[0].strip()
    return value if _CONVERSATION_RE.fullmatch(value) else None


def _mark_failed(span: Span, error: BaseException | str) -> None:
    if isinstance(error, BaseException):
        span.record_exception(error)
        kind, description = type(error).__qualname__, f"{type(error).__qualname__}: {error}"
    else:
        kind = description = error
    span.set_attribute(ERROR_TYPE, kind)
    span.set_status(Status(StatusCode.ERROR, description))
