"""Exact exposition text of each exporter, against golden files, and promtool's verdict."""

import os
from pathlib import Path

import pytest
from opentelemetry.trace import SpanKind
from prometheus_client import generate_latest
from prometheus_client.openmetrics.exposition import generate_latest as generate_openmetrics

from agentwatch.catalog import Origin, produced_by
from agentwatch.exporters import Collector, build_registry
from agentwatch.instrument import (
    AdaptiveSampler,
    AgentFleet,
    AgentStatus,
    TransportMonitor,
    VoiceMonitor,
)
from tests.unit.instrument.clock import FakeClock
from tests.unit.tools import check_metrics

TESTS = Path(__file__).resolve().parents[2]
GOLDEN = TESTS / "golden"
UPDATE_GOLDEN = "AGENTWATCH_UPDATE_GOLDEN"


def agent_collector() -> Collector:
    clock = FakeClock()
    fleet = AgentFleet(clock=clock)
    planner = fleet.agent("planner-0", "planner", workers=2, memory_limit_bytes=1_000_000)
    planner.set_status(AgentStatus.RUNNING)
    planner.set_resources(cpu_seconds_total=1.0, memory_bytes=250_000)
    clock.advance(10)
    planner.set_resources(cpu_seconds_total=6.0)
    planner.bind(source_agent="director", action="plan").observe(0.004)
    planner.bind(source_agent="director", action="plan").observe(0.3)
    planner.set_queue_depth(3)
    planner.heartbeat()
    crashed = fleet.agent("security-0", "security", memory_limit_bytes=1_000_000)
    crashed.set_status(AgentStatus.FAILED)
    crashed.record_error("crash")
    fleet.record_workflow("code_review", 1.7, ok=True)
    fleet.record_unauthorized("security", reason="sender_not_allowed", count=2)
    return fleet.collector()


def transport_collector() -> Collector:
    clock = FakeClock()
    transport = TransportMonitor(clock=clock)
    transport.record_batch(3, 300, latencies=[0.0008, 0.002, 0.04], msg_type="task")
    transport.record_batch(1, 50, msg_type="emergency", priority="emergency")
    transport.record_error("delivery_failed", severity="error")
    transport.record_flow("director", "planner", "task", 3)
    clock.advance(1)
    return transport.collector()


def voice_collector() -> Collector:
    voice = VoiceMonitor()
    voice.record_auth(success=True, count=9)
    voice.record_auth(success=False)
    voice.record_capture_anomaly("clipping")
    voice.record_recognition("correct", 5)
    voice.record_recognition("false_positive")
    voice.observe_stage("transcribe", 0.2)
    return voice.collector()


def sampler_collector() -> Collector:
    clock = FakeClock()
    sampler = AdaptiveSampler(100, clock=clock)
    for trace_id in range(1, 5):  # a new trace each, all kept while the ratio is 1
        sampler.should_sample(None, trace_id << 64, "invoke_agent planner", SpanKind.CLIENT)
    sampler.should_sample(
        None, 9, "invoke_agent planner", SpanKind.CLIENT, {"agentwatch.sampling.keep": "error"}
    )
    return sampler.collector()


EXPORTERS = {
    "agent": agent_collector,
    "transport": transport_collector,
    "voice": voice_collector,
    "sampler": sampler_collector,
}


@pytest.mark.parametrize("name", EXPORTERS)
def test_exposition_text_is_exact(name: str) -> None:
    text = generate_latest(build_registry(EXPORTERS[name]())).decode()
    golden = GOLDEN / f"{name}_exporter.prom"
    shown = golden.relative_to(TESTS.parent)
    if os.environ.get(UPDATE_GOLDEN):
        # Rewritten, then failed: a run that updates the golden files never passes, so what
        # it wrote is reviewed (git diff) and committed on purpose, never taken for a pass.
        before = golden.read_text() if golden.exists() else None
        golden.write_text(text)
        verdict = "unchanged" if before == text else "changed: review it with `git diff`"
        pytest.fail(f"{UPDATE_GOLDEN} is set: rewrote {shown} ({verdict}); run without it")
    assert text == golden.read_text(), (
        f"the exposition differs from {shown}: if the change is meant, run this test with "
        f"{UPDATE_GOLDEN}=1 to rewrite the file, and review the diff"
    )


@pytest.mark.parametrize("name", EXPORTERS)
def test_promtool_finds_nothing_to_report(name: str, promtool: Path) -> None:
    check_metrics(promtool, generate_latest(build_registry(EXPORTERS[name]())))


@pytest.mark.parametrize("name", EXPORTERS)
def test_openmetrics_rendering_ends_with_eof(name: str) -> None:
    text = generate_openmetrics(build_registry(EXPORTERS[name]())).decode()
    assert text.endswith("# EOF\n")


ORIGINS = {
    "agent": Origin.AGENT_EXPORTER,
    "transport": Origin.TRANSPORT_EXPORTER,
    "voice": Origin.VOICE_EXPORTER,
    "sampler": Origin.TRACE_SAMPLER,
}


# The SDK's monitors serve their cardinality guard's counts beside their own families.
GUARDED = {"agent", "transport", "voice"}


@pytest.mark.parametrize("name", EXPORTERS)
def test_each_exporter_serves_exactly_its_catalog_families(name: str) -> None:
    served = {metric.name for metric in EXPORTERS[name]().collect()}
    origins = [ORIGINS[name]] + ([Origin.CARDINALITY_GUARD] if name in GUARDED else [])
    expected = {family.family for origin in origins for family in produced_by(origin)}
    assert served == expected
