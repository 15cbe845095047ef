"""Business-impact alerts (seed 000, "Automated Alerts: Business Impact"): the business
metrics leaving the targets the spec sets. Each is off until its target is set under
``business.targets``: a target is a decision of the business, not a default of ours. They are
warnings (a ticket for the people who own the numbers, never a page) and Alertmanager routes
them to the executive receiver."""

from __future__ import annotations

from agentwatch import catalog
from agentwatch.spec import Spec

from .._number import num
from .._promtool_series import Series, counter
from ._definition import Alert, AlertDefinition, Category, Runbook, fires, silent

__all__ = ["ALERTS", "CATEGORY"]

CATEGORY: Category = "business"

_VELOCITY = catalog.by_name("claude_development_velocity")
_SUCCESS = catalog.by_name("claude_session_success_rate")
_COMMITS = catalog.by_name("claude_code_commit_count_total")
_ACTIVE = catalog.by_name("claude_code_active_time_seconds_total")
_COST = catalog.by_name("claude_code_cost_usage_usd_total")
_WHERE = "Executive and Development Metrics dashboards; the console's Business page."


def development_velocity_below_target(spec: Spec) -> Alert | None:
    target = spec.business.targets.development_velocity_min
    if target is None:
        return None
    # One developer active all the time: velocity is the commits per hour.
    active = counter(_ACTIVE, 1.0)
    return Alert(
        name="DevelopmentVelocityBelowTarget",
        category=CATEGORY,
        severity="warning",
        expr=f"{_VELOCITY.name} < {num(target)}",
        summary=f"Development velocity is below its target of {num(target)} commits per hour",
        description="The team makes {value} commits per active hour over the last "
        f"{spec.business.window} (target {num(target)}).",
        value_format="%.2f",
        runbook=Runbook(
            meaning="Commits per hour of active Claude Code use (claude_development_velocity, "
            f"over business.window) are below business.targets.development_velocity_min "
            f"({num(target)}): the team ships less per hour of work than it set out to.",
            queries=(_VELOCITY.name, f"sum(increase({_COMMITS.name}[{spec.business.window}]))"),
            where=_WHERE,
            actions=(
                "Compare with the weeks before: a holiday or an incident explains a dip.",
                "Check the framework's quality score and the session success rate: failing "
                "sessions cost commits.",
                "If the target no longer fits the team, change business.targets in the spec.",
            ),
        ),
        cases=(
            fires([counter(_COMMITS, target / 2 / 3600), active], {}, target / 2),
            silent([counter(_COMMITS, target * 2 / 3600), active]),
        ),
    )


def session_success_below_target(spec: Spec) -> Alert | None:
    target = spec.business.targets.session_success_rate_min
    if target is None:
        return None

    def sessions(success: float) -> list[Series]:
        family = catalog.AGENT_WORKFLOWS_TOTAL
        return [
            counter(family, success, workflow="feature", outcome="success"),
            counter(family, 1.0 - success, workflow="feature", outcome="failure"),
        ]

    return Alert(
        name="SessionSuccessBelowTarget",
        category=CATEGORY,
        severity="warning",
        expr=f"{_SUCCESS.name} < {num(target)}",
        summary=f"Session success rate is below its target of {num(target)}",
        description="{value} of the requests of the last "
        f"{spec.business.window} finished successfully (target {num(target)}).",
        value_format="%.3f",
        runbook=Runbook(
            meaning="The share of requests (agent workflows) that completed successfully "
            "(claude_session_success_rate) is below business.targets.session_success_rate_min "
            f"({num(target)}).",
            queries=(
                _SUCCESS.name,
                f"sum by (workflow, outcome) (rate({catalog.AGENT_WORKFLOWS_TOTAL.name}[5m]))",
            ),
            where=_WHERE + " Individual Agents dashboard for the failing agents.",
            actions=(
                "Find the workflows that fail most (the second query) and their agents' errors.",
                "Check for firing agent and transport alerts: they usually come first.",
            ),
        ),
        cases=(
            fires(sessions(target / 2), {}, target / 2),
            silent(sessions((1 + target) / 2)),
        ),
    )


def cost_per_commit_above_target(spec: Spec) -> Alert | None:
    target = spec.business.targets.cost_per_commit_max_usd
    if target is None:
        return None
    window = spec.business.window
    per_minute = 1 / 60  # one commit a minute
    expr = (
        f"sum(increase({_COST.name}[{window}])) / sum(increase({_COMMITS.name}[{window}])) "
        f"> {num(target)}"
    )
    return Alert(
        name="CostPerCommitAboveTarget",
        category=CATEGORY,
        severity="warning",
        expr=expr,
        summary=f"Cost per commit is above its target of {num(target)} USD",
        description="Each commit of the last "
        f"{window} cost {{value}} USD of model use (target {num(target)}).",
        value_format="%.2f",
        runbook=Runbook(
            meaning="Claude Code's estimated cost (claude_code_cost_usage_usd_total, a client-side "
            "estimate, not a bill) per commit over business.window is above "
            f"business.targets.cost_per_commit_max_usd ({num(target)} USD).",
            queries=(
                f"sum by (model) (increase({_COST.name}[{window}]))",
                f"sum(increase({_COMMITS.name}[{window}]))",
            ),
            where=_WHERE,
            actions=(
                "See which models the cost comes from (the first query): a larger model "
                "for routine work is the usual cause.",
                "Few commits for the same cost points at failing sessions: check the session "
                "success rate.",
            ),
        ),
        cases=(
            fires(
                [counter(_COST, 2 * target * per_minute), counter(_COMMITS, per_minute)],
                {},
                2 * target,
            ),
            silent([counter(_COST, target / 2 * per_minute), counter(_COMMITS, per_minute)]),
        ),
    )


ALERTS: tuple[AlertDefinition, ...] = (
    development_velocity_below_target,
    session_success_below_target,
    cost_per_commit_above_target,
)
