import asyncio
import threading

import pytest

from agentwatch.instrument import AgentFleet, AgentStatus, HealthInputs, health_score
from agentwatch.instrument._histogram import bucket_counts
from tests.unit.instrument.clock import FakeClock


def test_bound_recorder_counts_and_observes() -> None:
    clock = FakeClock()
    monitor = AgentFleet(clock=clock).agent("planner-0", "planner", workers=2)
    record = monitor.bind(source_agent="director", action="plan")
    assert monitor.bind(source_agent="director", action="plan") is record
    for seconds in (0.001, 0.001, 0.5):
        record.observe(seconds)
    snap = monitor.snapshot()
    assert snap.processed == [("director", "plan", 3)]
    buckets, total = snap.processing
    assert bucket_counts(buckets)["0.001"] == 2
    assert bucket_counts(buckets)["0.25"] == 2
    assert bucket_counts(buckets)["0.5"] == 3
    assert bucket_counts(buckets)["+Inf"] == 3
    assert total == pytest.approx(0.502)


def test_recording_is_exact_under_threads() -> None:
    monitor = AgentFleet().agent("a-0", "a")
    record = monitor.bind(source_agent="b", action="x")
    per_thread, threads = 20_000, 4

    def work() -> None:
        for _ in range(per_thread):
            record.observe(0.002)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    buckets, total = monitor.snapshot().processing
    assert record.count == per_thread * threads
    assert bucket_counts(buckets)["+Inf"] == per_thread * threads
    assert total == pytest.approx(0.002 * per_thread * threads)


def test_processing_block_times_success_and_counts_failure() -> None:
    monitor = AgentFleet().agent("a-0", "a")
    with monitor.processing(source_agent="b", action="x"):
        pass
    with pytest.raises(ZeroDivisionError), monitor.processing(source_agent="b", action="x"):
        _ = 1 / 0
    snap = monitor.snapshot()
    assert snap.processed == [("b", "x", 1)]
    assert snap.errors == [("ZeroDivisionError", 1)]


def test_track_decorates_sync_and_async_functions() -> None:
    monitor = AgentFleet().agent("a-0", "a")

    @monitor.track(source_agent="b", action="sync")
    def handle(value: int) -> int:
        return value * 2

    @monitor.track(source_agent="b", action="async")
    async def handle_async(value: int) -> int:
        await asyncio.sleep(0)
        return value + 1

    @monitor.track(source_agent="b", action="async")
    async def fail_async() -> None:
        raise TimeoutError

    assert handle(2) == 4
    assert asyncio.run(handle_async(2)) == 3
    with pytest.raises(TimeoutError):
        asyncio.run(fail_async())
    snap = monitor.snapshot()
    assert sorted(snap.processed) == [("b", "async", 1), ("b", "sync", 1)]
    assert snap.errors == [("TimeoutError", 1)]


def test_cpu_ratio_comes_from_the_rate_of_cpu_seconds() -> None:
    clock = FakeClock()
    monitor = AgentFleet(clock=clock).agent("a-0", "a", workers=2)
    monitor.set_resources(cpu_seconds_total=10.0)
    clock.advance(10)
    monitor.set_resources(cpu_seconds_total=20.0, memory_bytes=100)
    snap = monitor.snapshot()
    # 10 CPU seconds in 10 s over 2 workers: half the agent's CPU.
    assert snap.cpu_ratio == pytest.approx(0.5)
    assert snap.cpu_seconds == 20.0


def test_sample_process_reads_this_process() -> None:
    monitor = AgentFleet().agent("a-0", "a")
    monitor.sample_process()
    assert monitor.snapshot().memory_bytes > 1_000_000


def test_health_falls_with_failure_queue_errors_and_silence() -> None:
    clock = FakeClock()
    monitor = AgentFleet(clock=clock).agent("a-0", "a", memory_limit_bytes=1000)
    monitor.set_status(AgentStatus.RUNNING)
    assert monitor.health_score() == 100
    monitor.set_queue_depth(1000)
    assert monitor.health_score() == 80
    monitor.set_queue_depth(0)
    record = monitor.bind(source_agent="b", action="x")
    for _ in range(90):
        record.observe(0.01)
    monitor.record_error("timeout", count=10)
    assert monitor.health_score() == 70  # 10% errors: the full error deduction
    clock.advance(61)  # the errors leave the one-minute window, and the heartbeat goes stale
    monitor.health_score()
    assert monitor.health_score() == 50
    monitor.heartbeat()
    assert monitor.health_score() == 100
    monitor.set_status(AgentStatus.FAILED)
    assert monitor.health_score() == 0


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        (HealthInputs(False, 0.0, 0.0, 0, 0.0, 0.0), 100.0),
        (HealthInputs(False, 0.9, 0.0, 0, 0.0, 0.0), 85.0),
        (HealthInputs(False, 1.0, 1.0, 0, 0.0, 0.0), 40.0),
        (HealthInputs(False, 0.0, 0.9, 550, 0.0, 0.0), 75.0),
        (HealthInputs(False, 0.0, 0.0, 0, 0.055, 0.0), 85.0),
        (HealthInputs(False, 1.0, 1.0, 5000, 1.0, 31.0), 0.0),
        (HealthInputs(True, 0.0, 0.0, 0, 0.0, 0.0), 0.0),
    ],
)
def test_health_formula(inputs: HealthInputs, expected: float) -> None:
    assert health_score(inputs) == pytest.approx(expected)


def test_fleet_refuses_an_agent_id_with_a_new_type() -> None:
    fleet = AgentFleet()
    fleet.agent("x-0", "x")
    with pytest.raises(ValueError, match="already registered as type 'x'"):
        fleet.agent("x-0", "y")
