"""docs/runbooks.md: one section per alert, generated from the same definitions as the rules
(each alert's ``runbook`` in agentwatch.generate.rules.alerts), then one per SLO.

Each section's heading is the alert name, so GitHub's heading anchor is the alert name
lower-cased: exactly the ``runbook_url`` fragment every alert carries.
"""

from __future__ import annotations

from agentwatch.catalog import recorded as rec
from agentwatch.generate import slo
from agentwatch.generate.rules import alerts, num
from agentwatch.spec import Spec

__all__ = ["runbooks_markdown"]

_HEADER = """\
# Runbooks

Generated from `src/agentwatch/generate/rules` and `src/agentwatch/generate/runbooks.py`;
do not edit by hand. Every alert's `runbook_url` points at its section here.

Each alert carries `severity` (`critical` pages, `warning` opens a ticket) and `category`
(the team route in Alertmanager). Thresholds below are those of the spec this file was generated
from; change them in `agentwatch.yaml` (`thresholds:`), never in the rules.
"""


def runbooks_markdown(spec: Spec) -> str:
    """The whole of docs/runbooks.md for ``spec``."""
    parts = [_HEADER]
    for alert in alerts(spec):
        book = alert.runbook
        for_text = "at once" if alert.for_ == "0s" else f"after {alert.for_}"
        queries = "\n".join(f"    {q}" for q in book.queries)
        actions = "\n".join(f"- {a}" for a in book.actions)
        parts.append(
            f"## {alert.name}\n\n"
            f"`severity={alert.severity}`, `category={alert.category}`; fires {for_text} of\n\n"
            f"    {alert.expr.replace(chr(10), chr(10) + '    ')}\n\n"
            f"**What it means.** {book.meaning}\n\n"
            f"**What to check.** {book.where} In Prometheus:\n\n{queries}\n\n"
            f"**What to do.**\n\n{actions}\n"
        )
    parts.extend(_slo_sections(spec))
    return "\n".join(parts)


def _slo_sections(spec: Spec) -> list[str]:
    """One section per SLO burn-rate alert (page and ticket rules share the name)."""
    sections = []
    for s in spec.slos:
        name = slo.alert_name(s)
        ids = f'sloth_slo="{s.name}"'
        page, ticket = (slo.BURN_WINDOWS[kind] for kind in ("page", "ticket"))
        windows = "; ".join(
            f"{kind} ({sev}): {num(a.factor)}x over {a.long} and {a.short}, or "
            f"{num(b.factor)}x over {b.long} and {b.short}"
            for kind, sev, (a, b) in (("page", "critical", page), ("ticket", "warning", ticket))
        )
        if s.sli.builtin in slo.TIME_BASED:
            sli = (
                "The SLI is time-based: each 5m sample is 1 while the condition is bad, "
                "0 otherwise, and longer windows are the share of bad samples."
            )
        else:
            sli = "The SLI is the share of bad events among all events in each window."
        if page[0].factor * slo.error_budget(s) >= 1:
            # An error ratio cannot exceed 1: at this objective the fastest pair never fires.
            sli += (
                f" At {num(s.objective)}% the highest possible burn rate is "
                f"{num(round(1 / slo.error_budget(s), 6))}x, so only the "
                f"{num(page[1].factor)}x pair can page."
            )
        queries = "\n".join(
            f"    {q}{{{ids}}}"
            for q in (
                rec.slo_error_ratio("5m"),
                rec.slo_error_ratio("1h"),
                rec.SLO_CURRENT_BURN_RATE,
                rec.SLO_BUDGET_REMAINING,
            )
        )
        sections.append(
            f"## {name}\n\n"
            f"`category=slo`, `slo={s.name}`; multiwindow, multi-burn-rate alert on the "
            f"{s.name} SLO ({num(s.objective)}% over {s.period}). {windows}.\n\n"
            f"**What it means.** {s.description or s.name} {sli} A burn rate of 1 spends the "
            f"whole error budget ({num(slo.error_budget(s))}) in exactly {s.period}.\n\n"
            f"**What to check.** SLI/SLO dashboard; `agentwatch slo report`. In Prometheus:\n\n"
            f"{queries}\n\n"
            "**What to do.**\n\n"
            "- A page (critical) means the budget goes within hours to days: find the cause "
            "with the threshold alerts that fire alongside (availability, latency, throughput, "
            "agent health) and follow their runbooks.\n"
            "- A ticket (warning) is a slow leak: look at the period's trend and plan a fix "
            "before the budget runs out.\n"
        )
    return sections
