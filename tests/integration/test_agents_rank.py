"""agentwatch agents rank against a real Prometheus holding ten minutes of four agents' series:
the capable agents come best first, a failed one last and not eligible, the others not at all."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentwatch import catalog
from agentwatch.analytics.ranking import rank_agents
from agentwatch.clients.prometheus import PrometheusAPI

from .support import Server, prometheus_on_samples

STEP = 15
POINTS = 41  # ten minutes
T0 = (int(time.time()) // 3600 - 1) * 3600
END = T0 + STEP * (POINTS - 1)
BOUNDS = (0.01, 0.1, 1.0)

# agent id -> (type, action, health, processed/s, errors/s, share of messages under each bound,
# status)
AGENTS = {
    "testbed-0": ("testbed", "test", 90, 10.0, 0.0, (0.5, 1.0, 1.0), "running"),
    "testbed-1": ("testbed", "test", 60, 9.0, 1.0, (0.0, 0.5, 1.0), "running"),
    "testbed-2": ("testbed", "test", 0, 2.0, 8.0, (0.0, 0.5, 1.0), "failed"),
    "linter-0": ("linter", "lint", 95, 10.0, 0.0, (1.0, 1.0, 1.0), "running"),
}


def _samples() -> list[str]:
    processed = catalog.AGENT_MESSAGES_PROCESSED_TOTAL
    errors = catalog.AGENT_ERRORS_TOTAL
    latency = catalog.AGENT_PROCESSING_TIME_SECONDS
    lines = [
        f"# TYPE {catalog.AGENT_HEALTH_SCORE.name} gauge",
        f"# TYPE {catalog.AGENT_STATUS.name} gauge",
        f"# TYPE {processed.family} counter",
        f"# TYPE {errors.family} counter",
        f"# TYPE {latency.name} histogram",
    ]
    by_family: dict[str, list[str]] = {name: [] for name in ("h", "s", "p", "e", "l")}
    for agent, (kind, action, health, rate, error_rate, shares, status) in AGENTS.items():
        ids = f'agent_id="{agent}",agent_type="{kind}"'
        for i in range(POINTS):
            t = T0 + i * STEP
            by_family["h"].append(f"{catalog.AGENT_HEALTH_SCORE.name}{{{ids}}} {health} {t}")
            by_family["s"].append(f'{catalog.AGENT_STATUS.name}{{{ids},status="{status}"}} 1 {t}')
            done = rate * STEP * i
            by_family["p"].append(
                f'{processed.name}{{{ids},source_agent="director",action="{action}"}} {done} {t}'
            )
            by_family["e"].append(
                f'{errors.name}{{{ids},error_type="timeout"}} {error_rate * STEP * i} {t}'
            )
            for bound, share in zip(BOUNDS, shares, strict=True):
                by_family["l"].append(
                    f'{latency.name}_bucket{{{ids},le="{bound}"}} {share * done} {t}'
                )
            by_family["l"].append(f'{latency.name}_bucket{{{ids},le="+Inf"}} {done} {t}')
            by_family["l"].append(f"{latency.name}_count{{{ids}}} {done} {t}")
            by_family["l"].append(f"{latency.name}_sum{{{ids}}} {done * 0.05} {t}")
    # OpenMetrics wants each family's samples together, each series in time order.
    return [lines[0], *by_family["h"], lines[1], *by_family["s"], lines[2], *by_family["p"],
            lines[3], *by_family["e"], lines[4], *by_family["l"]]  # fmt: skip


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = prometheus_on_samples(Path(tmp_path_factory.mktemp("rank")), _samples())
    try:
        yield server
    finally:
        server.stop()


def test_the_healthiest_capable_agent_comes_first(prometheus: Server) -> None:
    with PrometheusAPI(prometheus.url) as api:
        ranking = rank_agents(api, task_type="test", at=END)
    order = [a.agent_id for a in ranking.agents]
    assert order == ["testbed-0", "testbed-1", "testbed-2"]
    best, second, failed = ranking.agents
    assert best.eligible
    assert second.eligible
    assert not failed.eligible
    assert failed.score == 0.0
    assert failed.status == "failed"
    assert best.error_ratio == pytest.approx(0.0)
    assert second.error_ratio == pytest.approx(0.1)
    assert best.health == 90
    assert second.health == 60
    # testbed-0 answers under 10 ms half the time, testbed-1 never: it is the faster one.
    assert best.parts["speed"] == pytest.approx(1.0)
    assert 0 < second.parts["speed"] < 0.5
    # No framework quality in this Prometheus: that part is left out, not invented.
    assert "quality" not in best.parts
    assert best.quality is None
    expected = (0.4 * 0.9 + 0.3 * 1.0 + 0.2 * 1.0) / 0.9
    assert best.score == pytest.approx(expected)


def test_quality_of_the_agent_definition_counts_when_known(prometheus: Server) -> None:
    with PrometheusAPI(prometheus.url) as api:
        plain = rank_agents(api, task_type="test", at=END)
        weighed = rank_agents(api, task_type="test", at=END, quality_by_type={"testbed": 50.0})
    assert weighed.agents[0].parts["quality"] == pytest.approx(0.5)
    assert weighed.agents[0].score < plain.agents[0].score


def test_every_agent_without_a_task_type_and_none_for_an_unknown_one(
    prometheus: Server,
) -> None:
    with PrometheusAPI(prometheus.url) as api:
        everyone = rank_agents(api, at=END)
        nobody = rank_agents(api, task_type="juggle", at=END)
    assert {a.agent_id for a in everyone.agents} == set(AGENTS)
    assert everyone.agents[0].agent_id == "linter-0"
    assert nobody.agents == ()
