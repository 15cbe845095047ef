"""The simulated system reports through the guarded SDK with the spec's cardinality limits."""

from agentwatch import catalog as c
from agentwatch.simulate import Engine, Publisher
from agentwatch.spec import CardinalityLimits, Spec
from tests.unit.simulate.conftest import PEAK, run, samples, total

OVERFLOW_TOTAL = c.AGENTWATCH_CARDINALITY_OVERFLOW_TOTAL.name


def _published(spec: Spec, seconds: float) -> Publisher:
    engine = Engine(spec, start=PEAK)
    publisher = Publisher(engine, clock=lambda: engine.now)
    for _ in range(int(seconds)):
        run(engine, 1.0)
        publisher.publish()
    return publisher


def test_the_default_simulation_stays_within_the_default_limits() -> None:
    for collector in _published(Spec(), 60).collectors():
        assert total(samples(collector), OVERFLOW_TOTAL) == 0


def test_the_spec_limits_reach_the_simulated_systems_monitors() -> None:
    spec = Spec(cardinality=CardinalityLimits(workflows=2, message_flows=5))
    agent, transport, _ = _published(spec, 60).collectors()
    agent_samples = samples(agent)
    workflows = {
        dict(labels)["workflow"]
        for name, labels in agent_samples
        if name == c.AGENT_WORKFLOWS_TOTAL.name
    }
    assert len(workflows) == 3
    assert "__overflow__" in workflows
    folded = total(agent_samples, OVERFLOW_TOTAL, family=c.AGENT_WORKFLOWS_TOTAL.name)
    assert folded > 0
    flows = [name for name, _ in samples(transport) if name == c.MESSAGE_FLOW_MATRIX_TOTAL.name]
    assert len(flows) == 6
