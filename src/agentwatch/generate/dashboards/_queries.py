"""Every panel query, and the PromQL Grafana would send for it: what checks run against."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["PanelQuery", "as_promql", "panel_queries"]

_VARIABLE = re.compile(r"\$\{?(\w+)(?::\w+)?\}?")


@dataclass(frozen=True)
class PanelQuery:
    uid: str
    title: str
    expr: str
    # Grafana also asks Prometheus for this query's exemplars (links to traces).
    exemplar: bool = False


def panel_queries(boards: dict[str, dict[str, Any]]) -> Iterator[PanelQuery]:
    """Every query of every (non-row) panel, in dashboard order."""
    for uid, board in boards.items():
        for panel in board["panels"]:
            if panel["type"] == "row":
                continue
            for target in panel.get("targets", []):
                yield PanelQuery(
                    uid, panel["title"], target["expr"], bool(target.get("exemplar", False))
                )


def as_promql(expr: str) -> str:
    """The expression Grafana sends: interval macros become durations, and a variable (always
    inside a regex matcher) becomes its "All" value."""
    text = expr.replace("$__rate_interval", "5m").replace("$__interval", "1m")
    if '="$' in text:
        raise ValueError(f"a dashboard variable outside a regex matcher: {expr}")
    return _VARIABLE.sub(".*", text)
