"""Simulated developers: each one a stable, visibly simulated identity on every data point, in
working stretches that follow the load, with the team's active hours as before."""

from __future__ import annotations

from opentelemetry.sdk.metrics.export import InMemoryMetricReader, NumberDataPoint

from agentwatch.simulate._developers import (
    ACTIVE_TIME,
    DELTA,
    EDIT_DECISIONS,
    LINES,
    DeveloperRates,
    SimulatedDevelopers,
    developer_identity,
)
from agentwatch.simulate._load import DAY, LoadPattern

MONDAY = 1_764_000_000.0 - 16 * 3600  # 00:00 UTC on a Monday
LOAD = LoadPattern(200.0, 0.5, 0.2)


def test_identities_are_stable_distinct_and_say_they_are_simulated() -> None:
    assert developer_identity(3) == developer_identity(3)
    assert developer_identity(3)["user.email"] == "dev3@simulated.example.com"
    accounts = {developer_identity(i)["user.account_uuid"] for i in range(1, 101)}
    assert len(accounts) == 100


def test_every_data_point_carries_a_developer_identity() -> None:
    reader = InMemoryMetricReader(preferred_temporality=DELTA)
    team = SimulatedDevelopers(5, "", LOAD, seed=3, start=MONDAY + 14 * 3600, reader=reader)
    for _ in range(60):
        team.advance(team.now + 60)
    data = reader.get_metrics_data()
    assert data is not None
    identities = [developer_identity(i) for i in range(1, 6)]
    seen: set[str] = set()
    for metric in data.resource_metrics[0].scope_metrics[0].metrics:
        if not metric.name.startswith("claude_code."):
            continue
        for point in metric.data.data_points:
            assert isinstance(point, NumberDataPoint)
            attributes = dict(point.attributes or {})
            who = {k: attributes[k] for k in ("user.email", "user.account_uuid")}
            assert who in identities, attributes
            seen.add(str(who["user.email"]))
    assert len(seen) == 5


def test_more_developers_work_when_the_system_is_busy() -> None:
    # Without model calls and edits: only who works is asked here, and fast.
    rates = DeveloperRates(model_calls=0, edits=0)
    reader = InMemoryMetricReader(DELTA)
    team = SimulatedDevelopers(40, "", LOAD, seed=5, start=MONDAY, rates=rates, reader=reader)
    at_work: dict[int, list[int]] = {}
    while team.now < MONDAY + DAY:
        team.advance(team.now + 300)
        hour = int((team.now - MONDAY) // 3600) % 24
        at_work.setdefault(hour, []).append(int(team._at_work.sum()))

    def mean(hours: range) -> float:
        counts = [n for h in hours for n in at_work[h]]
        return sum(counts) / len(counts)

    # The daily peak is at 14:00 UTC and the trough at 02:00 (factors 1.5 and 0.5).
    busy, quiet = mean(range(12, 17)), mean(range(0, 5))
    assert busy > 30
    assert quiet < 25
    # Active time is the team's, as before: 40 developers x the day's mean factor of 1.
    assert 30 * 24 < team.sent[ACTIVE_TIME] / 3600 < 50 * 24


def test_a_quiet_hour_reads_as_zero_not_as_no_data() -> None:
    # No one edits in this hour, as at night: the edit and line series still exist, at 0.
    rates = DeveloperRates(model_calls=0, edits=0, sessions=0, commits=0, pull_requests=0)
    reader = InMemoryMetricReader(preferred_temporality=DELTA)
    team = SimulatedDevelopers(3, "", LOAD, seed=1, start=MONDAY, rates=rates, reader=reader)
    team.advance(team.now + 3600)
    data = reader.get_metrics_data()
    assert data is not None
    points = {
        metric.name: [dict(p.attributes or {}) for p in metric.data.data_points]
        for metric in data.resource_metrics[0].scope_metrics[0].metrics
        if all(p.value == 0 for p in metric.data.data_points)  # type: ignore[union-attr]
    }
    assert {p["type"] for p in points[LINES]} == {"added", "removed"}
    assert {p["decision"] for p in points[EDIT_DECISIONS]} == {"accept", "reject"}
