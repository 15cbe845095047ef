"""What one alert definition holds: the rule, its runbook section and its promtool cases.

Each alert's description is written once, as a Python format string over ``{value}`` and
``{labels[...]}``; the rule gets it rendered into Prometheus template syntax and the promtool
tests get it rendered with the values they expect, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from agentwatch.spec import Spec

from .._promtool_series import Series

__all__ = [
    "Alert",
    "AlertDefinition",
    "Case",
    "Category",
    "Runbook",
    "Severity",
    "fires",
    "metrics_url",
    "silent",
]

Severity = Literal["critical", "warning"]
# The team route in Alertmanager; each has its module in this package.
Category = Literal[
    "transport", "agents", "system", "framework", "security", "voice", "analytics", "business"
]


def metrics_url(port: int) -> str:
    """An agentwatch exporter's /metrics on this host, as a runbook points at it."""
    return f"http://127.0.0.1:{port}/metrics"


@dataclass(frozen=True, slots=True)
class Runbook:
    """The alert's section of docs/runbooks.md, below its heading and expression."""

    meaning: str
    # PromQL to run in Prometheus (http://127.0.0.1:<prometheus port>/graph).
    queries: tuple[str, ...]
    # Where else to look: dashboard, exporter endpoint, logs.
    where: str
    actions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Case:
    """One promtool test of the alert: input series, and what it must then do."""

    series: Sequence[Series]
    # Labels of the alert beyond severity and category, and its value; None: must stay silent.
    labels: Mapping[str, str] | None = None
    value: float = 0.0


def fires(series: Sequence[Series], labels: Mapping[str, str], value: float) -> Case:
    """A case in which the alert fires once, with ``labels`` and ``value``."""
    return Case(series, labels, value)


def silent(series: Sequence[Series]) -> Case:
    """A case in which the alert must not fire."""
    return Case(series)


class _TemplateLabels:
    """``{labels[x]}`` in a description becomes ``{{ $labels.x }}`` in the rule."""

    def __getitem__(self, key: str) -> str:
        return f"{{{{ $labels.{key} }}}}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert:
    """Everything about one alert: the rule Prometheus evaluates, its runbook section in
    docs/runbooks.md and the promtool cases that prove the rule (in order; a firing case
    first is the convention)."""

    name: str
    category: Category
    severity: Severity
    expr: str
    summary: str
    # Python format string over {value} and {labels[name]}.
    description: str
    # printf format for $value in the description, e.g. "%.0f".
    value_format: str = "%.2f"
    runbook: Runbook
    cases: tuple[Case, ...]
    # From the spec (alerting.alert_for, alerting.runbook_base_url); alerts() fills them in.
    for_: str = "0s"
    runbook_url: str = ""

    def describe(self, labels: Mapping[str, str], value: float) -> str:
        """The description Alertmanager shows for ``labels`` and ``value``."""
        return self.description.format(value=self.value_format % value, labels=labels)

    def annotations(
        self, labels: Mapping[str, str] | None = None, value: float = 0.0
    ) -> dict[str, str]:
        """Annotations as the rule carries them (``labels`` None) or as they render."""
        if labels is None:
            description = self.description.format(
                value=f'{{{{ printf "{self.value_format}" $value }}}}', labels=_TemplateLabels()
            )
        else:
            description = self.describe(labels, value)
        return {
            "summary": self.summary,
            "description": description,
            "runbook_url": self.runbook_url,
        }

    def rule(self) -> dict[str, Any]:
        rule: dict[str, Any] = {"alert": self.name, "expr": self.expr}
        # A zero `for` fires on the first evaluation that sees the condition.
        if self.for_ != "0s":
            rule["for"] = self.for_
        rule["labels"] = {"severity": self.severity, "category": self.category}
        rule["annotations"] = self.annotations()
        return rule


# A domain module's entry: the alert as the spec's thresholds and ports make it, or None when
# the spec turns it off (a business alert without its target).
AlertDefinition = Callable[[Spec], Alert | None]
