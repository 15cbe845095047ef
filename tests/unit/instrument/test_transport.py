import numpy as np
import pytest

from agentwatch.instrument import TransportMonitor
from agentwatch.instrument._histogram import bucket_counts
from agentwatch.instrument._transport import MIN_SAMPLE_RATIO
from tests.unit.instrument.clock import FakeClock


def _latency_count(monitor: TransportMonitor) -> float:
    _, latency, _, _ = monitor._snapshot()
    return sum(bucket_counts(buckets)["+Inf"] for _, buckets, _ in latency)


def test_counts_and_bytes_are_exact_per_label_set() -> None:
    monitor = TransportMonitor(clock=FakeClock())
    monitor.record_batch(1000, 64_000, msg_type="task", priority="high")
    monitor.record_batch(500, 32_000, msg_type="task", priority="high")
    monitor.record_batch(7, 70, direction="in", msg_type="event")
    totals, _, _, _ = monitor._snapshot()
    assert totals == [
        (("in", "event", "normal"), [7, 70]),
        (("out", "task", "high"), [1500, 96_000]),
    ]


def test_light_load_observes_every_latency() -> None:
    clock = FakeClock()
    monitor = TransportMonitor(clock=clock, latency_budget_per_second=1000)
    monitor.record_batch(3, 30, latencies=[0.001, 0.002, 0.2])
    assert monitor.sample_ratio == 1.0
    assert _latency_count(monitor) == 3


def test_sampling_adapts_to_load_within_bounds() -> None:
    clock = FakeClock()
    monitor = TransportMonitor(clock=clock, latency_budget_per_second=1000)
    batch = np.full(10_000, 0.001)
    for _ in range(10):  # 100k messages in the first second
        monitor.record_batch(10_000, 0, latencies=batch)
    clock.advance(1)
    monitor.record_batch(0, 0)
    assert monitor.sample_ratio == pytest.approx(0.01)
    observed_before = _latency_count(monitor)
    for _ in range(10):
        monitor.record_batch(10_000, 0, latencies=batch)
    # 1% of 100k messages, exactly, because the sampling phase carries across batches.
    assert _latency_count(monitor) - observed_before == 1000

    huge = np.full(100_000, 0.001)
    for _ in range(100):  # 10M messages in one second: the floor of 0.1% holds
        monitor.record_batch(100_000, 0, latencies=huge)
    clock.advance(1)
    monitor.record_batch(0, 0)
    assert monitor.sample_ratio == MIN_SAMPLE_RATIO

    clock.advance(5)  # an idle stretch: back to observing everything
    monitor.record_batch(1, 0)
    assert monitor.sample_ratio == 1.0


def test_sampling_spans_small_batches_evenly() -> None:
    clock = FakeClock()
    monitor = TransportMonitor(clock=clock, latency_budget_per_second=100)
    for _ in range(1000):
        monitor.record_batch(1, 0, latencies=[0.01])
    clock.advance(1)
    observed_before = _latency_count(monitor)
    for _ in range(1000):  # stride 10 over single-message batches
        monitor.record_batch(1, 0, latencies=[0.01])
    assert _latency_count(monitor) - observed_before == 100


def test_batches_spanning_many_seconds_sample_at_their_real_rate() -> None:
    clock = FakeClock()
    monitor = TransportMonitor(clock=clock, latency_budget_per_second=1000)
    ten_seconds = np.full(10_000, 0.001)  # 1,000 msg/s, delivered as one 10 s batch
    monitor.record_batch(10_000, 0, latencies=ten_seconds, span_seconds=10)
    clock.advance(1)
    monitor.record_batch(0, 0)
    assert monitor.sample_ratio == 1.0


def test_throughput_counts_each_message_once() -> None:
    clock = FakeClock()
    monitor = TransportMonitor(clock=clock, window_seconds=1)
    monitor.record_batch(100, 0, direction="out")
    monitor.record_batch(100, 0, direction="in", latencies=np.full(100, 0.001))
    clock.advance(1)
    assert monitor.throughput() == 100


def test_throughput_is_the_rate_over_whole_seconds_in_the_window() -> None:
    clock = FakeClock()
    monitor = TransportMonitor(clock=clock, window_seconds=10)
    assert monitor.throughput() == 0.0
    for _ in range(10):
        monitor.record_batch(4200, 0)
        clock.advance(1)
    assert monitor.throughput() == pytest.approx(4200)
    clock.advance(5)  # five silent seconds drag the 10 s average down by half
    assert monitor.throughput() == pytest.approx(2100)
    clock.advance(60)
    assert monitor.throughput() == 0.0


def test_errors_and_flows() -> None:
    monitor = TransportMonitor()
    monitor.record_error("timeout", severity="warning", count=2)
    monitor.record_error("timeout", severity="warning")
    monitor.record_flow("director", "architect", "task", 5)
    _, _, errors, flows = monitor._snapshot()
    assert errors == [(("timeout", "warning"), 3)]
    assert flows == [(("director", "architect", "task"), 5)]
