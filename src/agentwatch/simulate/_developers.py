"""Simulated developers using Claude Code, for the demo: the telemetry a team's Claude Code
would push, sent the way Claude Code sends it — through the real OpenTelemetry SDK and its
OTLP/HTTP exporter, delta temporality — to agentwatch's OTLP receiver.

Nothing here is measured from real people: every count is drawn from the rates below (seeded,
so a run repeats), scaled by the simulated system's daily and weekly load. The resource says
so (``agentwatch.simulated=true``), and the dashboards that show it say "simulated". Real
teams point Claude Code's OTEL_EXPORTER_OTLP_ENDPOINT at the same receiver instead.

Each simulated developer has an identity, as a signed-in Claude Code user does: ``user.email``
(``dev3@simulated.example.com``, from the developer's number, in a domain reserved for
examples) and ``user.account_uuid`` on every data point. The receiver serves them only as the
keyed hash in the ``user`` label, so the demo exercises the path real addresses take. A
developer works in stretches (about an hour on average) that are likelier when the simulated
system is busy, so the number of developers active in an hour follows the load.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Mapping
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

__all__ = ["DeveloperRates", "SimulatedDevelopers", "developer_identity"]

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
# Claude Code's standard identity attributes (the same page, "Standard attributes").
USER_EMAIL, USER_ACCOUNT_UUID = "user.email", "user.account_uuid"
_SIMULATED_DOMAIN = "simulated.example.com"
_ACCOUNTS = uuid.uuid5(uuid.NAMESPACE_DNS, _SIMULATED_DOMAIN)
# A working stretch lasts this long on average; the share of developers at work follows the
# load up to this (above it they work harder rather than more of them).
WORK_STRETCH_HOURS = 1.0
_MAX_AT_WORK = 0.95


def developer_identity(index: int) -> dict[str, str]:
    """Simulated developer ``index``'s identity attributes, the same in every run."""
    return {
        USER_EMAIL: f"dev{index}@{_SIMULATED_DOMAIN}",
        USER_ACCOUNT_UUID: str(uuid.uuid5(_ACCOUNTS, f"developer-{index}")),
    }


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


def _otlp_reader(
    endpoint: str, export_interval: float, headers: Mapping[str, str] | None
) -> MetricReader:
    exporter = OTLPMetricExporter(
        endpoint=endpoint,
        timeout=5,
        headers=dict(headers) if headers else None,
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
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """``reader`` replaces the OTLP export to ``endpoint`` (benchmarks read in memory);
        ``headers`` go with every export (the receiver's bearer token when auth is on)."""
        self.developers = developers
        self.load = load
        self.rates = rates or DeveloperRates()
        self.now = start
        # What was sent, per Claude Code metric name: the demo's own ledger, for tests and logs.
        self.sent: defaultdict[str, float] = defaultdict(float)
        self._rng = np.random.default_rng(seed)
        self._identities = [developer_identity(index) for index in range(1, developers + 1)]
        self._at_work = self._rng.random(developers) < self._share_at_work(start)
        resource = Resource.create(
            {
                "service.name": "claude-code",
                "service.version": "simulated",
                "agentwatch.simulated": True,
            }
        )
        self.provider = MeterProvider(
            resource=resource,
            metric_readers=[reader or _otlp_reader(endpoint, export_interval, headers)],
        )
        meter = self.provider.get_meter("agentwatch.simulate.developers")
        self._counters = {
            name: meter.create_counter(name, unit=unit) for name, unit in UNITS.items()
        }
        self._duration = meter.create_histogram(OPERATION_DURATION, unit="s")
        self._token_usage = meter.create_histogram(TOKEN_USAGE, unit="{token}")

    def _factor(self, at: float) -> float:
        """The team's work relative to its mean: it works harder when the system is busy."""
        return self.load.rate(at) / self.load.mean_rate

    def _share_at_work(self, at: float) -> float:
        return min(_MAX_AT_WORK, self._factor(at))

    def advance(self, until: float) -> None:
        """Draw what the team did between the last call and ``until`` (simulated seconds)."""
        span = until - self.now
        if span <= 0:
            return
        middle = self.now + span / 2
        factor = self._factor(middle)
        share = self._share_at_work(middle)
        self.now = until
        rng, r = self._rng, self.rates
        self._change_shifts(share, span)
        self._report_quiet_zeros()
        working = np.flatnonzero(self._at_work).tolist()
        if not working or share <= 0:
            return
        # Each developer at work gives factor / share active hours per hour, so the team's
        # expected active hours are developers x factor x span, as without stretches.
        hours = factor / share * span / HOUR
        sessions, commits, pull_requests, edits, calls = (
            rng.poisson(rate * hours, len(working)).tolist()
            for rate in (r.sessions, r.commits, r.pull_requests, r.edits, r.model_calls)
        )
        for slot, index in enumerate(working):
            identity = self._identities[index]
            self._add(ACTIVE_TIME, hours * HOUR, identity)
            for name, drawn in (
                (SESSIONS, sessions), (COMMITS, commits), (PULL_REQUESTS, pull_requests)
            ):  # fmt: skip
                if drawn[slot]:
                    self._add(name, drawn[slot], identity)
            self._edits(edits[slot], identity)
            self._model_calls(calls[slot], identity)

    def _report_quiet_zeros(self) -> None:
        """A zero on every series a dashboard groups by, once per call, whoever is at work:
        a quiet hour (at night no one may be) then reads as 0 edits, not as no data."""
        if not self._identities:
            return
        identity = self._identities[0]
        for name in (SESSIONS, COMMITS, PULL_REQUESTS, ACTIVE_TIME):
            self._add(name, 0, identity)
        for kind in ("added", "removed"):
            self._add(LINES, 0, identity, {"type": kind})
        for decision in ("accept", "reject"):
            attributes = {
                "tool_name": EDIT_TOOLS[0],
                "decision": decision,
                "language": LANGUAGES[0],
            }
            self._add(EDIT_DECISIONS, 0, identity, attributes)
        self._add(COST, 0, identity, {"model": MODEL})
        for kind in PRICE_PER_MTOK:
            self._add(TOKENS, 0, identity, {"type": kind, "model": MODEL})

    def _change_shifts(self, share: float, span: float) -> None:
        """Developers start and end working stretches: a two-state chain whose share at work
        is ``share``, with stretches of WORK_STRETCH_HOURS on average."""
        stop_rate = 1 / (WORK_STRETCH_HOURS * HOUR)
        start_rate = stop_rate * share / (1 - share)
        stop = 1 - math.exp(-stop_rate * span)
        begin = 1 - math.exp(-start_rate * span)
        chance = self._rng.random(self.developers)
        self._at_work = np.where(self._at_work, chance >= stop, chance < begin)

    def _edits(self, count: int, identity: dict[str, str]) -> None:
        rng, r = self._rng, self.rates
        for _ in range(count):
            accepted = bool(rng.random() < r.edit_accept)
            self._add(
                EDIT_DECISIONS,
                1,
                identity,
                {
                    "tool_name": str(rng.choice(EDIT_TOOLS)),
                    "decision": "accept" if accepted else "reject",
                    "language": str(rng.choice(LANGUAGES)),
                },
            )
            if accepted:
                added = int(rng.geometric(1 / r.lines_added_per_edit))
                self._add(LINES, added, identity, {"type": "added"})
                removed = int(rng.geometric(1 / r.lines_removed_per_edit))
                self._add(LINES, removed, identity, {"type": "removed"})

    def _model_calls(self, count: int, identity: dict[str, str]) -> None:
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
                self._add(TOKENS, n, identity, {"type": kind, "model": MODEL})
            cost = sum(n * PRICE_PER_MTOK[kind] for kind, n in tokens.items()) / 1e6
            self._add(COST, cost, identity, {"model": MODEL})
            call = {
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": "anthropic",
                "gen_ai.request.model": MODEL,
            }
            self._duration.record(float(rng.lognormal(np.log(r.call_seconds_median), 0.5)), call)
            self._token_usage.record(tokens["input"], {**call, "gen_ai.token.type": "input"})
            self._token_usage.record(tokens["output"], {**call, "gen_ai.token.type": "output"})

    def _add(
        self,
        name: str,
        amount: float,
        identity: dict[str, str],
        attributes: dict[str, str] | None = None,
    ) -> None:
        # As Claude Code does, the identity attributes go on every data point.
        self._counters[name].add(amount, {**identity, **(attributes or {})})
        self.sent[name] += amount

    def shutdown(self) -> None:
        """Send what is pending and stop the exporter thread."""
        self.provider.shutdown()
