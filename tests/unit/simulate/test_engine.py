import numpy as np
import pytest

from agentwatch.simulate import Engine, LoadPattern, Publisher, parse_fault
from agentwatch.simulate._engine import AgentState
from agentwatch.simulate._routing import KINDS, TASK
from agentwatch.spec import Spec

from .conftest import PEAK, assert_balanced, run, samples, total


def test_every_message_is_accounted_for_exactly(engine: Engine) -> None:
    # Faults that drop, stall and kill, so every way out of the system is exercised.
    for text in (
        "crash:type=security:at=20s:for=30s",
        "queue_backup:agent=director-0:at=10s:for=60s",
        "memory_leak:agent=optimizer-0:for=5m:rate=40",
        "unauthorized_access:at=5s:for=30s:rate=50",
        "emergency_flood:at=5s:for=20s:rate=300",
    ):
        engine.faults.add(parse_fault(text), engine.now)
    run(engine, 120, tick=0.5)
    ledger = engine.ledger
    assert ledger.processed > 100_000
    assert set(ledger.dropped) >= {"delivery_failed", "unauthorized"}
    assert ledger.created == ledger.processed + ledger.dropped_total + engine.in_system


def test_what_the_sdk_reports_is_what_the_engine_did(engine: Engine, publisher: Publisher) -> None:
    run(engine, 60)
    publisher.publish()
    agents = samples(publisher.fleet.collector())
    transport = samples(publisher.transport.collector())
    assert total(agents, "agent_messages_processed_total") == engine.ledger.processed
    sent = total(transport, "agent_transport_messages_total", direction="out")
    assert sent == engine.ledger.created
    assert total(transport, "message_flow_matrix_total") == engine.ledger.created
    # Every delivered message had its latency observed (the sample ratio is 1 at this rate).
    delivered = total(transport, "agent_transport_messages_total", direction="in")
    assert total(transport, "agent_transport_latency_seconds_count") == delivered


def test_the_same_seed_gives_the_same_system(spec: Spec) -> None:
    def trace(seed_spec: Spec) -> tuple[int, int, dict[str, int], list[float]]:
        engine = Engine(seed_spec, start=PEAK)
        engine.faults.add(parse_fault("crash:type=linter:at=5s:for=10s"), engine.now)
        run(engine, 30, tick=0.1)
        latencies = np.concatenate(engine.outbox.take_transport().latency)[:50]
        return (
            engine.ledger.created,
            engine.ledger.processed,
            engine.ledger.dropped,
            latencies.tolist(),
        )

    assert trace(spec) == trace(spec)
    other = spec.model_copy(update={"simulation": spec.simulation.model_copy(update={"seed": 7})})
    assert trace(other)[0] != trace(spec)[0]


def test_tasks_follow_the_routing_matrix(engine: Engine) -> None:
    run(engine, 120)
    topology = engine.topology
    flows = engine.outbox.flows[: topology.n_types, :, TASK]  # tasks sent by agent types
    checked = 0
    for source in range(topology.n_types):
        sent = flows[source].sum()
        if sent < 5000:
            continue
        observed = flows[source] / sent
        expected = topology.routing[source]
        # Binomial standard error is below 0.007 at 5000 messages; allow ~4 sigma.
        assert np.abs(observed - expected).max() < 0.03, topology.types[source]
        assert (observed[expected == 0] == 0).all()
        checked += 1
    assert checked >= 5


def test_load_follows_the_daily_and_weekly_pattern() -> None:
    pattern = LoadPattern(mean_rate=200.0, daily_amplitude=0.5, weekly_dip=0.2)
    tuesday = PEAK - 14 * 3600  # midnight UTC
    assert pattern.rate(tuesday + 14 * 3600) == pytest.approx(300.0)
    assert pattern.rate(tuesday + 2 * 3600) == pytest.approx(100.0)
    assert pattern.rate(tuesday + 8 * 3600) == pytest.approx(200.0)
    saturday = tuesday + 4 * 86400
    assert pattern.rate(saturday + 14 * 3600) == pytest.approx(240.0)
    hours = [pattern.rate(tuesday + h * 3600) for h in range(24)]
    assert int(np.argmax(hours)) == 14
    assert int(np.argmin(hours)) == 2


def test_the_engine_receives_requests_at_the_patterns_rate(spec: Spec) -> None:
    rates = {}
    for label, start in (("peak", PEAK), ("trough", PEAK - 12 * 3600)):
        engine = Engine(spec, start=start)
        run(engine, 300, tick=5)
        external = engine.outbox.flows[engine.topology.n_types].sum()  # sender: external
        rates[label] = external / 300
    assert rates["peak"] == pytest.approx(300, rel=0.05)
    assert rates["trough"] == pytest.approx(100, rel=0.08)


def test_a_few_thousand_messages_per_simulated_second_at_the_daily_mean(spec: Spec) -> None:
    engine = Engine(spec, start=PEAK - 6 * 3600)  # 08:00 UTC: the daily mean
    run(engine, 60)
    assert 1500 < engine.ledger.created / 60 < 4000


def test_requests_finish_as_workflows(engine: Engine, publisher: Publisher) -> None:
    run(engine, 60)
    publisher.publish()
    agents = samples(publisher.fleet.collector())
    succeeded = total(agents, "agent_workflows_total", outcome="success")
    assert succeeded > 5000
    assert total(agents, "agent_workflow_duration_seconds_count") == total(
        agents, "agent_workflows_total"
    )
    mean = total(agents, "agent_workflow_duration_seconds_sum") / total(
        agents, "agent_workflow_duration_seconds_count"
    )
    assert 0.05 < mean < 5.0


def test_healthy_system_has_no_errors_to_speak_of(engine: Engine) -> None:
    run(engine, 60)
    assert engine.ledger.dropped_total < 0.002 * engine.ledger.created
    assert (engine.state != AgentState.FAILED).all()
    assert engine.queue_depth.max() < 100
    assert (engine.memory < 0.8 * engine.memory_limit).all()
    assert_balanced(engine)


def test_kinds_cover_tasks_results_and_events(engine: Engine) -> None:
    run(engine, 30)
    sent = engine.outbox.flows.sum(axis=(0, 1))
    for kind in ("task", "result", "event"):
        assert sent[KINDS.index(kind)] > 0
