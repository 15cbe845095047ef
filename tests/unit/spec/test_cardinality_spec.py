"""cardinality: the SDK's limits load from the spec and leave room for the simulated system
(bad values are in test_spec's table of bad files)."""

from pathlib import Path

from agentwatch.spec import CardinalityLimits, Spec, load_spec


def test_limits_load_from_the_file_and_the_rest_keep_their_defaults(tmp_path: Path) -> None:
    path = tmp_path / "agentwatch.yaml"
    path.write_text("cardinality:\n  agents: 5000\n  message_flows: 100\n")
    limits = load_spec(path).cardinality
    assert (limits.agents, limits.message_flows) == (5000, 100)
    assert limits.workflows == CardinalityLimits().workflows


def test_the_largest_default_simulation_fits_the_default_agent_limit() -> None:
    spec = Spec(simulation={"agents_per_type": 100})
    assert len(spec.agent_types) * spec.simulation.agents_per_type == spec.cardinality.agents
    assert len(spec.agent_types) <= spec.cardinality.agent_types
