"""The cardinality guard: floods of new label values are folded into __overflow__, nothing
recorded is lost, every fold is counted, and memory stays flat however long the flood."""

import gc
import logging
import tracemalloc
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from agentwatch import catalog as c
from agentwatch.exporters import Collector, build_registry
from agentwatch.instrument import AgentFleet, TransportMonitor, VoiceMonitor
from agentwatch.instrument._cardinality import OVERFLOW
from agentwatch.security import Pseudonymizer
from agentwatch.spec import CardinalityLimits
from tests.unit.tools import check_metrics

FLOOD = 1_000_000
# Memory is measured from after the limit is reached: RSS (free per call) over the flood up
# to its last TRACED calls, then tracemalloc (exact, but it slows every allocation) over those.
TRACED = 100_000
# Any record kept per folded id (a set entry is ~60 bytes) would pass these many times over.
MAX_RSS_GROWTH = 8 * 2**20
MAX_TRACED_GROWTH = 16 * 2**10

Samples = dict[str, list[tuple[dict[str, str], float]]]


def _scrape(collector: Collector) -> Samples:
    """Sample name -> [(labels, value)] from the text exposition, as Prometheus reads it."""
    text = generate_latest(build_registry(collector)).decode()
    samples: Samples = defaultdict(list)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[sample.name].append((sample.labels, sample.value))
    return samples


def _overflow(samples: Samples, family: c.MetricFamily) -> float:
    name = c.AGENTWATCH_CARDINALITY_OVERFLOW_TOTAL.name
    (value,) = [v for labels, v in samples[name] if labels["family"] == family.name]
    return value


def _flood(count: int, record: Callable[[int], None]) -> tuple[int, int]:
    """Call ``record(i)`` for ``count`` new values: (RSS growth over all but the last TRACED
    calls, tracemalloc growth over those), both from after the first call."""
    record(0)
    gc.collect()
    process = psutil.Process()
    rss_before = process.memory_info().rss
    untraced = count - TRACED
    for i in range(1, untraced):
        record(i)
    gc.collect()
    rss_growth = process.memory_info().rss - rss_before
    tracemalloc.start()
    try:
        traced_before = tracemalloc.get_traced_memory()[0]
        for i in range(untraced, count):
            record(i)
        gc.collect()
        traced_growth = tracemalloc.get_traced_memory()[0] - traced_before
    finally:
        tracemalloc.stop()
    return rss_growth, traced_growth


def test_a_million_agent_ids_leave_the_limit_plus_one_overflow_agent() -> None:
    limit = 100
    fleet = AgentFleet(cardinality=CardinalityLimits(agents=limit))
    first = fleet.agent("planner-0", "planner")
    for i in range(1, limit):
        fleet.agent(f"planner-{i}", "planner")

    def one_message(i: int) -> None:
        fleet.agent(f"flood-{i}", "planner").bind("director", "plan").observe(0.001)

    rss_growth, traced_growth = _flood(FLOOD, one_message)
    assert rss_growth < MAX_RSS_GROWTH
    assert traced_growth < MAX_TRACED_GROWTH

    # Agents that had room keep their own series, before and after the flood.
    assert fleet.agent("planner-0", "planner") is first
    first.bind("director", "plan").observe(0.002)

    samples = _scrape(fleet.collector())
    health = samples[c.AGENT_HEALTH_SCORE.name]
    assert len(health) == limit + 1
    assert {"agent_id": OVERFLOW, "agent_type": "planner"} in [labels for labels, _ in health]

    processed = samples[c.AGENT_MESSAGES_PROCESSED_TOTAL.name]
    by_agent = {labels["agent_id"]: value for labels, value in processed}
    assert by_agent == {"planner-0": 1, OVERFLOW: FLOOD}
    observed = samples[f"{c.AGENT_PROCESSING_TIME_SECONDS.name}_count"]
    assert sum(value for _, value in observed) == FLOOD + 1

    for family in (c.AGENT_STATUS, c.AGENT_HEALTH_SCORE, c.AGENT_MESSAGES_PROCESSED_TOTAL):
        assert _overflow(samples, family) == FLOOD
    assert _overflow(samples, c.SYSTEM_ACTIVE_AGENTS) == 0
    active = {labels["agent_type"]: v for labels, v in samples[c.SYSTEM_ACTIVE_AGENTS.name]}
    assert active == {"planner": limit + 1}  # the overflow monitor is one agent


def test_a_million_label_values_on_a_bound_family_leave_the_limit_plus_one() -> None:
    limit = 100
    fleet = AgentFleet(cardinality=CardinalityLimits(message_sources=limit))
    monitor = fleet.agent("planner-0", "planner")
    kept = monitor.bind("director", "plan")

    def one_message(i: int) -> None:
        monitor.bind(f"user-{i}", "plan").observe(0.001)

    rss_growth, traced_growth = _flood(FLOOD, one_message)
    assert rss_growth < MAX_RSS_GROWTH
    assert traced_growth < MAX_TRACED_GROWTH

    kept.observe(0.002)
    assert monitor.bind("director", "plan") is kept

    samples = _scrape(fleet.collector())
    processed = samples[c.AGENT_MESSAGES_PROCESSED_TOTAL.name]
    assert len(processed) == limit + 1
    folded = [v for labels, v in processed if labels["source_agent"] == OVERFLOW]
    assert folded == [FLOOD - (limit - 1)]
    assert [labels["action"] for labels, _ in processed if labels["source_agent"] == OVERFLOW] == [
        OVERFLOW
    ]
    assert sum(value for _, value in processed) == FLOOD + 1
    assert _overflow(samples, c.AGENT_MESSAGES_PROCESSED_TOTAL) == FLOOD - (limit - 1)
    assert _overflow(samples, c.AGENT_STATUS) == 0


def test_agent_types_beyond_their_limit_share_one_overflow_agent() -> None:
    fleet = AgentFleet(cardinality=CardinalityLimits(agent_types=2))
    fleet.agent("a-0", "alpha")
    fleet.agent("b-0", "beta")
    gamma = fleet.agent("c-0", "gamma")
    assert fleet.agent("d-0", "delta") is gamma
    assert (gamma.agent_id, gamma.agent_type) == (OVERFLOW, OVERFLOW)
    # A known type still takes new agents of its own.
    assert fleet.agent("a-1", "alpha").agent_id == "a-1"

    samples = _scrape(fleet.collector())
    active = {labels["agent_type"] for labels, _ in samples[c.SYSTEM_ACTIVE_AGENTS.name]}
    assert active == {"alpha", "beta", OVERFLOW}
    assert _overflow(samples, c.SYSTEM_ACTIVE_AGENTS) == 2
    assert _overflow(samples, c.AGENT_HEALTH_SCORE) == 2


def test_removing_an_agent_makes_room_and_overflow_agents_stay() -> None:
    fleet = AgentFleet(cardinality=CardinalityLimits(agents=1, message_sources=1))
    fleet.agent("a-0", "alpha").bind("director", "plan")
    assert fleet.agent("a-1", "alpha").agent_id == OVERFLOW
    fleet.remove("a-0")
    newcomer = fleet.agent("a-1", "alpha")
    assert newcomer.agent_id == "a-1"
    # The removed agent's (source_agent, action) pair gave its room back too.
    assert newcomer.bind("coder", "review").source_agent == "coder"
    fleet.remove(OVERFLOW)
    assert {m.agent_id for m in fleet.agents()} == {"a-1", OVERFLOW}


def test_the_reserved_value_names_the_overflow_series_and_takes_no_room() -> None:
    fleet = AgentFleet(cardinality=CardinalityLimits(agents=1))
    overflow = fleet.agent(OVERFLOW, "alpha")
    assert overflow.agent_id == OVERFLOW
    assert fleet.agent("a-0", "alpha").agent_id == "a-0"
    assert fleet.agent("a-1", "alpha") is overflow
    samples = _scrape(fleet.collector())
    assert len(samples[c.AGENT_HEALTH_SCORE.name]) == 2
    assert _overflow(samples, c.AGENT_HEALTH_SCORE) == 1


def _agent_errors(fleet: AgentFleet, i: int) -> None:
    fleet.agent("a-0", "alpha").record_error(f"error-{i}", 2)


def _workflows(fleet: AgentFleet, i: int) -> None:
    fleet.record_workflow(f"flow-{i}", 0.5, ok=i % 2 == 0)


def _unauthorized(fleet: AgentFleet, i: int) -> None:
    fleet.record_unauthorized(f"type-{i}", reason="sender_not_allowed", count=2)


@pytest.mark.parametrize(
    ("setting", "record", "family", "sample", "label"),
    [
        ("agent_error_types", _agent_errors, c.AGENT_ERRORS_TOTAL, None, "error_type"),
        ("workflows", _workflows, c.AGENT_WORKFLOWS_TOTAL, None, "workflow"),
        (
            "workflows",
            _workflows,
            c.AGENT_WORKFLOW_DURATION_SECONDS,
            f"{c.AGENT_WORKFLOW_DURATION_SECONDS.name}_count",
            "workflow",
        ),
        ("unauthorized", _unauthorized, c.AGENT_UNAUTHORIZED_ACCESS_TOTAL, None, "agent_type"),
    ],
)
def test_fleet_families_fold_beyond_their_limit(
    setting: str,
    record: Callable[[AgentFleet, int], None],
    family: c.MetricFamily,
    sample: str | None,
    label: str,
) -> None:
    limit, calls = 3, 50
    fleet = AgentFleet(cardinality=CardinalityLimits(**{setting: limit}))
    for i in range(calls):
        record(fleet, i)
    samples = _scrape(fleet.collector())
    rows = samples[sample or family.name]
    values = {labels[label] for labels, _ in rows}
    assert len(values) == limit + 1
    assert OVERFLOW in values
    per_call = sum(v for _, v in rows) / calls
    assert sum(v for labels, v in rows if labels[label] == OVERFLOW) == (calls - limit) * per_call
    assert _overflow(samples, family) == calls - limit


def _transport_kinds(transport: TransportMonitor, i: int) -> None:
    transport.record_batch(2, 100, msg_type=f"kind-{i}", priority="normal")


def _transport_latency(transport: TransportMonitor, i: int) -> None:
    transport.record_batch(1, 10, latencies=[0.002], msg_type=f"kind-{i}")


def _transport_errors(transport: TransportMonitor, i: int) -> None:
    transport.record_error(f"error-{i}", severity="warning", count=2)


def _flows(transport: TransportMonitor, i: int) -> None:
    transport.record_flow("director", f"agent-{i}", "task", count=2)


@pytest.mark.parametrize(
    ("setting", "record", "family", "sample", "label"),
    [
        ("transport_kinds", _transport_kinds, c.AGENT_TRANSPORT_MESSAGES_TOTAL, None, "msg_type"),
        ("transport_kinds", _transport_kinds, c.AGENT_TRANSPORT_BYTES_TOTAL, None, "msg_type"),
        (
            "transport_latency_types",
            _transport_latency,
            c.AGENT_TRANSPORT_LATENCY_SECONDS,
            f"{c.AGENT_TRANSPORT_LATENCY_SECONDS.name}_count",
            "msg_type",
        ),
        ("transport_errors", _transport_errors, c.AGENT_TRANSPORT_ERRORS_TOTAL, None, "error_type"),
        ("message_flows", _flows, c.MESSAGE_FLOW_MATRIX_TOTAL, None, "target_agent"),
    ],
)
def test_transport_families_fold_beyond_their_limit(
    setting: str,
    record: Callable[[TransportMonitor, int], None],
    family: c.MetricFamily,
    sample: str | None,
    label: str,
) -> None:
    limit, calls = 3, 50
    transport = TransportMonitor(cardinality=CardinalityLimits(**{setting: limit}))
    for i in range(calls):
        record(transport, i)
    samples = _scrape(transport.collector())
    rows = samples[sample or family.name]
    assert len({labels[label] for labels, _ in rows}) == limit + 1
    per_call = sum(v for _, v in rows) / calls
    assert sum(v for labels, v in rows if labels[label] == OVERFLOW) == (calls - limit) * per_call
    assert _overflow(samples, family) == calls - limit


def test_folded_transport_kinds_keep_their_direction() -> None:
    transport = TransportMonitor(cardinality=CardinalityLimits(transport_kinds=1))
    transport.record_batch(1, 10, direction="out", msg_type="task")
    transport.record_batch(5, 10, direction="out", msg_type="novel")
    transport.record_batch(7, 10, direction="sideways", msg_type="odd")
    rows = _scrape(transport.collector())[c.AGENT_TRANSPORT_MESSAGES_TOTAL.name]
    assert sorted((labels["direction"], labels["msg_type"], v) for labels, v in rows) == [
        (OVERFLOW, OVERFLOW, 7),
        ("out", OVERFLOW, 5),
        ("out", "task", 1),
    ]


@pytest.mark.parametrize(
    ("setting", "family", "sample", "record"),
    [
        (
            "voice_anomaly_kinds",
            c.VOICE_AUDIO_CAPTURE_ANOMALIES_TOTAL,
            c.VOICE_AUDIO_CAPTURE_ANOMALIES_TOTAL.name,
            lambda voice, i: voice.record_capture_anomaly(f"kind-{i}", 2),
        ),
        (
            "voice_stages",
            c.VOICE_PROCESSING_TIME_SECONDS,
            f"{c.VOICE_PROCESSING_TIME_SECONDS.name}_count",
            lambda voice, i: voice.observe_stage(f"stage-{i}", 0.01),
        ),
    ],
)
def test_voice_families_fold_beyond_their_limit(
    setting: str,
    family: c.MetricFamily,
    sample: str,
    record: Callable[[VoiceMonitor, int], None],
) -> None:
    limit, calls = 3, 50
    voice = VoiceMonitor(cardinality=CardinalityLimits(**{setting: limit}))
    for i in range(calls):
        record(voice, i)
    samples = _scrape(voice.collector())
    rows = samples[sample]
    assert len(rows) == limit + 1
    per_call = sum(v for _, v in rows) / calls
    assert sum(v for labels, v in rows if OVERFLOW in labels.values()) == (calls - limit) * per_call
    assert _overflow(samples, family) == calls - limit


def test_one_warning_per_limit_however_many_folds(caplog: pytest.LogCaptureFixture) -> None:
    fleet = AgentFleet(cardinality=CardinalityLimits(agents=1, workflows=1))
    with caplog.at_level(logging.WARNING, logger="agentwatch.instrument._cardinality"):
        for i in range(20):
            fleet.agent(f"a-{i}", "alpha")
            fleet.record_workflow(f"flow-{i}", 1.0, ok=True)
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2
    assert any("cardinality.agents" in m and "agent_health_score" in m for m in messages)
    assert any("cardinality.workflows" in m for m in messages)


def test_hashed_labels_leave_the_overflow_marker_readable() -> None:
    pseudonymizer = Pseudonymizer(b"k" * 32, ["source_agent"])
    fleet = AgentFleet(
        pseudonymizer=pseudonymizer, cardinality=CardinalityLimits(message_sources=1)
    )
    monitor = fleet.agent("a-0", "alpha")
    for i in range(3):
        monitor.bind(f"ada-{i}@example.com", "ask").observe(0.001)
    sources = {
        sample.labels["source_agent"]
        for metric in fleet.collector().collect()
        if metric.name == c.AGENT_MESSAGES_PROCESSED_TOTAL.family
        for sample in metric.samples
    }
    assert OVERFLOW in sources
    assert sources - {OVERFLOW} == {pseudonymizer.pseudonym("ada-0@example.com")}


def _overflowing_collectors() -> dict[str, Collector]:
    limits = CardinalityLimits(
        agents=1, agent_types=1, message_sources=1, agent_error_types=1, workflows=1,
        unauthorized=1, transport_kinds=1, transport_latency_types=1, transport_errors=1,
        message_flows=1, voice_anomaly_kinds=1, voice_stages=1,
    )  # fmt: skip
    fleet = AgentFleet(cardinality=limits)
    for i in range(3):
        monitor = fleet.agent(f"a-{i}", "alpha" if i < 2 else "beta")
        monitor.bind(f"s-{i}", "plan").observe(0.01)
        monitor.record_error(f"e-{i}")
        fleet.record_workflow(f"w-{i}", 1.0, ok=True)
        fleet.record_unauthorized(f"t-{i}", reason="sender_not_allowed")
    transport = TransportMonitor(cardinality=limits)
    voice = VoiceMonitor(cardinality=limits)
    for i in range(3):
        transport.record_batch(2, 20, latencies=[0.001, 0.002], msg_type=f"m-{i}")
        transport.record_error(f"e-{i}")
        transport.record_flow("a", f"b-{i}", "task")
        voice.record_capture_anomaly(f"k-{i}")
        voice.observe_stage(f"s-{i}", 0.1)
    return {
        "agent": fleet.collector(),
        "transport": transport.collector(),
        "voice": voice.collector(),
    }


@pytest.mark.parametrize("name", ["agent", "transport", "voice"])
def test_promtool_accepts_the_exposition_with_overflow_series(name: str, promtool: Path) -> None:
    text = generate_latest(build_registry(_overflowing_collectors()[name]))
    assert OVERFLOW.encode() in text
    check_metrics(promtool, text)
