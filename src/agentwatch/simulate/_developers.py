"""Simulated developers using Claude Code, for the demo: the telemetry a team's Claude Code
would push, sent the way Claude Code sends it — through the real OpenTelemetry SDK and its
OTLP/HTTP exporter, delta temporality — to agentwatch's OTLP receiver.

Nothing here is measured from real people: every count is drawn from the rates below (seeded,
so a run repeats), scaled by the simulated system's daily and weekly load. The resource says
so (``agentwatch.simulated=true``), and the dashboards that show it say "simulated". Real
teams point Claude Code's OTEL_EXPORTER_OTLP_ENDPOINT at the same receiver instead.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.sdk.metrics import Counter, Histogram, MeterProvider
from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    MetricReader,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.resources import Resource

from ._load import LoadPattern

__all__ = ["DeveloperRates", "SimulatedDevelopers"]

HOUR = 3600.0
# Claude Code's own instrument names and units (code.claude.com/docs/en/monitoring-usage).
SESSIONS, LINES, PULL_REQUESTS, COMMITS = (
    "claude_code.session.count",
    "claude_code.lines_of_code.count",
    "claude_code.pull_request.count",
    "claude_code.commit.count",
)
COST, TOKENS, EDIT_DECISIONS, ACTIVE_TIME = (
    "claude_code.cost.usage",
    "claude_code.token.usage",
    "claude_code.code_edit_tool.decision",
    "claude_code.active_time.total",
)
UNITS = {
    SESSIONS: "count", LINES: "count", PULL_REQUESTS: "count", COMMITS: "count",
    COST: "USD", TOKENS: "tokens", EDIT_DECISIONS: "count", ACTIVE_TIME: "s",
}  # fmt: skip
# The GenAI semantic conventions' client metrics, as an instrumented model client reports them.
OPERATION_DURATION, TOKEN_USAGE = "gen_ai.client.operation.duration", "gen_ai.client.token.usage"
MODEL = "claude-sonnet-4-5"
# US dollars per million tokens at list price for MODEL, by Claude Code's token type.
PRICE_PER_MTOK = {"input": 3.0, "output": 15.0, "cacheRead": 0.30, "cacheCreation": 3.75}
# Claude Code's default temporality preference is delta.
DELTA: dict[type, AggregationTemporality] = {
    Counter: AggregationTemporality.DELTA,
    Histogram: AggregationTemporality.DELTA,
}
EDIT_TOOLS = ("Edit", "MultiEdit", "Write")
LANGUAGES = ("Python", "TypeScript", "Markdown")


@dataclass(frozen=True, slots=True)
class DeveloperRates:
    """Per developer per active hour at the mean load; all of it assumed, for the demo."""

    sessions: float = 0.8
    model_calls: float = 40.0
    edits: float = 6.0
    edit_accept: float = 0.85
    lines_added_per_edit: float = 12.0
    lines_removed_per_edit: float = 4.0
    commits: float = 1.2
    pull_requests: float = 0.25
    input_tokens_median: float = 3000.0
    output_tokens_median: float = 500.0
    cache_read_share: float = 0.6  # of the input context, served from the prompt cache
    call_seconds_median: float = 4.0


def _otlp_reader(endpoint: str, export_interval: float) -> MetricReader:
    exporter = OTLPMetricExporter(
        endpoint=endpoint,
        timeout=5,
        preferred_temporality=DELTA,
    )
    return PeriodicExportingMetricReader(exporter, export_interval_millis=export_interval * 1000)


class SimulatedDevelopers:
    """``developers`` simulated people at work, whose Claude Code activity follows the load."""

    def __init__(
        self,
        developers: int,
        endpoint: str,
        load: LoadPattern,
        *,
        seed: int,
        start: float,
        export_interval: float = 10.0,
        rates: DeveloperRates | None = None,
        reader: MetricReader | None = None,
    ) -> None:
        """``reader`` replaces the OTLP export to ``endpoint`` (benchmarks read in memory)."""
        self.developers = developers
        self.load = load
        self.rates = rates or DeveloperRates()
        self.now = start
        # What was sent, per Claude Code metric name: the demo's own ledger, for tests and logs.
        self.sent: defaultdict[str, float] = defaultdict(float)
        self._rng = np.random.default_rng(seed)
        resource = Resource.create(
            {
                "service.name": "claude-code",
                "service.version": "simulated",
                "agentwatch.simulated": True,
            }
        )
        self.provider = MeterProvider(
            resource=resource,
            metric_readers=[reader or _otlp_reader(endpoint, export_interval)],
        )
        meter = self.provider.get_meter("agentwatch.simulate.developers")
        self._counters = {
            name: meter.create_counter(name, unit=unit) for name, unit in UNITS.items()
        }
        self._duration = meter.create_histogram(OPERATION_DURATION, unit="s")
        self._token_usage = meter.create_histogram(TOKEN_USAGE, unit="{token}")

    def advance(self, until: float) -> None:
        """Draw what the team did between the last call and ``until`` (simulated seconds)."""
        span = until - self.now
        if span <= 0:
            return
        # Active developer-hours in the span: the team works harder when the system is busy.
        factor = self.load.rate(self.now + span / 2) / self.load.mean_rate
        hours = self.developers * factor * span / HOUR
        self.now = until
        rng, r = self._rng, self.rates
        self._add(ACTIVE_TIME, hours * HOUR)
        self._add(SESSIONS, int(rng.poisson(r.sessions * hours)))
        self._add(COMMITS, int(rng.poisson(r.commits * hours)))
        self._add(PULL_REQUESTS, int(rng.poisson(r.pull_requests * hours)))
        self._edits(int(rng.poisson(r.edits * hours)))
        self._model_calls(int(rng.poisson(r.model_calls * hours)))

    def _edits(self, count: int) -> None:
        rng, r = self._rng, self.rates
        for _ in range(count):
            accepted = bool(rng.random() < r.edit_accept)
            self._add(
                EDIT_DECISIONS,
                1,
                {
                    "tool_name": str(rng.choice(EDIT_TOOLS)),
                    "decision": "accept" if accepted else "reject",
                    "language": str(rng.choice(LANGUAGES)),
                },
            )
            if accepted:
                added = int(rng.geometric(1 / r.lines_added_per_edit))
                self._add(LINES, added, {"type": "added"})
                removed = int(rng.geometric(1 / r.lines_removed_per_edit))
                self._add(LINES, removed, {"type": "removed"})

    def _model_calls(self, count: int) -> None:
        rng, r = self._rng, self.rates
        for _ in range(count):
            context = float(rng.lognormal(np.log(r.input_tokens_median), 0.6))
            cached = round(context * r.cache_read_share * float(rng.uniform(0.5, 1.5)))
            cached = min(cached, round(context))
            tokens = {
                "input": round(context) - cached,
                "cacheRead": cached,
                "cacheCreation": round(0.05 * context),
                "output": round(float(rng.lognormal(np.log(r.output_tokens_median), 0.7))),
            }
            for kind, n in tokens.items():
                self._add(TOKENS, n, {"type": kind, "model": MODEL})
            cost = sum(n * PRICE_PER_MTOK[kind] for kind, n in tokens.items()) / 1e6
            self._add(COST, cost, {"model": MODEL})
            call = {
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": "anthropic",
                "gen_ai.request.model": MODEL,
            }
            self._duration.record(float(rng.lognormal(np.log(r.call_seconds_median), 0.5)), call)
            self._token_usage.record(tokens["input"], {**call, "gen_ai.token.type": "input"})
            self._token_usage.record(tokens["output"], {**call, "gen_ai.token.type": "output"})

    def _add(self, name: str, amount: float, attributes: dict[str, str] | None = None) -> None:
        # Zero too: a quiet hour then reads as 0 commits, not as no data.
        self._counters[name].add(amount, attributes)
        self.sent[name] += amount

    def shutdown(self) -> None:
        """Send what is pending and stop the exporter thread."""
        self.provider.shutdown()
