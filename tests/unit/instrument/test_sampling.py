"""AdaptiveSampler: spans near the budget whatever the load, whole traces, errors always kept."""

from __future__ import annotations

import random

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.trace import SpanKind, StatusCode

from agentwatch.instrument import KEEP_ATTRIBUTE, AdaptiveSampler, AgentTracer
from tests.unit.instrument.clock import FakeClock
from tests.unit.instrument.spans import recording_provider

SPANS_PER_TRACE = 9


class _SeededIds(IdGenerator):
    """Random ids from a seeded generator: the same decisions on every run."""

    def __init__(self, seed: int = 2026) -> None:
        self._random = random.Random(seed)

    def generate_span_id(self) -> int:
        return self._random.getrandbits(64) or 1

    def generate_trace_id(self) -> int:
        return self._random.getrandbits(128) or 1


def _provider(sampler: AdaptiveSampler) -> tuple[TracerProvider, InMemorySpanExporter]:
    return recording_provider(sampler, id_generator=_SeededIds())


def _run(
    sampler: AdaptiveSampler,
    clock: FakeClock,
    tracer: trace.Tracer,
    *,
    traces_per_second: int,
    seconds: int,
) -> list[int]:
    """Traces of SPANS_PER_TRACE spans (a root and its children); sampled spans each second."""
    per_second = []
    for _ in range(seconds):
        before = sampler.decisions()["sampled"]
        for _ in range(traces_per_second):
            root = tracer.start_span("root", kind=SpanKind.CLIENT)
            context = trace.set_span_in_context(root)
            for _ in range(SPANS_PER_TRACE - 1):
                tracer.start_span("child", context=context).end()
            root.end()
        clock.advance(1)
        sampler.ratio  # noqa: B018  (a read moves the sampler to the new second)
        per_second.append(sampler.decisions()["sampled"] - before)
    return per_second


def test_sampled_spans_follow_the_budget_through_a_load_step() -> None:
    clock = FakeClock()
    sampler = AdaptiveSampler(200, clock=clock)
    provider, _ = _provider(sampler)
    tracer = provider.get_tracer("test")
    # 100 traces/s x 9 spans = 900 spans/s offered, then ten times that.
    low = _run(
        sampler,
        clock,
        tracer,
        traces_per_second=100,
        seconds=20,
    )
    ratio_low = sampler.ratio
    high = _run(
        sampler,
        clock,
        tracer,
        traces_per_second=1000,
        seconds=20,
    )
    ratio_high = sampler.ratio
    # Converged in both phases: the mean of the last 10 seconds within 20% of the budget.
    assert sum(low[-10:]) / 10 == pytest.approx(200, rel=0.2)
    assert sum(high[-10:]) / 10 == pytest.approx(200, rel=0.2)
    # And quickly: from the third second after the step, no second is more than 2x off.
    assert all(100 <= spans <= 400 for spans in high[3:])
    assert ratio_low == pytest.approx(200 / 900, rel=0.2)
    assert ratio_high == pytest.approx(200 / 9000, rel=0.2)


def test_a_load_under_the_budget_is_kept_whole() -> None:
    clock = FakeClock()
    sampler = AdaptiveSampler(1000, clock=clock)
    provider, exporter = _provider(sampler)
    per_second = _run(sampler, clock, provider.get_tracer("test"), traces_per_second=20, seconds=10)
    assert sampler.ratio == 1.0
    assert per_second == [20 * SPANS_PER_TRACE] * 10
    assert len(exporter.get_finished_spans()) == 200 * SPANS_PER_TRACE


def test_the_ratio_stays_within_its_bounds() -> None:
    clock = FakeClock()
    sampler = AdaptiveSampler(1, min_ratio=0.01, max_ratio=0.5, clock=clock)
    provider, _ = _provider(sampler)
    assert sampler.ratio == 0.5
    _run(sampler, clock, provider.get_tracer("test"), traces_per_second=2000, seconds=5)
    assert sampler.ratio == 0.01


def test_a_trace_is_kept_or_dropped_whole() -> None:
    clock = FakeClock()
    sampler = AdaptiveSampler(100, min_ratio=0.3, max_ratio=0.3, clock=clock)
    provider, exporter = _provider(sampler)
    tracer = provider.get_tracer("test")
    for _ in range(300):
        root = tracer.start_span("root")
        context = trace.set_span_in_context(root)
        child = tracer.start_span("child", context=context)
        tracer.start_span("grandchild", context=trace.set_span_in_context(child)).end()
        child.end()
        root.end()
    by_trace: dict[int, int] = {}
    for span in exporter.get_finished_spans():
        assert span.context is not None
        by_trace[span.context.trace_id] = by_trace.get(span.context.trace_id, 0) + 1
    assert set(by_trace.values()) == {3}
    assert len(by_trace) == pytest.approx(90, abs=30)  # 30% of 300, by trace id


def test_the_decision_is_the_trace_ids_so_every_process_agrees() -> None:
    one, two = (AdaptiveSampler(10, min_ratio=0.25, max_ratio=0.25) for _ in range(2))
    rng = random.Random(3)
    ids = [rng.getrandbits(128) for _ in range(500)]
    first = [one.should_sample(None, i, "x").decision for i in ids]
    second = [two.should_sample(None, i, "x").decision for i in ids]
    assert first == second


def test_errors_and_slow_operations_are_kept_however_low_the_ratio() -> None:
    clock = FakeClock()
    sampler = AdaptiveSampler(1, min_ratio=0.001, max_ratio=0.001, clock=clock)
    provider, exporter = _provider(sampler)
    tracer = AgentTracer("planner", "planner-0", tracer_provider=provider, slow_seconds=5)
    for n in range(1000):
        hop = tracer.start_receive({}, start_time=n * 10**9)
        # Every tenth fails, every tenth (another one) takes 6 s, the rest take 1 ms.
        if n % 10 == 0:
            tracer.end(hop, end_time=n * 10**9 + 10**6, error="timeout")
        elif n % 10 == 1:
            tracer.end(hop, end_time=n * 10**9 + 6 * 10**9)
        else:
            tracer.end(hop, end_time=n * 10**9 + 10**6)
    spans = exporter.get_finished_spans()
    # Every failed and every slow one is exported: kept afterwards, or (rarely, at 0.1%)
    # sampled at its start already.
    errors = [s for s in spans if s.status.status_code is StatusCode.ERROR]
    slow = [s for s in spans if s.end_time and s.start_time and s.end_time - s.start_time > 5e9]
    assert len(errors) == 100
    assert len(slow) == 100
    assert all(s.attributes and s.attributes["error.type"] == "timeout" for s in errors)
    kept = [s for s in spans if s.attributes and KEEP_ATTRIBUTE in s.attributes]
    assert sampler.decisions()["kept_error"] + sampler.decisions()["kept_slow"] == len(kept)
    assert len(kept) >= 195
    # Kept spans have their real start and end, not the moment they were kept.
    assert {s.end_time - s.start_time for s in slow if s.start_time and s.end_time} == {6 * 10**9}
    # The rest were dropped (a ratio of 0.001 keeps about one in a thousand by trace id).
    assert len(spans) - len(errors) - len(slow) < 10


def test_sampled_spans_carry_the_priority_the_collector_honours() -> None:
    sampler = AdaptiveSampler(10)
    result = sampler.should_sample(None, 1, "x", attributes={"a": "b"})
    assert dict(result.attributes) == {"a": "b", "sampling.priority": 1}


@pytest.mark.parametrize(
    ("budget", "low", "high"), [(0, 0.001, 1), (10, 0, 1), (10, 0.5, 0.4), (10, 0.1, 1.5)]
)
def test_bad_settings_are_refused(budget: float, low: float, high: float) -> None:
    with pytest.raises(ValueError, match=r"budget|ratio"):
        AdaptiveSampler(budget, min_ratio=low, max_ratio=high)
