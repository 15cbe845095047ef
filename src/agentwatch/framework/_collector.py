"""The framework exporter's collector: the latest scan as catalog families, built at scrape
time. Before the first scan nothing has samples; the scan counters need the watcher's
health (a bare ``latest`` callable cannot know how many scans ran)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client.metrics_core import Metric

from agentwatch import catalog
from agentwatch.catalog.prometheus import counter, gauge

from ._model import FrameworkScan, ScanHealth

__all__ = ["FrameworkCollector"]


class FrameworkCollector:
    def __init__(
        self,
        latest: Callable[[], FrameworkScan | None],
        health: Callable[[], ScanHealth] | None = None,
    ) -> None:
        self._latest = latest
        self._health = health

    def collect(self) -> Iterator[Metric]:
        result = self._latest()
        score = gauge(catalog.FRAMEWORK_QUALITY_SCORE)
        standardization = gauge(catalog.AGENT_STANDARDIZATION_RATE)
        compliance = gauge(catalog.TEMPLATE_COMPLIANCE_RATE)
        documentation = gauge(catalog.DOCUMENTATION_CONSISTENCY_SCORE)
        agents = gauge(catalog.FRAMEWORK_AGENTS)
        gate_score = gauge(catalog.FRAMEWORK_QUALITY_GATE_SCORE)
        gate_weight = gauge(catalog.FRAMEWORK_QUALITY_GATE_WEIGHT)
        check_failures = gauge(catalog.FRAMEWORK_AGENT_CHECK_FAILURES)
        problems = gauge(catalog.FRAMEWORK_SCAN_PROBLEMS)
        timestamp = gauge(catalog.FRAMEWORK_SCAN_TIMESTAMP_SECONDS)
        duration = gauge(catalog.FRAMEWORK_SCAN_DURATION_SECONDS)
        per_agent = gauge(catalog.FRAMEWORK_AGENT_QUALITY)
        named: set[str] = set()
        if result is not None:
            # Unmeasured values have no sample: absent, never a stand-in number.
            if result.quality_score is not None:
                score.add_metric([], result.quality_score)
            if result.standardization_rate is not None:
                standardization.add_metric([], result.standardization_rate)
            if result.template_compliance_rate is not None:
                compliance.add_metric([], result.template_compliance_rate)
            if result.documentation_consistency_score is not None:
                documentation.add_metric([], result.documentation_consistency_score)
            agents.add_metric(["standardized"], result.standardized)
            agents.add_metric(["non_standardized"], result.agent_count - result.standardized)
            for gate in result.gates:
                if gate.score is not None:
                    gate_score.add_metric([str(gate.gate)], 100 * gate.score)
                    gate_weight.add_metric([str(gate.gate)], gate.effective_weight)
            for check, count in sorted(result.check_failures().items()):
                check_failures.add_metric([check], count)
            for kind, count in sorted(result.problem_counts().items()):
                problems.add_metric([str(kind)], count)
            for agent in result.agents:
                # Agents without a name cannot be picked by name; duplicates keep the first.
                if agent.name is not None and agent.checks and agent.name not in named:
                    named.add(agent.name)
                    passed = sum(c.passed for c in agent.checks)
                    per_agent.add_metric([agent.name], passed / len(agent.checks))
            timestamp.add_metric([], result.scanned_at)
            duration.add_metric([], result.duration_seconds)
        yield from (score, standardization, compliance, documentation, agents)
        yield from (gate_score, gate_weight, check_failures, problems, timestamp, duration)
        yield per_agent
        scans = counter(catalog.FRAMEWORK_SCANS_TOTAL)
        failures = counter(catalog.FRAMEWORK_SCAN_FAILURES_TOTAL)
        resolved = counter(catalog.FRAMEWORK_FINDINGS_RESOLVED_TOTAL)
        if self._health is not None:
            health = self._health()
            scans.add_metric([], health.scans)
            failures.add_metric([], health.failures)
            resolved.add_metric([], health.findings_resolved)
        yield from (scans, failures, resolved)
