"""Recommendations printed in seed 004's format."""

from __future__ import annotations

from collections.abc import Iterable

from agentwatch.analytics._results import ScalingAction, ScalingRecommendation

__all__ = ["format_recommendation", "format_recommendations"]


def _count(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:g}"


def format_recommendation(rec: ScalingRecommendation) -> str:
    return (
        f"[{rec.priority.value.upper()}] {rec.resource}: {rec.action.value}\n"
        f"  Current: {_count(rec.current)}, Target: {_count(rec.target)}\n"
        f"  Reason: {rec.reason}\n"
        f"  Timeline: {rec.timeline}"
    )


def format_recommendations(recs: Iterable[ScalingRecommendation]) -> str:
    """The actionable recommendations (holds left out), blank-line separated, under the
    seed's heading."""
    actions = [r for r in recs if r.action is not ScalingAction.HOLD]
    body = "\n\n".join(format_recommendation(r) for r in actions)
    return "SCALING RECOMMENDATIONS:\n" + (body if body else "  none: every resource holds")
