"""Each fault kind changes what it should, as seen through the SDK the exporters serve."""

import numpy as np

from agentwatch.instrument import AgentStatus
from agentwatch.simulate import Engine, Publisher, parse_fault
from agentwatch.simulate._engine import RESTART_DELAY, AgentState

from .conftest import run, samples, total


def _index(engine: Engine, agent_id: str) -> int:
    return engine.topology.agent_ids.index(agent_id)


def test_crash_fails_the_agent_then_it_recovers(engine: Engine, publisher: Publisher) -> None:
    engine.faults.add(parse_fault("crash:agent=security-0:at=10s:for=60s"), engine.now)
    security = publisher.monitors[_index(engine, "security-0")]
    run(engine, 30)
    publisher.publish()
    snapshot = security.snapshot()
    assert snapshot.status is AgentStatus.FAILED
    assert snapshot.health == 0.0
    values = samples(publisher.fleet.collector())
    assert total(values, "system_active_agents", agent_type="security") == 1
    assert total(values, "agent_memory_bytes", agent_id="security-0") == 0
    # Until the router notices, messages sent to it fail in the transport.
    transport = samples(publisher.transport.collector())
    assert total(transport, "agent_transport_errors_total", error_type="delivery_failed") > 0
    assert total(values, "agent_workflows_total", outcome="failure") > 0

    run(engine, 50)
    publisher.publish()
    assert security.snapshot().status is not AgentStatus.FAILED
    assert security.snapshot().health > 50


def test_crashing_a_whole_type_makes_every_message_to_it_fail(engine: Engine) -> None:
    engine.faults.add(parse_fault("crash:type=linter:for=60s"), engine.now)
    run(engine, 30)
    linters = [_index(engine, "linter-0"), _index(engine, "linter-1")]
    assert (engine.state[linters] == AgentState.FAILED).all()
    assert engine.ledger.dropped["delivery_failed"] > 100


def test_memory_leak_climbs_until_the_agent_is_killed(engine: Engine, publisher: Publisher) -> None:
    engine.faults.add(parse_fault("memory_leak:agent=optimizer-0:for=10m:rate=8"), engine.now)
    optimizer = _index(engine, "optimizer-0")
    memory = []
    while engine.state[optimizer] != AgentState.FAILED:
        run(engine, 5)
        memory.append(engine.memory[optimizer])
        assert len(memory) < 200, "the leak never killed the agent"
    climbing = memory[:-1]
    assert climbing[-1] > 0.9 * engine.memory_limit
    assert np.all(np.diff(climbing[::4]) > 0)
    assert memory[-1] == 0  # killed: nothing resident
    publisher.publish()
    snapshot = publisher.monitors[optimizer].snapshot()
    assert snapshot.status is AgentStatus.FAILED
    # It restarts with its leak cleared, and (the fault still active) starts climbing again.
    run(engine, RESTART_DELAY + 5)
    assert engine.state[optimizer] != AgentState.FAILED
    assert engine.memory[optimizer] < 0.7 * climbing[-1]
    assert engine.restarts[optimizer] == 1


def test_queue_backup_piles_messages_up(engine: Engine, publisher: Publisher) -> None:
    engine.faults.add(parse_fault("queue_backup:agent=director-0:for=2m"), engine.now)
    run(engine, 60)
    publisher.publish()
    director = publisher.monitors[_index(engine, "director-0")].snapshot()
    assert director.queue_depth > 1000
    assert director.status is AgentStatus.BLOCKED
    assert director.health < 100
    # The backlog costs memory too.
    assert engine.memory[_index(engine, "director-0")] > engine.memory[_index(engine, "director-1")]
    # When the consumer resumes, what waited too long times out and the rest is served.
    run(engine, 120)
    assert engine.ledger.dropped["timeout"] > 0
    assert engine.queue_depth[_index(engine, "director-0")] < 100


def test_slowdown_stretches_processing_time(engine: Engine, publisher: Publisher) -> None:
    def processing(agent_id: str) -> tuple[float, float]:
        publisher.publish()
        values = samples(publisher.fleet.collector())
        return (
            total(values, "agent_processing_time_seconds_count", agent_id=agent_id),
            total(values, "agent_processing_time_seconds_sum", agent_id=agent_id),
        )

    run(engine, 30)
    count_before, seconds_before = processing("architect-0")
    engine.faults.add(parse_fault("slowdown:agent=architect-0:for=1m:factor=6"), engine.now)
    run(engine, 30)
    count, seconds = processing("architect-0")
    slow_mean = (seconds - seconds_before) / (count - count_before)
    assert slow_mean > 4 * (seconds_before / count_before)
    # Its twin, not slowed down, keeps its pace.
    twin_count, twin_seconds = processing("architect-1")
    assert twin_seconds / twin_count < 2 * (seconds_before / count_before)


def test_emergency_flood_is_counted_as_emergency_traffic(
    engine: Engine, publisher: Publisher
) -> None:
    engine.faults.add(parse_fault("emergency_flood:for=30s:rate=400"), engine.now)
    run(engine, 30)
    publisher.publish()
    transport = samples(publisher.transport.collector())
    sent = total(transport, "agent_transport_messages_total", direction="out", msg_type="emergency")
    assert 10_000 < sent < 14_000  # 400/s for 30 s
    assert total(transport, "agent_transport_messages_total", priority="emergency") > 0
    agents = samples(publisher.fleet.collector())
    assert total(agents, "agent_messages_processed_total", action="escalate") > 10_000


def test_unauthorized_senders_are_rejected_and_counted(
    engine: Engine, publisher: Publisher
) -> None:
    run(engine, 10)
    publisher.publish()
    assert total(samples(publisher.fleet.collector()), "agent_unauthorized_access_total") == 0
    engine.faults.add(parse_fault("unauthorized_access:type=database:for=30s:rate=20"), engine.now)
    run(engine, 30)
    publisher.publish()
    agents = samples(publisher.fleet.collector())
    rejected = total(
        agents,
        "agent_unauthorized_access_total",
        agent_type="database",
        reason="sender_not_allowed",
    )
    assert 450 < rejected < 750
    transport = samples(publisher.transport.collector())
    assert total(transport, "agent_transport_errors_total", error_type="unauthorized") == rejected


def _voice(publisher: Publisher) -> dict[str, float]:
    values = samples(publisher.voice.collector())
    return {
        "auth_failure": total(values, "voice_biometric_auth_total", result="failure"),
        "auth": total(values, "voice_biometric_auth_total"),
        "anomalies": total(values, "voice_audio_capture_anomalies_total"),
        "false_positive": total(values, "voice_recognition_total", outcome="false_positive"),
        "recognitions": total(values, "voice_recognition_total"),
        "stages": total(values, "voice_processing_time_seconds_count"),
    }


def test_voice_pipeline_runs_in_normal_operation(engine: Engine, publisher: Publisher) -> None:
    run(engine, 120)
    publisher.publish()
    voice = _voice(publisher)
    assert voice["auth"] > 1000
    assert voice["auth_failure"] / voice["auth"] < 0.05
    assert voice["stages"] == 4 * voice["auth"]  # four stages per utterance
    # False positives exist, at a low base rate.
    assert 0 < voice["false_positive"] / voice["recognitions"] < 0.01


def test_voice_faults_drive_the_voice_counters(engine: Engine, publisher: Publisher) -> None:
    engine.faults.add(parse_fault("voice_auth_failures:for=1m:ratio=0.6"), engine.now)
    engine.faults.add(parse_fault("audio_capture_anomaly:for=1m:ratio=0.3"), engine.now)
    run(engine, 60)
    publisher.publish()
    voice = _voice(publisher)
    assert voice["auth_failure"] / voice["auth"] > 0.5
    assert voice["anomalies"] / voice["auth"] > 0.25
