"""Transport instrumentation for millions of messages a second.

A transport reports whole batches: counts and bytes are exact, while latency is observed on a
sample whose share adapts so observations stay near a budget per second whatever the load
(between 0.1% and 100% of messages, seed 004's adaptive sampling). Throughput comes from the
real counts over a sliding window of whole seconds.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence

import numpy as np
from prometheus_client.metrics_core import Metric

from agentwatch import catalog as c
from agentwatch.catalog import LATENCY_BUCKETS
from agentwatch.catalog.prometheus import counter, gauge, histogram
from agentwatch.security import Pseudonymizer
from agentwatch.spec import CardinalityLimits

from ._cardinality import OVERFLOW, SeriesLimit, overflow_family
from ._histogram import Bucket, Histogram, TraceExemplar
from ._privacy import default_pseudonymizer, hash_labels

__all__ = ["TransportMonitor"]

MIN_SAMPLE_RATIO = 0.001
Latencies = Sequence[float] | np.ndarray
# A folded (direction, msg_type, priority) keeps its direction, so throughput rules that
# select direction="out" still count it; any other direction is folded too, so the overflow
# series stay three at most.
DIRECTIONS = ("in", "out")


class TransportMonitor:
    """``pseudonymizer`` hashes the values of its label names on every family served (see
    ``AgentFleet``); default: the spec's default names under a per-process key.

    ``cardinality`` caps each family's label sets (default: the spec's defaults); beyond the
    limit new label values are recorded under ``__overflow__`` (docs/cardinality.md).
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        window_seconds: int = 10,
        latency_budget_per_second: int = 5000,
        throughput_direction: str = "out",
        pseudonymizer: Pseudonymizer | None = None,
        cardinality: CardinalityLimits | None = None,
    ) -> None:
        if window_seconds < 1:
            raise ValueError("window_seconds must be at least 1")
        self._clock = clock
        self.pseudonymizer = pseudonymizer or default_pseudonymizer()
        limits = cardinality or CardinalityLimits()
        self._kinds_limit = SeriesLimit(
            limits.transport_kinds,
            (c.AGENT_TRANSPORT_MESSAGES_TOTAL, c.AGENT_TRANSPORT_BYTES_TOTAL),
            "transport_kinds",
        )
        self._latency_limit = SeriesLimit(
            limits.transport_latency_types,
            (c.AGENT_TRANSPORT_LATENCY_SECONDS,),
            "transport_latency_types",
        )
        self._errors_limit = SeriesLimit(
            limits.transport_errors, (c.AGENT_TRANSPORT_ERRORS_TOTAL,), "transport_errors"
        )
        self._flows_limit = SeriesLimit(
            limits.message_flows, (c.MESSAGE_FLOW_MATRIX_TOTAL,), "message_flows"
        )
        self._lock = threading.Lock()
        self._window = window_seconds
        self._budget = latency_budget_per_second
        # A message is sent once but may be recorded twice (out, then in): throughput counts
        # one direction only.
        self._throughput_direction = throughput_direction
        # key (direction, msg_type, priority) -> [messages, bytes]
        self._totals: dict[tuple[str, str, str], list[int]] = {}
        self._latency: dict[str, Histogram] = {}
        self._errors: Counter[tuple[str, str]] = Counter()
        self._flows: Counter[tuple[str, str, str]] = Counter()
        # Messages per whole second, newest last; the current second accumulates apart.
        self._seconds: deque[int] = deque(maxlen=window_seconds)
        self._second = int(clock())
        self._this_second = 0
        # Messages per second offered with latencies this second: what sampling must keep up with.
        self._latency_load = 0.0
        # Observe one latency in every ``_stride`` messages, starting ``_offset`` into a batch.
        self._stride = 1
        self._offset = 0

    # -- recording -------------------------------------------------------------------------

    def record_batch(
        self,
        count: int,
        nbytes: int,
        *,
        latencies: Latencies | None = None,
        direction: str = "out",
        msg_type: str = "data",
        priority: str = "normal",
        span_seconds: float = 1.0,
    ) -> None:
        """``count`` messages of ``nbytes`` in all moved; ``latencies`` are theirs, in seconds.

        ``span_seconds`` is the time the batch covers when that is more than a second (a replay
        or a simulator stepping in large strides), so the sampling rate follows the real load.
        """
        key = (direction, msg_type, priority)
        now_second = int(self._clock())
        with self._lock:
            if now_second != self._second:
                self._roll(now_second)
            if direction == self._throughput_direction:
                self._this_second += count
            totals = self._totals.get(key)
            if totals is None:
                totals = self._new_totals(key)
            totals[0] += count
            totals[1] += nbytes
            if latencies is not None:
                size = len(latencies)
                self._latency_load += size / max(1.0, span_seconds)
                if self._offset < size:
                    self._observe_sample(msg_type, latencies, size)
                else:  # no sampled message in this batch: only the phase moves on
                    self._offset -= size

    def record_flow(
        self, source_agent: str, target_agent: str, message_type: str, count: int = 1
    ) -> None:
        """``count`` messages from one agent type to another (the message flow matrix)."""
        key = (source_agent, target_agent, message_type)
        with self._lock:
            flows = self._flows
            if key not in flows:
                key = self._flows_limit.place(key, (OVERFLOW, OVERFLOW, OVERFLOW))
            flows[key] += count

    def record_error(self, error_type: str, *, severity: str = "error", count: int = 1) -> None:
        key = (error_type, severity)
        with self._lock:
            errors = self._errors
            if key not in errors:
                key = self._errors_limit.place(key, (OVERFLOW, OVERFLOW))
            errors[key] += count

    def record_exemplars(self, msg_type: str, exemplars: Sequence[TraceExemplar]) -> None:
        """Delivery latencies of traced messages, kept as exemplars of the latency histogram.

        They are not observations: the histogram counts its own sample of all messages, and
        an exemplar stands for that bucket whether or not its message was in the sample.
        """
        with self._lock:
            histogram = self._latency.get(msg_type)
            if histogram is None:
                histogram = self._new_latency(msg_type)
            histogram.set_exemplars(exemplars)

    def _new_totals(self, key: tuple[str, str, str]) -> list[int]:
        direction = key[0] if key[0] in DIRECTIONS else OVERFLOW
        key = self._kinds_limit.place(key, (direction, OVERFLOW, OVERFLOW))
        totals = self._totals.get(key)
        if totals is None:
            totals = self._totals[key] = [0, 0]
        return totals

    def _new_latency(self, msg_type: str) -> Histogram:
        msg_type = self._latency_limit.place(msg_type, OVERFLOW)
        histogram = self._latency.get(msg_type)
        if histogram is None:
            histogram = self._latency[msg_type] = Histogram(LATENCY_BUCKETS)
        return histogram

    def _observe_sample(self, msg_type: str, latencies: Latencies, size: int) -> None:
        histogram = self._latency.get(msg_type)
        if histogram is None:
            histogram = self._new_latency(msg_type)
        stride, offset = self._stride, self._offset
        sample = latencies[offset::stride]
        if isinstance(sample, np.ndarray):
            histogram.observe_many(sample)
        else:
            for value in sample:
                histogram.observe(value)
        # Carry the phase over so the sample spans batch boundaries evenly.
        self._offset = (offset - size) % stride

    def _roll(self, now_second: int) -> None:
        # Whole seconds with no traffic still count, as zeros.
        gap = min(now_second - self._second, self._window + 1)
        self._seconds.append(self._this_second)
        for _ in range(gap - 1):
            self._seconds.append(0)
        load = self._latency_load if gap == 1 else 0.0
        self._this_second = 0
        self._latency_load = 0.0
        self._second = now_second
        ratio = 1.0 if load <= self._budget else max(MIN_SAMPLE_RATIO, self._budget / load)
        self._stride = round(1 / ratio)
        self._offset %= self._stride

    # -- reading ---------------------------------------------------------------------------

    @property
    def sample_ratio(self) -> float:
        return 1.0 / self._stride

    def throughput(self) -> float:
        """Messages per second over the last window of whole seconds."""
        with self._lock:
            now_second = int(self._clock())
            if now_second != self._second:
                self._roll(now_second)
            if not self._seconds:
                return 0.0
            return sum(self._seconds) / len(self._seconds)

    def collector(self) -> TransportCollector:
        return TransportCollector(self)

    @property
    def _limits(self) -> tuple[SeriesLimit, ...]:
        return self._kinds_limit, self._latency_limit, self._errors_limit, self._flows_limit

    def _snapshot(
        self,
    ) -> tuple[
        list[tuple[tuple[str, str, str], list[int]]],
        list[tuple[str, list[Bucket], float]],
        list[tuple[tuple[str, str], int]],
        list[tuple[tuple[str, str, str], int]],
    ]:
        with self._lock:
            totals = sorted((key, list(value)) for key, value in self._totals.items())
            latency = [(name, *h.snapshot()) for name, h in sorted(self._latency.items())]
            errors = sorted(self._errors.items())
            flows = sorted(self._flows.items())
        return totals, latency, errors, flows


class TransportCollector:
    def __init__(self, monitor: TransportMonitor) -> None:
        self._monitor = monitor

    def collect(self) -> Iterator[Metric]:
        return hash_labels(self._families(), self._monitor.pseudonymizer)

    def _families(self) -> Iterator[Metric]:
        monitor = self._monitor
        throughput_now = monitor.throughput()
        totals, latency, errors, flows = monitor._snapshot()

        messages = counter(c.AGENT_TRANSPORT_MESSAGES_TOTAL)
        moved = counter(c.AGENT_TRANSPORT_BYTES_TOTAL)
        for key, (count, nbytes) in totals:
            messages.add_metric(list(key), count)
            moved.add_metric(list(key), nbytes)
        yield messages
        yield moved

        latencies = histogram(c.AGENT_TRANSPORT_LATENCY_SECONDS)
        for msg_type, buckets, total in latency:
            latencies.add_metric([msg_type], buckets, total)
        yield latencies

        ratio = gauge(c.AGENT_TRANSPORT_LATENCY_SAMPLE_RATIO)
        ratio.add_metric([], monitor.sample_ratio)
        yield ratio

        throughput = gauge(c.AGENT_TRANSPORT_THROUGHPUT_MPS)
        throughput.add_metric([], throughput_now)
        yield throughput

        failed = counter(c.AGENT_TRANSPORT_ERRORS_TOTAL)
        for key2, count in errors:
            failed.add_metric(list(key2), count)
        yield failed

        flow = counter(c.MESSAGE_FLOW_MATRIX_TOTAL)
        for key3, count in flows:
            flow.add_metric(list(key3), count)
        yield flow

        yield overflow_family(monitor._limits)
