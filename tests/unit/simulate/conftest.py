"""Shared pieces for the simulator tests: a small engine and a way to read collectors."""

from __future__ import annotations

import pytest

from agentwatch.exporters import Collector
from agentwatch.simulate import Engine, Publisher
from agentwatch.spec import Spec

# 14:00 UTC on a Tuesday: the daily peak of a weekday.
PEAK = 1_700_575_200.0


def run(engine: Engine, seconds: float, tick: float = 1.0) -> None:
    """Step ``engine`` forward, checking after every step that every message is accounted for."""
    end = engine.now + seconds
    while engine.now < end - 1e-9:
        engine.step(min(end, engine.now + tick))
        assert_balanced(engine)


def assert_balanced(engine: Engine) -> None:
    ledger = engine.ledger
    assert ledger.created == ledger.processed + ledger.dropped_total + engine.in_system


def samples(collector: Collector) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample a collector exposes, keyed by (sample name, labels)."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for metric in collector.collect()
        for s in metric.samples
    }


def total(
    values: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    """Sum of the samples called ``name`` whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(v for (n, lbls), v in values.items() if n == name and wanted <= lbls)


@pytest.fixture
def spec() -> Spec:
    return Spec()


@pytest.fixture
def engine(spec: Spec) -> Engine:
    return Engine(spec, start=PEAK)


@pytest.fixture
def publisher(engine: Engine) -> Publisher:
    return Publisher(engine, clock=lambda: engine.now)
