"""Sloth-compatible SLO recording rules and multiwindow, multi-burn-rate alerts.

The rule names, labels and expression shapes are Sloth's (``examples/_gen`` of slok/sloth), so
dashboards and users that know Sloth read them unchanged. One deliberate difference: each
window's comparison drops ``sloth_window`` (``max without``), so a firing alert keeps one label
set whichever window pair fired, and Alertmanager sees one alert, not one per pair. SLOs
imported from Sloth files keep Sloth's exact form (``alerting.sloth_window_label``), so they
fire at the same moments as Sloth's own rules, `for` included.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

from agentwatch.catalog import recorded as rec
from agentwatch.generate.rules import num, runbook_url
from agentwatch.spec import Slo, Spec, duration_seconds

from ._sli import error_ratio

__all__ = [
    "BURN_WINDOWS",
    "SERVICE",
    "SLI_WINDOWS",
    "SLO_FILE",
    "BurnWindow",
    "alert_annotations",
    "alert_name",
    "error_budget",
    "slo_alert_names",
    "slo_groups",
    "slo_recording_names",
    "sloth_labels",
]

SLO_FILE: Final = "slos.yml"
# sloth_service of an SLO that names no service of its own.
SERVICE: Final = "agentwatch"
Kind = Literal["page", "ticket"]


@dataclass(frozen=True, slots=True)
class BurnWindow:
    """Fire when the error ratio exceeds ``factor`` x budget over both windows (SRE workbook,
    chapter 5, for a 30-day period: 2% of the budget in 1h, 5% in 6h, 10% in 1d and 3d)."""

    factor: float
    long: str
    short: str


BURN_WINDOWS: Final[dict[Kind, tuple[BurnWindow, BurnWindow]]] = {
    "page": (BurnWindow(14.4, "1h", "5m"), BurnWindow(6, "6h", "30m")),
    "ticket": (BurnWindow(3, "1d", "2h"), BurnWindow(1, "3d", "6h")),
}
# The SLI windows the alerts read, shortest first; the period window is added per SLO.
SLI_WINDOWS: Final = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
_SEVERITY: Final[dict[Kind, str]] = {"page": "critical", "ticket": "warning"}


def _sli_name(window: str) -> str:
    return rec.slo_error_ratio(window)


def slo_recording_names(spec: Spec) -> tuple[str, ...]:
    periods = sorted({s.period for s in spec.slos}, key=duration_seconds)
    return (
        *(_sli_name(w) for w in SLI_WINDOWS),
        *(_sli_name(p) for p in periods if p not in SLI_WINDOWS),
        rec.SLO_OBJECTIVE,
        rec.SLO_ERROR_BUDGET,
        rec.SLO_TIME_PERIOD_DAYS,
        rec.SLO_CURRENT_BURN_RATE,
        rec.SLO_PERIOD_BURN_RATE,
        rec.SLO_BUDGET_REMAINING,
        "sloth_slo_info",
    )


def alert_name(slo: Slo) -> str:
    if slo.alerting.name is not None:
        return slo.alerting.name
    camel = "".join(part.capitalize() for part in slo.name.replace("-", "_").split("_"))
    return f"SLO{camel}ErrorBudgetBurn"


def slo_alert_names(spec: Spec) -> tuple[str, ...]:
    return tuple(dict.fromkeys(alert_name(s) for s in spec.slos))


def error_budget(slo: Slo) -> float:
    """1 - objective, rounded so 99.9 gives 0.001 and not 0.0010000000000000009."""
    return round(1 - slo.objective / 100, 12)


def sloth_labels(slo: Slo) -> dict[str, str]:
    """The labels that identify an SLO's series, as Sloth writes them."""
    service = slo.service or SERVICE
    return {"sloth_id": f"{service}-{slo.name}", "sloth_service": service, "sloth_slo": slo.name}


def _labels(slo: Slo) -> dict[str, str]:
    """What every recording of the SLO carries: its own labels, then Sloth's ids."""
    return {**slo.labels, **sloth_labels(slo)}


def _selector(name: str, slo: Slo) -> str:
    inner = ", ".join(f'{k}="{v}"' for k, v in sloth_labels(slo).items())
    return f"{name}{{{inner}}}"


def _group_name(kind: str, slo: Slo) -> str:
    return f"sloth-slo-{kind}-{slo.service or SERVICE}-{slo.name}"


def _sli_group(slo: Slo, spec: Spec) -> dict[str, Any]:
    sli_5m = _selector(_sli_name("5m"), slo)
    rules = [
        {
            "record": _sli_name(window),
            "expr": error_ratio(slo, spec, window, sli_5m),
            "labels": {**_labels(slo), "sloth_window": window},
        }
        for window in SLI_WINDOWS
    ]
    if slo.period not in SLI_WINDOWS:
        # As Sloth: the period's ratio is the mean of the 5m ratios, so Prometheus never
        # evaluates a 30-day rate over raw samples.
        rules.append(
            {
                "record": _sli_name(slo.period),
                "expr": f"sum_over_time({sli_5m}[{slo.period}])\n/ ignoring (sloth_window)\n"
                f"count_over_time({sli_5m}[{slo.period}])",
                # All the ids, not only the window as Sloth writes it: with several SLOs in one
                # file, promtool would otherwise flag the rules as duplicates.
                "labels": {**_labels(slo), "sloth_window": slo.period},
            }
        )
    return {"name": _group_name("sli-recordings", slo), "rules": rules}


def _meta_group(slo: Slo) -> dict[str, Any]:
    on = "/ on (sloth_id, sloth_slo, sloth_service) group_left\n"
    budget = _selector(rec.SLO_ERROR_BUDGET, slo)
    labels = _labels(slo)
    days = int(duration_seconds(slo.period) // 86400)
    rules = [
        (rec.SLO_OBJECTIVE, f"vector({num(round(slo.objective / 100, 12))})"),
        (rec.SLO_ERROR_BUDGET, f"vector({num(error_budget(slo))})"),
        (rec.SLO_TIME_PERIOD_DAYS, f"vector({days})"),
        (rec.SLO_CURRENT_BURN_RATE, f"{_selector(_sli_name('5m'), slo)}\n{on}{budget}"),
        (rec.SLO_PERIOD_BURN_RATE, f"{_selector(_sli_name(slo.period), slo)}\n{on}{budget}"),
        (
            rec.SLO_BUDGET_REMAINING,
            f"1 - {_selector('slo:period_burn_rate:ratio', slo)}",
        ),
    ]
    info_labels = {
        **labels,
        "sloth_mode": "agentwatch",
        "sloth_objective": num(slo.objective),
        "sloth_spec": "agentwatch/v1",
    }
    return {
        "name": _group_name("meta-recordings", slo),
        "rules": [
            *({"record": r, "expr": e, "labels": dict(labels)} for r, e in rules),
            {"record": "sloth_slo_info", "expr": "vector(1)", "labels": info_labels},
        ],
    }


def _burn_expr(slo: Slo, windows: tuple[BurnWindow, BurnWindow]) -> str:
    budget = num(error_budget(slo))

    def over(window: str, factor: float) -> str:
        return f"{_selector(_sli_name(window), slo)} > ({num(factor)} * {budget})"

    if slo.alerting.sloth_window_label:
        pairs = [
            f"(\n    ({over(w.short, w.factor)})\n  and ignoring (sloth_window)\n"
            f"    ({over(w.long, w.factor)})\n)"
            for w in windows
        ]
        return "\nor ignoring (sloth_window)\n".join(pairs)
    pairs = [
        f"(\n    max without (sloth_window) ({over(w.short, w.factor)})\n  and\n"
        f"    max without (sloth_window) ({over(w.long, w.factor)})\n)"
        for w in windows
    ]
    return "\nor\n".join(pairs)


def alert_annotations(
    spec: Spec, slo: Slo, kind: Kind, slo_label: str = "{{ $labels.sloth_slo }}"
) -> dict[str, str]:
    """The alert's annotations; ``slo_label`` rendered as promtool expects, or as a template."""
    return {
        "summary": f"The {slo.name} SLO is burning its error budget "
        f"{'fast' if kind == 'page' else 'steadily'}",
        "description": _describe(slo, kind, slo_label),
        "runbook_url": runbook_url(spec, alert_name(slo)),
    }


def _describe(slo: Slo, kind: Kind, slo_label: str) -> str:
    first, second = BURN_WINDOWS[kind]
    budget_minutes = error_budget(slo) * duration_seconds(slo.period) / 60
    when = (
        "pages now: at this rate the budget is gone within days"
        if kind == "page"
        else "opens a ticket: the budget would run out before the period ends"
    )
    return (
        f"The {slo_label} SLO ({num(slo.objective)}% over {slo.period}, "
        f"{budget_minutes:.1f} minutes of error budget) burns its budget at more than "
        f"{num(first.factor)}x over {first.long} and {first.short}, or {num(second.factor)}x "
        f"over {second.long} and {second.short}; this {when}."
    )


def _alert_rules(spec: Spec, slo: Slo) -> list[dict[str, Any]]:
    name = alert_name(slo)
    rules = []
    kinds: tuple[Kind, ...] = ("page", "ticket")
    for kind in kinds:
        extra = slo.alerting.page_labels if kind == "page" else slo.alerting.ticket_labels
        labels = {
            **extra,
            "severity": _SEVERITY[kind],
            "category": "slo",
            "slo": slo.name,
            "sloth_severity": kind,
        }
        hold = slo.alerting.page_for if kind == "page" else slo.alerting.ticket_for
        rules.append(
            {
                "alert": name,
                "expr": _burn_expr(slo, BURN_WINDOWS[kind]),
                **({"for": hold} if hold else {}),
                "labels": labels,
                "annotations": alert_annotations(spec, slo, kind),
            }
        )
    return rules


def slo_groups(spec: Spec) -> list[dict[str, Any]]:
    """Per SLO, in spec order: SLI recordings, meta recordings, alerts (Sloth's groups)."""
    groups: list[dict[str, Any]] = []
    for slo in spec.slos:
        groups.append(_sli_group(slo, spec))
        groups.append(_meta_group(slo))
        groups.append({"name": _group_name("alerts", slo), "rules": _alert_rules(spec, slo)})
    return groups
