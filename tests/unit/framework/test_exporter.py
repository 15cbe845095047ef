"""The framework exporter's pieces: the collector serves the catalog families, promtool is
happy with them, and the watcher rescans when the framework changes."""

import shutil
import time
from pathlib import Path

import pytest
from prometheus_client import generate_latest

from agentwatch.catalog import SCANNER_FAMILIES, Origin, produced_by
from agentwatch.exporters import build_registry
from agentwatch.framework import FrameworkCollector, FrameworkWatcher, scan
from tests.unit.tools import check_metrics

from .conftest import FIXTURE


def samples(collector: FrameworkCollector) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for metric in collector.collect()
        for s in metric.samples
    }


def test_collector_serves_exactly_the_scanner_families() -> None:
    result = scan(FIXTURE)
    served = {m.name for m in FrameworkCollector(lambda: result).collect()}
    assert served == {f.family for f in SCANNER_FAMILIES}
    # The framework exporter serves them (beside other collectors' families).
    assert set(SCANNER_FAMILIES) <= set(produced_by(Origin.FRAMEWORK_EXPORTER))


def test_collector_values_come_from_the_scan() -> None:
    result = scan(FIXTURE)
    values = samples(FrameworkCollector(lambda: result))
    assert values[("claude_framework_quality_score", ())] == pytest.approx(result.quality_score)
    assert values[("claude_agent_standardization_rate", ())] == pytest.approx(43 / 45)
    assert values[("claude_framework_agents", (("state", "standardized"),))] == 43
    assert values[("claude_framework_agents", (("state", "non_standardized"),))] == 2
    assert values[("claude_framework_agent_check_failures", (("check", "model"),))] == 1
    assert values[("claude_framework_agent_check_failures", (("check", "loads"),))] == 0
    gate = ("claude_framework_quality_gate_score", (("gate", "code_quality"),))
    assert values[gate] == pytest.approx(100 * 10 / 11)
    assert values[("claude_framework_scan_problems", (("kind", "binary"),))] == 0


def test_unmeasured_values_have_no_sample(tmp_path: Path) -> None:
    root = tmp_path / "fw"
    (root / ".claude" / "agents").mkdir(parents=True)
    result = scan(root)
    names = {name for name, _ in samples(FrameworkCollector(lambda: result))}
    assert "claude_framework_quality_score" not in names
    assert "claude_documentation_consistency_score" not in names
    assert "claude_framework_quality_gate_score" not in names
    assert "claude_framework_scan_timestamp_seconds" in names


def test_before_the_first_scan_nothing_is_invented() -> None:
    names = {name for name, _ in samples(FrameworkCollector(lambda: None))}
    assert names == set()


@pytest.mark.parametrize("with_scan", [True, False])
def test_promtool_finds_nothing_to_report(with_scan: bool, promtool: Path) -> None:
    watcher = FrameworkWatcher(FIXTURE)
    if with_scan:
        watcher.scan_now()
    check_metrics(promtool, generate_latest(build_registry(watcher.collector())))


def _value(watcher: FrameworkWatcher, name: str) -> float:
    for metric in watcher.collector().collect():
        for sample in metric.samples:
            if sample.name == name:
                return sample.value
    raise AssertionError(f"{name} not served")


def test_editing_a_copy_changes_the_served_value_after_a_rescan(fixture_copy: Path) -> None:
    watcher = FrameworkWatcher(fixture_copy, interval=60)
    watcher.scan_now()
    assert _value(watcher, "claude_agent_standardization_rate") == pytest.approx(43 / 45)
    assert watcher.poll() is False  # nothing changed: no rescan
    qa = fixture_copy / ".claude/agents/quality/qa-lead.md"
    qa.write_text(qa.read_text().replace("model: gpt-4o", "model: sonnet"))
    assert watcher.poll() is True
    assert _value(watcher, "claude_agent_standardization_rate") == pytest.approx(44 / 45)
    assert _value(watcher, "claude_framework_scans_total") == 2


def test_the_watcher_thread_rescans_on_its_own(fixture_copy: Path) -> None:
    watcher = FrameworkWatcher(fixture_copy, interval=0.05)
    watcher.start()
    try:
        assert watcher.latest() is not None
        (fixture_copy / ".claude/agents/quality/qa-lead.md").unlink()
        for _ in range(100):
            latest = watcher.latest()
            if latest is not None and latest.agent_count == 44:
                break
            time.sleep(0.05)
        latest = watcher.latest()
        assert latest is not None
        assert (latest.standardized, latest.agent_count) == (43, 44)
    finally:
        watcher.stop()


def test_a_framework_that_disappears_counts_a_failure_and_keeps_the_last_scan(
    fixture_copy: Path,
) -> None:
    watcher = FrameworkWatcher(fixture_copy)
    first = watcher.scan_now()
    shutil.rmtree(fixture_copy / ".claude")
    assert watcher.poll() is True
    assert watcher.latest() is first
    health = watcher.health()
    assert (health.scans, health.failures) == (1, 1)
    assert health.last_error is not None
    assert ".claude/agents" in health.last_error
    assert _value(watcher, "claude_framework_scan_failures_total") == 1
