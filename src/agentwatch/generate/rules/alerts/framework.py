"""Framework alerts: the agent definitions of the framework drift from their template."""

from __future__ import annotations

from agentwatch import catalog
from agentwatch.spec import Spec

from .._number import num
from .._promtool_series import gauge
from ._definition import Alert, AlertDefinition, Category, Runbook, fires, silent

__all__ = ["ALERTS", "CATEGORY"]

CATEGORY: Category = "framework"


def framework_quality_drop(spec: Spec) -> Alert:
    minimum = spec.thresholds.framework_quality_score_min
    score = catalog.by_name("claude_framework_quality_score")
    return Alert(
        name="FrameworkQualityDrop",
        category=CATEGORY,
        severity="warning",
        expr=f"{score.name} < {num(minimum)}",
        summary=f"Framework quality score has dropped below {num(minimum)}",
        description=f"The framework quality score is {{value}} (minimum {num(minimum)}).",
        value_format="%.1f",
        runbook=Runbook(
            meaning="The framework exporter's overall quality score (0-100, seed 000) is below "
            f"{num(minimum)}: the agent definitions in the framework drifted "
            "from the template or lost documentation.",
            queries=tuple(
                catalog.by_name(name).name
                for name in (
                    "claude_framework_quality_score",
                    "claude_template_compliance_rate",
                    "claude_documentation_consistency_score",
                )
            ),
            where="Quality Metrics dashboard; framework exporter on port "
            f"{spec.ports.framework_exporter}.",
            actions=(
                "Run `agentwatch framework scan PATH` on the framework to list the failing agents.",
                "Fix the agents that miss template sections, or revert the change that broke them.",
            ),
        ),
        cases=(
            fires([gauge(score, minimum / 2)], {}, minimum / 2),
            silent([gauge(score, minimum)]),
        ),
    )


ALERTS: tuple[AlertDefinition, ...] = (framework_quality_drop,)
