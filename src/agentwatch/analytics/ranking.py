"""Which agent to give a task to: agents ranked by recent health, latency, error ratio and,
where the framework scanner knows the agent's definition, its quality — all read from
Prometheus, so an orchestrator picks from what the agents really did.

A task type is an ``action`` of ``agent_messages_processed_total``: an agent is capable of a
task type when it processed messages with that action in the window. The formula (documented
in docs/agent-ranking.md):

    score = sum(weight_i * part_i) / sum(weight_i over the parts that have data)

with parts in [0, 1]: health = agent_health_score / 100; reliability = 1 - error ratio;
speed = (fastest p95 among the candidates) / (own p95); quality = the agent type's framework
quality / 100. A part without data is left out and the others re-weighted, never filled in.
Failed agents are not eligible: they are listed last with score 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from agentwatch import catalog
from agentwatch.clients import Auth
from agentwatch.clients.prometheus import InstantQuerier, PrometheusAPI, PrometheusError, Sample
from agentwatch.spec import duration_seconds

__all__ = [
    "RANK_PATH",
    "WEIGHTS",
    "RankedAgent",
    "Ranking",
    "rank_agents",
    "ranking_route",
]

# Where the analytics exporter serves the ranking as JSON.
RANK_PATH = "/api/v1/agents/rank"
WEIGHTS: Mapping[str, float] = {"health": 0.4, "reliability": 0.3, "speed": 0.2, "quality": 0.1}
_FAILED = "failed"
_BY_AGENT = "agent_id, agent_type"


@dataclass(frozen=True, slots=True)
class RankedAgent:
    agent_id: str
    agent_type: str
    score: float  # 0-1, higher is better
    eligible: bool
    status: str | None
    health: float | None  # 0-100
    error_ratio: float | None
    p95_seconds: float | None
    quality: float | None  # 0-100, of the agent type's definition
    parts: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ranking:
    task_type: str | None
    window: str
    agents: tuple[RankedAgent, ...]  # best first

    def as_json(self) -> dict[str, Any]:
        return {
            "task_type": self.task_type,
            "window": self.window,
            "weights": dict(WEIGHTS),
            "agents": [asdict(a) for a in self.agents],
        }


def _key(sample: Sample) -> tuple[str, str]:
    return sample.labels.get("agent_id", ""), sample.labels.get("agent_type", "")


def _by_agent(samples: list[Sample]) -> dict[tuple[str, str], float]:
    return {_key(s): s.value for s in samples}


def _rate_by_agent(name: str, window: str, selector: str = "") -> str:
    return f"sum by ({_BY_AGENT}) (rate({name}{selector}[{window}]))"


def _task_selector(task_type: str | None) -> str:
    if task_type is None:
        return ""
    escaped = task_type.replace("\\", "\\\\").replace('"', '\\"')
    return f'{{action="{escaped}"}}'


def rank_agents(
    api: InstantQuerier,
    *,
    task_type: str | None = None,
    window: str = "5m",
    quality_by_type: Mapping[str, float] | None = None,
    at: float | None = None,
) -> Ranking:
    """Rank the agents that did ``task_type`` in the last ``window`` (every agent with a health
    score when ``task_type`` is None). ``quality_by_type`` maps an agent type to the 0-100
    quality of its definition; without it the quality part is read from Prometheus. ``at``
    ranks as of that unix time (default: now)."""

    def query(promql: str) -> list[Sample]:
        return api.query(promql, at=at)

    processed_name = catalog.AGENT_MESSAGES_PROCESSED_TOTAL.name
    health = _by_agent(query(catalog.AGENT_HEALTH_SCORE.name))
    if task_type is None:
        candidates = set(health)
    else:
        done = query(_rate_by_agent(processed_name, window, _task_selector(task_type)))
        candidates = {_key(s) for s in done if s.value > 0}
    if not candidates:
        return Ranking(task_type, window, ())
    status = {_key(s): s.labels.get("status", "") for s in query(_current_status())}
    processed = _by_agent(query(_rate_by_agent(processed_name, window)))
    errors = _by_agent(query(_rate_by_agent(catalog.AGENT_ERRORS_TOTAL.name, window)))
    p95 = _by_agent(query(_p95_by_agent(window)))
    quality = dict(quality_by_type) if quality_by_type is not None else _quality(query)

    fastest = min((v for k, v in p95.items() if k in candidates and v > 0), default=None)
    ranked = [
        _rank_one(
            key,
            status=status.get(key),
            health=health.get(key),
            error_ratio=_error_ratio(processed.get(key), errors.get(key)),
            p95=p95.get(key) if p95.get(key, 0.0) > 0 else None,
            fastest=fastest,
            quality=quality.get(key[1]),
        )
        for key in candidates
    ]
    ranked.sort(key=lambda a: (not a.eligible, -a.score, a.agent_type, a.agent_id))
    return Ranking(task_type, window, tuple(ranked))


def _current_status() -> str:
    return f"{catalog.AGENT_STATUS.name} == 1"


def _p95_by_agent(window: str) -> str:
    buckets = f"{catalog.AGENT_PROCESSING_TIME_SECONDS.name}_bucket"
    return f"histogram_quantile(0.95, sum by ({_BY_AGENT}, le) (rate({buckets}[{window}])))"


def _quality(query: Callable[[str], list[Sample]]) -> dict[str, float]:
    """Per agent type, the share of template checks its definition passes, as 0-100. Claude
    Code names agents in kebab case; agent types use snake case."""
    family = catalog.FRAMEWORK_AGENT_QUALITY
    return {
        s.labels.get("agent", "").replace("-", "_"): 100.0 * s.value
        for s in query(family.name)
        if s.labels.get("agent")
    }


def _error_ratio(processed: float | None, errors: float | None) -> float | None:
    if processed is None and errors is None:
        return None
    attempts = (processed or 0.0) + (errors or 0.0)
    return (errors or 0.0) / attempts if attempts > 0 else None


def _rank_one(
    key: tuple[str, str],
    *,
    status: str | None,
    health: float | None,
    error_ratio: float | None,
    p95: float | None,
    fastest: float | None,
    quality: float | None,
) -> RankedAgent:
    parts: dict[str, float] = {}
    if health is not None:
        parts["health"] = min(max(health / 100.0, 0.0), 1.0)
    if error_ratio is not None:
        parts["reliability"] = 1.0 - error_ratio
    if p95 is not None and fastest is not None:
        parts["speed"] = fastest / p95
    if quality is not None:
        parts["quality"] = min(max(quality / 100.0, 0.0), 1.0)
    eligible = status != _FAILED
    weight = sum(WEIGHTS[p] for p in parts)
    score = sum(WEIGHTS[p] * v for p, v in parts.items()) / weight if weight and eligible else 0.0
    return RankedAgent(
        agent_id=key[0],
        agent_type=key[1],
        score=score,
        eligible=eligible,
        status=status,
        health=health,
        error_ratio=error_ratio,
        p95_seconds=p95,
        quality=quality,
        parts=parts,
    )


def ranking_route(
    prometheus_url: str, *, auth: Auth | None = None
) -> Callable[[Mapping[str, list[str]]], tuple[int, object]]:
    """The JSON API of the ranking, for the analytics exporter:
    ``GET /api/v1/agents/rank?task_type=T&window=5m``. Each request reads Prometheus afresh
    (with ``auth``, the stack's service account)."""

    def route(params: Mapping[str, list[str]]) -> tuple[int, object]:
        task_type = params.get("task_type", [None])[-1] or None
        window = params.get("window", ["5m"])[-1]
        try:
            duration_seconds(window)
        except ValueError as exc:
            return 400, {"error": f"window: {exc}"}
        try:
            with PrometheusAPI(prometheus_url, auth=auth) as api:
                ranking = rank_agents(api, task_type=task_type, window=window)
        except PrometheusError as exc:
            return 502, {"error": str(exc)}
        return 200, ranking.as_json()

    return route
