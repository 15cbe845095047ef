"""Seed 000's development and business metrics as recording rules over real series: Claude
Code's telemetry (through the OTLP receiver), the agents' workflows and the framework scanner.

Each formula is documented in docs/business-metrics.md. A metric that needs an assumption the
spec does not give (spec.business) is not recorded at all, so it is absent in Prometheus rather
than computed from an invented number.
"""

from __future__ import annotations

from agentwatch import catalog
from agentwatch.spec import Spec

__all__ = ["business_rules"]

# The Claude Code token types that make up the input context of a request.
_CONTEXT_TOKEN_TYPES = "input|cacheRead|cacheCreation"
_CACHE_READ = "cacheRead"
_ACCEPT = "accept"


def _increase(name: str, window: str, selector: str = "") -> str:
    return f"sum(increase({name}{selector}[{window}]))"


def _active_hours(window: str) -> str:
    return f"({_increase(catalog.CLAUDE_CODE_ACTIVE_TIME_SECONDS_TOTAL.name, window)} / 3600)"


def business_rules(spec: Spec) -> list[tuple[str, str]]:
    """(record, expr) pairs, in evaluation order: later rules read earlier ones."""
    business = spec.business
    w = business.window
    commits = _increase(catalog.CLAUDE_CODE_COMMIT_COUNT_TOTAL.name, w)
    tokens = catalog.CLAUDE_CODE_TOKEN_USAGE_TOKENS_TOTAL.name
    decisions = catalog.CLAUDE_CODE_CODE_EDIT_TOOL_DECISION_TOTAL.name
    workflows = catalog.AGENT_WORKFLOWS_TOTAL.name
    deployments = (
        f"{catalog.AGENT_WORKFLOW_DURATION_SECONDS.name}_bucket"
        f'{{workflow="{business.deployment_workflow}"}}'
    )
    quality = catalog.FRAMEWORK_QUALITY_SCORE.name
    accepted = _increase(decisions, w, f'{{decision="{_ACCEPT}"}}')
    acceptance = f"100 * {accepted}\n  / {_increase(decisions, w)}"
    survey = f"avg({catalog.DEVELOPER_SURVEY_SCORE.name})"
    cache_read = _increase(tokens, w, f'{{type="{_CACHE_READ}"}}')
    context = _increase(tokens, w, f'{{type=~"{_CONTEXT_TOKEN_TYPES}"}}')
    rules: list[tuple[str, str]] = [
        (catalog.DEVELOPMENT_VELOCITY.name, f"{commits}\n  / {_active_hours(w)}"),
        (
            catalog.SESSION_SUCCESS_RATE.name,
            f'sum(rate({workflows}{{outcome="success"}}[{w}]))\n  / sum(rate({workflows}[{w}]))',
        ),
        (
            catalog.PROMPT_EXECUTION_COUNT.name,
            _increase(f"{catalog.GEN_AI_CLIENT_OPERATION_DURATION_SECONDS.name}_count", w),
        ),
        (
            catalog.KNOWLEDGE_REUSE.name,
            f"{cache_read}\n  / {context}",
        ),
        # The edit acceptance ratio, averaged with the survey score where developers gave one.
        (
            catalog.DEVELOPER_SATISFACTION.name,
            f"(\n  ({acceptance})\n  + {survey}\n) / 2\nor\n{acceptance}\nor\n{survey}",
        ),
        (
            catalog.TIME_TO_DEPLOYMENT.name,
            f"histogram_quantile(0.5, sum by (le) (rate({deployments}[{w}])))",
        ),
        (
            catalog.CODE_QUALITY_IMPROVEMENT.name,
            f"{quality}\n  - {quality} offset {business.quality_trend_window}",
        ),
        (
            catalog.ERROR_PREVENTION.name,
            _increase(catalog.FRAMEWORK_FINDINGS_RESOLVED_TOTAL.name, w),
        ),
        (catalog.CONTEXT_LOADING_TIME.name, catalog.FRAMEWORK_SCAN_DURATION_SECONDS.name),
    ]
    baseline = business.baseline_commits_per_hour
    if baseline is not None:
        rules.append(
            (
                catalog.EFFICIENCY_GAINS.name,
                f"{catalog.DEVELOPMENT_VELOCITY.name} / {baseline:g} - 1",
            )
        )
        cost = business.engineer_hourly_cost_usd
        if cost is not None:
            spent = _increase(catalog.CLAUDE_CODE_COST_USAGE_USD_TOTAL.name, w)
            rules.append(
                (
                    catalog.COST_REDUCTION.name,
                    f"({commits} / {baseline:g} - {_active_hours(w)}) * {cost:g}\n  - {spent}",
                )
            )
    return rules
