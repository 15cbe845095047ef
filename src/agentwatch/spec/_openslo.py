"""SLOs from OpenSLO v1 files: each ``kind: SLO`` object with an inline ratioMetric SLI.

Only what the ``Slo`` model can express is imported: time-slice budgeting, calendar windows,
threshold and raw metrics, referenced SLIs and queries other than a bare counter selector are
refused at their field. Alert policies are presentation only and ignored: the generated rules
carry agentwatch's own multiwindow alerts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._errors import shown
from ._model import WINDOW_PLACEHOLDER, Slo
from ._slo_fields import (
    InvalidFieldError,
    Problems,
    ProblemsError,
    collect,
    join,
    mapping,
    string,
    validate,
)

__all__ = ["OPENSLO_VERSION", "openslo_slos"]

OPENSLO_VERSION = "openslo/v1"

# Which source field each Slo model field came from, so a model validation error names the
# field the user wrote.
_FIELDS = {
    "name": "metadata.name",
    "objective": "spec.objectives[0].target",
    "period": "spec.timeWindow[0].duration",
    "sli": "spec.indicator.spec.ratioMetric",
    "sli.error_query": "spec.indicator.spec.ratioMetric",
    "sli.total_query": "spec.indicator.spec.ratioMetric.total",
}


_PROM_STRING = r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`"""
_MATCHER = rf"\s*[A-Za-z_][A-Za-z0-9_]*\s*(?:=~|!~|!=|=)\s*(?:{_PROM_STRING})\s*"
_SELECTOR = re.compile(
    rf"^\s*(?P<name>[A-Za-z_:][A-Za-z0-9_:]*)?\s*"
    rf"(?:\{{(?P<matchers>(?:{_MATCHER}(?:,{_MATCHER})*,?)?\s*)\}})?\s*$"
)


def _is_bare_selector(query: str) -> bool:
    match = _SELECTOR.match(query)
    if match is None:
        return False
    # `{}` alone selects nothing: Prometheus needs a name or a non-empty matcher.
    return bool(match.group("name") or (match.group("matchers") or "").strip())


def _openslo_query(ratio: Mapping[str, Any], key: str, path: str) -> str:
    """``sum(rate(<selector>[{{.window}}]))`` for the metric at ``ratio[key]``."""
    metric_path = join(join(path, key), "metricSource")
    source = mapping(mapping(ratio.get(key), join(path, key)).get("metricSource"), metric_path)
    kind = source.get("type")
    if not isinstance(kind, str) or kind.lower() != "prometheus":
        raise InvalidFieldError(
            join(metric_path, "type"), f"expected a Prometheus metric source, got {shown(kind)}"
        )
    spec_path = join(metric_path, "spec")
    query = string(mapping(source.get("spec"), spec_path), "query", spec_path)
    query_path = join(spec_path, "query")
    if not _is_bare_selector(query):
        # OpenSLO queries carry no range: only a plain selector can be given one safely.
        raise InvalidFieldError(
            query_path,
            "expected a bare counter selector such as "
            'http_requests_total{code="200"}, which agentwatch wraps in '
            f"sum(rate(...[{WINDOW_PLACEHOLDER}])); got {shown(query)} (write aggregations and "
            "functions as a Sloth file instead)",
        )
    return f"sum(rate({query.strip()}[{WINDOW_PLACEHOLDER}]))"


def _openslo_period(spec: Mapping[str, Any], path: str) -> str:
    windows = spec.get("timeWindow")
    if windows is None:
        return "30d"  # agentwatch's and Sloth's default period
    if not isinstance(windows, list) or len(windows) != 1:
        raise InvalidFieldError(join(path, "timeWindow"), "expected a list with one time window")
    window_path = join(join(path, "timeWindow"), 0)
    window = mapping(windows[0], window_path)
    if window.get("isRolling") is False or "calendar" in window:
        raise InvalidFieldError(
            window_path,
            "calendar-aligned windows are not supported: agentwatch SLOs use rolling "
            "windows (isRolling: true)",
        )
    duration = string(window, "duration", window_path)
    # ASCII digits only (\d would take other scripts' digits, which Prometheus would not),
    # and few enough that int() of them stays cheap.
    match = re.fullmatch(r"([0-9]{1,6})([dw])", duration)
    if match is None:
        raise InvalidFieldError(
            join(window_path, "duration"),
            "expected a rolling window in days or weeks such as 28d, 30d or 4w, "
            f"got {shown(duration)}",
        )
    days = int(match.group(1)) * (7 if match.group(2) == "w" else 1)
    return f"{days}d"


def _openslo_objective(spec: Mapping[str, Any], path: str) -> float:
    objectives = spec.get("objectives")
    if not isinstance(objectives, list) or len(objectives) != 1:
        raise InvalidFieldError(
            join(path, "objectives"),
            "expected a list with exactly one objective (agentwatch has one objective per SLO)",
        )
    objective_path = join(join(path, "objectives"), 0)
    objective = mapping(objectives[0], objective_path)
    if objective.get("target") is not None:
        target = objective["target"]
        if not isinstance(target, int | float) or not 0 < target < 1:
            raise InvalidFieldError(
                join(objective_path, "target"), f"expected 0 < target < 1, got {shown(target)}"
            )
        # 0.995 * 100 is 99.49999999999999 in floats; Sloth writes 99.5.
        return round(float(target) * 100, 10)
    percent = objective.get("targetPercent")
    if not isinstance(percent, int | float) or not 0 < percent < 100:
        raise InvalidFieldError(
            objective_path, f"expected target (0-1) or targetPercent (0-100), got {shown(percent)}"
        )
    return float(percent)


def _openslo_slo(item: Mapping[str, Any], path: str) -> Slo:
    metadata = mapping(item.get("metadata"), join(path, "metadata"))
    spec_path = join(path, "spec")
    spec = mapping(item.get("spec"), spec_path)
    method = spec.get("budgetingMethod", "Occurrences")
    if method != "Occurrences":
        raise InvalidFieldError(
            join(spec_path, "budgetingMethod"),
            "expected Occurrences (agentwatch counts events, not time slices), "
            f"got {shown(method)}",
        )
    if "indicator" not in spec:
        raise InvalidFieldError(
            join(spec_path, "indicator"),
            "required key is missing (an indicatorRef to a separate SLI object is not "
            "supported: write the SLI inline as spec.indicator)",
        )
    indicator_path = join(join(spec_path, "indicator"), "spec")
    indicator = mapping(
        mapping(spec["indicator"], join(spec_path, "indicator")).get("spec"), indicator_path
    )
    if "ratioMetric" not in indicator:
        raise InvalidFieldError(
            indicator_path,
            "expected a ratioMetric (thresholdMetric and rawMetric SLIs are not supported)",
        )
    ratio_path = join(indicator_path, "ratioMetric")
    ratio = mapping(indicator["ratioMetric"], ratio_path)
    if ratio.get("counter") is not True:
        raise InvalidFieldError(
            join(ratio_path, "counter"),
            "expected counter: true (agentwatch takes the rate of good/bad/total counters)",
        )
    if ("good" in ratio) == ("bad" in ratio):
        raise InvalidFieldError(ratio_path, "expected exactly one of good and bad, with total")
    total = _openslo_query(ratio, "total", ratio_path)
    if "bad" in ratio:
        errors = _openslo_query(ratio, "bad", ratio_path)
    else:
        # Events that are not good are errors: all minus good, over the same window.
        errors = f"{total}\n-\n{_openslo_query(ratio, 'good', ratio_path)}"
    # The description is the spec's, else the display name.
    described = "spec.description" if spec.get("description") else "metadata.displayName"
    data = {
        "name": metadata.get("name"),
        "objective": _openslo_objective(spec, spec_path),
        "description": spec.get("description") or metadata.get("displayName") or "",
        "period": _openslo_period(spec, spec_path),
        "sli": {"error_query": errors, "total_query": total},
    }
    return validate(data, path, {**_FIELDS, "description": described})


def openslo_slos(documents: list[Any]) -> list[Slo]:
    # A file holds documents; each document is one object or a list of objects.
    objects: list[tuple[str, Any]] = []
    for d, document in enumerate(documents):
        prefix = f"document[{d}]" if len(documents) > 1 else ""
        if isinstance(document, list):
            objects.extend((f"{prefix}[{i}]", obj) for i, obj in enumerate(document))
        else:
            objects.append((prefix, document))
    items: list[tuple[str, Mapping[str, Any]]] = []
    problems: Problems = []
    for path, obj in objects:
        if not isinstance(obj, Mapping):
            problems.append((path, f"expected an OpenSLO object, got {type(obj).__name__}"))
        elif obj.get("apiVersion") != OPENSLO_VERSION:
            problems.append(
                (
                    join(path, "apiVersion"),
                    f"expected {OPENSLO_VERSION!r}, got {shown(obj.get('apiVersion'))}",
                )
            )
        elif obj.get("kind") == "SLO":
            items.append((path, obj))
        # Other kinds (Service, DataSource, AlertPolicy, ...) carry nothing an Slo needs.
    if problems:
        raise ProblemsError(problems)
    if not items:
        raise ProblemsError([("", "no objects of kind SLO in the file")])
    return collect(items, _openslo_slo)
