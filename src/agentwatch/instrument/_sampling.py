"""Head sampling that follows the load: a span budget per second, whatever the traffic.

``AdaptiveSampler`` is an OpenTelemetry ``Sampler``. A new trace is kept with probability
``ratio``, decided from the trace id (as ``TraceIdRatioBased`` does), so every process that sees
the trace id decides alike. A span with a parent follows the parent's decision, so a trace is
kept or dropped whole. Once a second the ratio is set to

    budget / (new traces per second x spans per kept trace),

both measured over the last seconds (smoothed), and clamped to [min_ratio, max_ratio]: seed
004's 0.1% to 100%. The new-trace rate moves the moment the load moves, so after a load step
the ratio is right again within a second or two.

A span started with ``KEEP_ATTRIBUTE`` set to ``"error"`` or ``"slow"`` is always sampled: the
SDK's tracer records a failed or slow operation that head sampling dropped after the fact, with
this attribute (``AgentTracer``). Every sampled span carries ``sampling.priority = 1``, which the
OpenTelemetry Collector's probabilistic sampler honours, so spans agentwatch already sampled to
its budget are not sampled a second time there.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence

from opentelemetry.context import Context
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import Link, SpanKind, get_current_span
from opentelemetry.trace.span import TraceState
from opentelemetry.util.types import Attributes
from prometheus_client.metrics_core import Metric

from agentwatch import catalog as c
from agentwatch.catalog.prometheus import counter, gauge

__all__ = [
    "DECISIONS",
    "KEEP_ATTRIBUTE",
    "KEEP_REASONS",
    "MAX_SAMPLING_RATIO",
    "MIN_SAMPLING_RATIO",
    "AdaptiveSampler",
    "SamplerCollector",
]

MIN_SAMPLING_RATIO = 0.001
MAX_SAMPLING_RATIO = 1.0
KEEP_ATTRIBUTE = "agentwatch.sampling.keep"
KEEP_REASONS = ("error", "slow")
DECISIONS = ("sampled", "dropped", "kept_error", "kept_slow")
PRIORITY_ATTRIBUTE = "sampling.priority"
# The low 64 bits of the trace id decide, as in TraceIdRatioBased (W3C trace ids are random).
_ID_BITS = 1 << 64
# Weight of the newest second in the smoothed rates: about four seconds of memory.
_SMOOTHING = 0.25


class AdaptiveSampler(Sampler):
    def __init__(
        self,
        budget_spans_per_second: float,
        *,
        min_ratio: float = MIN_SAMPLING_RATIO,
        max_ratio: float = MAX_SAMPLING_RATIO,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if budget_spans_per_second <= 0:
            raise ValueError("budget_spans_per_second must be positive")
        if not 0 < min_ratio <= max_ratio <= 1:
            raise ValueError("expected 0 < min_ratio <= max_ratio <= 1")
        self.budget = float(budget_spans_per_second)
        self.min_ratio, self.max_ratio = min_ratio, max_ratio
        self._clock = clock
        self._lock = threading.Lock()
        self._ratio = max_ratio
        self._bound = round(max_ratio * _ID_BITS)
        self._second = int(clock())
        # This second so far: new traces offered, new traces kept, spans of kept traces.
        self._roots = self._kept_roots = self._kept_spans = 0
        # Smoothed per-second rates of the same three.
        self._root_rate: float | None = None
        self._kept_root_rate: float | None = None
        self._kept_span_rate: float | None = None
        self._decisions: Counter[str] = Counter()

    # -- the Sampler interface -------------------------------------------------------------

    def should_sample(  # noqa: PLR0917  (OpenTelemetry's Sampler interface)
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        parent = get_current_span(parent_context).get_span_context()
        keep = attributes.get(KEEP_ATTRIBUTE) if attributes else None
        with self._lock:
            self._advance()
            if keep in KEEP_REASONS:
                decision = f"kept_{keep}"
            elif parent.is_valid:
                decision = "sampled" if parent.trace_flags.sampled else "dropped"
            else:
                self._roots += 1
                decision = "sampled" if trace_id % _ID_BITS < self._bound else "dropped"
                self._kept_roots += decision == "sampled"
            self._kept_spans += decision == "sampled"
            self._decisions[decision] += 1
        parent_state = parent.trace_state if parent.is_valid else None
        if decision == "dropped":
            return SamplingResult(Decision.DROP, None, parent_state)
        return SamplingResult(
            Decision.RECORD_AND_SAMPLE, {**(attributes or {}), PRIORITY_ATTRIBUTE: 1}, parent_state
        )

    def get_description(self) -> str:
        return f"AdaptiveSampler{{budget={self.budget:g}/s, ratio={self.ratio:.4g}}}"

    # -- reading ---------------------------------------------------------------------------

    @property
    def ratio(self) -> float:
        """The probability that a new trace is kept, now."""
        with self._lock:
            self._advance()
            return self._ratio

    def decisions(self) -> dict[str, int]:
        """Spans decided since start, by decision (every name in ``DECISIONS``)."""
        with self._lock:
            return {name: self._decisions[name] for name in DECISIONS}

    def collector(self) -> SamplerCollector:
        return SamplerCollector(self)

    # -- adapting --------------------------------------------------------------------------

    def _advance(self) -> None:
        now = int(self._clock())
        elapsed = now - self._second
        if elapsed <= 0:
            return
        # Seconds without a call had no traffic: the counts are spread over all of them.
        self._root_rate = _smooth(self._root_rate, self._roots / elapsed, elapsed)
        self._kept_root_rate = _smooth(self._kept_root_rate, self._kept_roots / elapsed, elapsed)
        self._kept_span_rate = _smooth(self._kept_span_rate, self._kept_spans / elapsed, elapsed)
        self._roots = self._kept_roots = self._kept_spans = 0
        self._second = now
        # Spans per kept trace from the two smoothed rates: a trace's spans often arrive in
        # later seconds than its root, which a per-second quotient would miss.
        if self._root_rate and self._kept_root_rate and self._kept_span_rate:
            spans_per_trace = self._kept_span_rate / self._kept_root_rate
            wanted = self.budget / (self._root_rate * spans_per_trace)
            self._ratio = min(self.max_ratio, max(self.min_ratio, wanted))
            self._bound = round(self._ratio * _ID_BITS)


def _smooth(previous: float | None, value: float, seconds: int) -> float:
    if previous is None:
        return value
    keep = (1 - _SMOOTHING) ** seconds
    return keep * previous + (1 - keep) * value


class SamplerCollector:
    def __init__(self, sampler: AdaptiveSampler) -> None:
        self._sampler = sampler

    def collect(self) -> Iterator[Metric]:
        ratio = gauge(c.TRACE_SAMPLING_RATIO)
        ratio.add_metric([], self._sampler.ratio)
        yield ratio
        spans = counter(c.TRACE_SPANS_TOTAL)
        for decision, count in self._sampler.decisions().items():
            spans.add_metric([decision], count)
        yield spans
