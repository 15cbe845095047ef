"""The throughput floor the local stack holds the simulated system to, checked against what
the engine really sends, and against docs/simulation.md."""

import re
from pathlib import Path

import pytest

from agentwatch.cli._stack import objectives_line
from agentwatch.generate.rule_tree import rule_files
from agentwatch.simulate import Engine, simulated_load, with_simulated_objectives
from agentwatch.spec import Spec, Thresholds

# Saturday 2023-11-25 02:00 UTC: the daily trough of a weekend day, the quietest hour.
QUIETEST = 1_700_877_600.0
DOCS = Path(__file__).parents[3] / "docs" / "simulation.md"


def sent_per_second(spec: Spec, start: float, seconds: float) -> float:
    engine = Engine(spec, start=start)
    engine.step(start + 60.0)  # past the start-up, when queues fill from empty
    before = engine.ledger.created
    while engine.now < start + 60.0 + seconds:
        engine.step(engine.now + 1.0)
    return (engine.ledger.created - before) / seconds


@pytest.mark.parametrize("request_rate", [50.0, 200.0])
def test_the_engine_at_its_quietest_sends_what_the_model_expects(request_rate: float) -> None:
    spec = Spec.model_validate({"simulation": {"request_rate": request_rate}})
    load = simulated_load(spec)
    sent = sent_per_second(spec, QUIETEST, 300.0)
    assert sent == pytest.approx(load.quietest_messages_per_second, rel=0.1)
    assert sent > 1.8 * load.throughput_floor


def test_the_floor_replaces_the_seeds_only_where_the_spec_leaves_it() -> None:
    seeds = Spec()
    fitted = with_simulated_objectives(seeds)
    assert seeds.thresholds.transport_throughput_min_mps == 4_000_000
    assert fitted.thresholds.transport_throughput_min_mps == simulated_load(seeds).throughput_floor
    # Every other threshold keeps the seeds' value.
    others = set(Thresholds.model_fields) - {"transport_throughput_min_mps"}
    assert {f: getattr(fitted.thresholds, f) for f in others} == {
        f: getattr(seeds.thresholds, f) for f in others
    }
    explicit = Spec.model_validate({"thresholds": {"transport_throughput_min_mps": 4_000_000}})
    assert with_simulated_objectives(explicit) == explicit


def test_the_alert_and_the_slo_read_the_fitted_floor() -> None:
    floor = simulated_load(Spec()).throughput_floor
    rules = rule_files(with_simulated_objectives(Spec()))
    text = str(rules)
    assert f"< {floor:g}" in text
    assert "4000000" not in text


def test_docs_give_the_default_figures() -> None:
    load = simulated_load(Spec())
    text = DOCS.read_text()
    assert f"**{load.messages_per_request:.2f} messages per request**" in text
    rows = dict(re.findall(r"^\| ([^|]+?) \| ([\d,]+) \|$", text, re.MULTILINE))
    assert rows == {
        "on average": f"{load.mean_messages_per_second:,.0f}",
        "at its quietest (weekend trough)": f"{load.quietest_messages_per_second:,.0f}",
        "throughput floor (half the quietest)": f"{load.throughput_floor:,.0f}",
    }


def test_up_says_what_the_simulated_system_carries_and_its_floor() -> None:
    fitted = objectives_line(with_simulated_objectives(Spec()))
    assert "about 1,867 messages/s on average" in fitted
    assert "floor is 373 messages/s (half of its quietest load, 747 msg/s" in fitted
    explicit = Spec.model_validate({"thresholds": {"transport_throughput_min_mps": 500}})
    assert "floor is 500 messages/s (set in the spec" in objectives_line(explicit)
