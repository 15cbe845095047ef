import re

import numpy as np
import pytest

from agentwatch.simulate import Engine, FaultError, FaultKind, parse_fault


def test_parses_the_documented_examples() -> None:
    leak = parse_fault("memory_leak:agent=optimizer-0:at=60s:for=10m")
    assert (leak.kind, leak.agent, leak.type, leak.at, leak.duration) == (
        FaultKind.MEMORY_LEAK,
        "optimizer-0",
        None,
        60.0,
        600.0,
    )
    crash = parse_fault("crash:type=security:at=30s:for=2m")
    assert (crash.kind, crash.type, crash.at, crash.duration) == (
        FaultKind.CRASH,
        "security",
        30.0,
        120.0,
    )
    flood = parse_fault("emergency_flood:at=10s:for=1m:rate=500")
    assert (flood.kind, flood.rate, flood.duration, flood.agent) == (
        FaultKind.EMERGENCY_FLOOD,
        500.0,
        60.0,
        None,
    )


def test_defaults_fill_in_what_is_left_out() -> None:
    voice = parse_fault("voice_auth_failures")
    assert voice.type == "voice"
    assert voice.at == 0.0
    assert 0 < voice.ratio <= 1
    assert parse_fault("slowdown:agent=web-1").factor > 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("explode:agent=web-0", "unknown kind 'explode'"),
        ("crash", "needs a target"),
        ("crash:agent", "expected key=value"),
        ("crash:agent=web-0:type=web", "not both"),
        ("crash:agent=web-0:at=soon", "at: expected a duration"),
        ("crash:agent=web-0:for=0s", "for must be a positive duration"),
        ("crash:agent=web-0:rate=5", "takes agent, at, for, type, not 'rate'"),
        ("slowdown:agent=web-0:factor=0.5", "factor must be between 1 and 1000"),
        ("emergency_flood:rate=many", "rate='many' is not a number"),
        ("voice_auth_failures:ratio=2", "ratio must be between 0 and 1"),
        ("crash:agent=web-0:agent=web-1", "agent is given twice"),
    ],
)
def test_bad_syntax_names_the_value_and_what_was_expected(text: str, expected: str) -> None:
    with pytest.raises(FaultError) as error:
        parse_fault(text)
    message = str(error.value)
    assert repr(text) in message
    assert expected in message


def test_targets_must_exist(engine: Engine) -> None:
    with pytest.raises(FaultError, match="no agent 'web-9'"):
        engine.faults.add(parse_fault("crash:agent=web-9"), engine.now)
    with pytest.raises(FaultError, match="no agent type 'nobody'"):
        engine.faults.add(parse_fault("crash:type=nobody"), engine.now)


def test_a_fault_is_active_only_during_its_window(engine: Engine) -> None:
    engine.faults.add(parse_fault("crash:type=web:at=10s:for=20s"), engine.now)
    web = np.array([a.startswith("web-") for a in engine.topology.agent_ids])
    t = engine.now
    assert not engine.faults.active(t, t + 1).crashed.any()
    assert (engine.faults.active(t + 10, t + 11).crashed == web).all()
    assert (engine.faults.active(t + 29, t + 30).crashed == web).all()
    assert not engine.faults.active(t + 30, t + 31).crashed.any()


def test_rates_are_scaled_by_the_share_of_the_step_a_fault_covers(engine: Engine) -> None:
    engine.faults.add(parse_fault("emergency_flood:at=0s:for=5s:rate=100"), engine.now)
    (target, rate), *_ = engine.faults.active(engine.now, engine.now + 10).floods
    assert rate == pytest.approx(50.0)
    assert target == -1  # no type given: the default emergency receivers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The case: an agent id reported "injected" and attacked type 0, which every
        # sender may reach, so nothing happened.
        ("unauthorized_access:agent=security-0", "give type=security (the type of security-0)"),
        ("emergency_flood:agent=web-0", "acts on an agent type, not on one agent"),
        ("voice_auth_failures:agent=web-0", "web-0 runs no voice pipeline"),
        ("audio_capture_anomaly:type=security", "security runs no voice pipeline"),
    ],
)
def test_a_fault_that_could_change_nothing_is_refused(
    engine: Engine, text: str, expected: str
) -> None:
    with pytest.raises(FaultError, match=re.escape(expected)):
        engine.faults.add(parse_fault(text), engine.now)
    assert not engine.faults.scheduled()


def test_an_intrusion_needs_a_type_some_sender_may_not_reach(engine: Engine) -> None:
    topology = engine.topology
    open_types = [t for i, t in enumerate(topology.types) if topology.allowed[:, i].all()]
    guarded = [t for i, t in enumerate(topology.types) if not topology.allowed[:, i].all()]
    assert guarded, "the simulated system restricts who may reach some types"
    engine.faults.add(parse_fault(f"unauthorized_access:type={guarded[0]}"), engine.now)
    for open_type in open_types:
        with pytest.raises(FaultError, match="so no attempt on it is unauthorized"):
            engine.faults.add(parse_fault(f"unauthorized_access:type={open_type}"), engine.now)
