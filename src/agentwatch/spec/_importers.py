"""SLOs from Sloth ``prometheus/v1`` files and OpenSLO v1 files, as agentwatch ``Slo`` models.

Only what the ``Slo`` model can express is imported; anything that would change what an SLO
means (an SLI or SLO plugin other than alert_for, a calendar window, time slices, a disabled
alert) is rejected with a ``SpecError`` that names the file and the field, never silently
dropped. A Sloth file's service and labels become the SLO's ``service`` and ``labels``, so the
rules carry Sloth's ``sloth_id``; ``for`` counts only under Sloth's alert_for plugin, as in
Sloth. Presentation-only fields (Sloth's annotations; OpenSLO alert policies) are ignored: the
generated rules carry agentwatch's own annotations and multiwindow alerts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from ._errors import SpecError, shown
from ._load import _PLAIN_KEY, _describe, _field_path
from ._model import WINDOW_PLACEHOLDER, LabelName, Slo, SloName
from ._yaml import read_yaml

__all__ = [
    "SloFormat",
    "detect_slo_format",
    "import_openslo",
    "import_slo_file",
    "import_slo_files",
    "import_sloth",
]

SloFormat = Literal["sloth", "openslo"]
SLOTH_VERSION = "prometheus/v1"
OPENSLO_VERSION = "openslo/v1"

Problems = list[tuple[str, str]]


class _InvalidError(Exception):
    """One problem at one field; collected into the file's SpecError."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def _join(base: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{base}[{key}]"
    if not _PLAIN_KEY.fullmatch(key):
        return f"{base}[{key!r}]"
    return f"{base}.{key}" if base else key


def _read_documents(path: Path) -> list[Any]:
    return [d for d in read_yaml(path) if d is not None]


def _mapping(value: object, path: str, what: str = "a mapping") -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _InvalidError(path, f"expected {what}, got {type(value).__name__}")
    return value


def _optional_mapping(parent: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any]:
    value = parent.get(key)
    return {} if value is None else _mapping(value, _join(path, key))


def _string(parent: Mapping[str, Any], key: str, path: str) -> str:
    value = parent.get(key)
    if value is None:
        raise _InvalidError(_join(path, key), "required key is missing")
    if not isinstance(value, str):
        raise _InvalidError(_join(path, key), f"expected a string, got {type(value).__name__}")
    return value


_LABEL_NAME: TypeAdapter[str] = TypeAdapter(LabelName)
_SLO_NAME: TypeAdapter[str] = TypeAdapter(SloName)


def _checked(adapter: TypeAdapter[str], value: str, path: str) -> str:
    """``value`` as the model will check it, refused here where the file says it."""
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        raise _InvalidError(path, _describe(exc.errors()[0])) from None


def _labels(value: object, path: str) -> dict[str, str]:
    """A labels mapping, each name and value checked at its own place in the file (the
    model sees them merged: the file's, the SLO's and the alert's)."""
    if value is None:
        return {}
    labels = {}
    for key, given in _mapping(value, path).items():
        label_path = _join(path, str(key))
        if not isinstance(key, str):
            raise _InvalidError(label_path, f"expected a label name, got {type(key).__name__}")
        _checked(_LABEL_NAME, key, label_path)
        if isinstance(given, Mapping | list | set | bytes):
            raise _InvalidError(
                label_path, f"expected a label value (a string), got {type(given).__name__}"
            )
        # YAML reads `tier: 2` as a number, and `tier:` as null (Sloth: an empty string); a
        # Prometheus label value is always a string.
        labels[key] = "" if given is None else str(given)
    return labels


# Which source field each Slo model field came from, so a model validation error names the
# field the user wrote.
_SLOTH_FIELDS = {
    "sli.error_query": "sli.events.error_query",
    "sli.total_query": "sli.events.total_query",
    "sli.error_ratio_query": "sli.raw.error_ratio_query",
    "alerting.page_labels": "alerting.page_alert.labels",
    "alerting.ticket_labels": "alerting.ticket_alert.labels",
    "alerting.page_for": "alerting.page_alert.for",
    "alerting.ticket_for": "alerting.ticket_alert.for",
}
_OPENSLO_FIELDS = {
    "name": "metadata.name",
    "objective": "spec.objectives[0].target",
    "period": "spec.timeWindow[0].duration",
    "sli": "spec.indicator.spec.ratioMetric",
    "sli.error_query": "spec.indicator.spec.ratioMetric",
    "sli.total_query": "spec.indicator.spec.ratioMetric.total",
}


def _validate(data: dict[str, Any], path: str, fields: Mapping[str, str]) -> Slo:
    try:
        return Slo.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = _field_path(error["loc"])
        source = fields.get(field, field)
        where = (
            source if not path else f"{path}{source}" if source[:1] == "[" else f"{path}.{source}"
        )
        raise _InvalidError(where if source else path, _describe(error)) from None


def _collect(items: Iterable[tuple[str, Mapping[str, Any]]], convert: Any) -> list[Slo]:
    """Convert every item, gathering every item's problem before raising."""
    slos: list[Slo] = []
    problems: Problems = []
    for path, item in items:
        try:
            slos.append(convert(item, path))
        except _InvalidError as exc:
            problems.append((exc.path, exc.message))
    if problems:
        raise _ProblemsError(problems)
    return slos


class _ProblemsError(Exception):
    def __init__(self, problems: Problems) -> None:
        super().__init__(problems)
        self.problems = problems


# --- Sloth prometheus/v1 -------------------------------------------------------------------


# The one Sloth SLO plugin agentwatch reproduces: it gives the alerts the `for` of
# page_alert / ticket_alert, which Sloth's core ignores.
ALERT_FOR_PLUGIN = "sloth.dev/contrib/alert_for/v1"


@dataclass(frozen=True, slots=True)
class _SlothFile:
    """What a Sloth file says for all its SLOs."""

    service: str
    labels: dict[str, str]
    plugins: tuple[str, ...]


def _sloth_plugins(parent: Mapping[str, Any], key: str, path: str) -> tuple[str, ...]:
    """The ids in ``parent[key].chain``; any plugin but alert_for is Go code we cannot run."""
    chain_path = _join(_join(path, key), "chain")
    chain = _optional_mapping(parent, key, path).get("chain") or []
    if not isinstance(chain, list):
        raise _InvalidError(chain_path, f"expected a list, got {type(chain).__name__}")
    ids = []
    for i, entry in enumerate(chain):
        plugin_id = _string(_mapping(entry, _join(chain_path, i)), "id", _join(chain_path, i))
        if plugin_id != ALERT_FOR_PLUGIN:
            raise _InvalidError(
                _join(_join(chain_path, i), "id"),
                f"Sloth plugin {shown(plugin_id)} is Go code agentwatch cannot run; the only "
                f"plugin agentwatch reproduces is {ALERT_FOR_PLUGIN!r}",
            )
        ids.append(plugin_id)
    return tuple(ids)


def _sloth_alert_labels(alerting: Mapping[str, Any], kind: str, path: str) -> dict[str, str]:
    alert = _optional_mapping(alerting, kind, path)
    if alert.get("disable") is True:
        raise _InvalidError(
            _join(_join(path, kind), "disable"),
            "disabling the page or ticket alert is not supported: agentwatch always "
            "generates both (route or silence them in Alertmanager instead)",
        )
    return _labels(alert.get("labels"), _join(_join(path, kind), "labels"))


def _sloth_slo(file: _SlothFile, item: Mapping[str, Any], path: str) -> Slo:
    sli = _mapping(item.get("sli"), _join(path, "sli"))
    sli_path = _join(path, "sli")
    model_sli: dict[str, Any]
    fields = _SLOTH_FIELDS
    if "plugin" in sli:
        raise _InvalidError(
            _join(sli_path, "plugin"),
            "SLI plugins are Sloth Go code agentwatch cannot run: write the SLI as "
            "events (error_query, total_query) or raw (error_ratio_query)",
        )
    if "events" in sli:
        events = _mapping(sli["events"], _join(sli_path, "events"))
        events_path = _join(sli_path, "events")
        model_sli = {
            "error_query": _string(events, "error_query", events_path),
            "total_query": _string(events, "total_query", events_path),
        }
    elif "raw" in sli:
        raw = _mapping(sli["raw"], _join(sli_path, "raw"))
        # Sloth's own examples spell it errorRatioQuery; its docs, error_ratio_query.
        key = "errorRatioQuery" if "errorRatioQuery" in raw else "error_ratio_query"
        model_sli = {"error_ratio_query": _string(raw, key, _join(sli_path, "raw"))}
        fields = {**fields, "sli.error_ratio_query": f"sli.raw.{key}"}
    else:
        raise _InvalidError(sli_path, "expected events (error_query, total_query) or raw")

    alerting = _optional_mapping(item, "alerting", path)
    alerting_path = _join(path, "alerting")
    shared = _labels(alerting.get("labels"), _join(alerting_path, "labels"))
    model_alerting: dict[str, Any] = {
        "sloth_window_label": True,
        "page_labels": {**shared, **_sloth_alert_labels(alerting, "page_alert", alerting_path)},
        "ticket_labels": {
            **shared,
            **_sloth_alert_labels(alerting, "ticket_alert", alerting_path),
        },
    }
    if alerting.get("name") is not None:
        model_alerting["name"] = alerting["name"]
    if ALERT_FOR_PLUGIN in file.plugins + _sloth_plugins(item, "plugins", path):
        for kind in ("page", "ticket"):
            hold = _optional_mapping(alerting, f"{kind}_alert", alerting_path).get("for")
            if hold is not None:
                model_alerting[f"{kind}_for"] = hold
    data = {
        "name": item.get("name"),
        "service": file.service,
        "labels": {**file.labels, **_labels(item.get("labels"), _join(path, "labels"))},
        "objective": item.get("objective"),
        "description": item.get("description") or "",
        "sli": model_sli,
        "alerting": model_alerting,
    }
    return _validate(data, path, fields)


def _sloth(documents: list[Any]) -> list[Slo]:
    if len(documents) != 1:
        raise _ProblemsError([("", f"expected one YAML document, got {len(documents)}")])
    try:
        top = _mapping(documents[0], "")
        if top.get("version") != SLOTH_VERSION:
            raise _InvalidError(
                "version", f"expected {SLOTH_VERSION!r}, got {shown(top.get('version'))}"
            )
        file = _SlothFile(
            _checked(_SLO_NAME, _string(top, "service", ""), "service"),
            _labels(top.get("labels"), "labels"),
            _sloth_plugins(top, "slo_plugins", ""),
        )
        slos = top.get("slos")
        if not isinstance(slos, list) or not slos:
            raise _InvalidError("slos", "expected a non-empty list of SLOs")
        items = [(_join("slos", i), _mapping(s, _join("slos", i))) for i, s in enumerate(slos)]
    except _InvalidError as exc:
        raise _ProblemsError([(exc.path, exc.message)]) from None
    return _collect(items, partial(_sloth_slo, file))


# --- OpenSLO v1 ----------------------------------------------------------------------------

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
    metric_path = _join(_join(path, key), "metricSource")
    source = _mapping(_mapping(ratio.get(key), _join(path, key)).get("metricSource"), metric_path)
    kind = source.get("type")
    if not isinstance(kind, str) or kind.lower() != "prometheus":
        raise _InvalidError(
            _join(metric_path, "type"), f"expected a Prometheus metric source, got {shown(kind)}"
        )
    spec_path = _join(metric_path, "spec")
    query = _string(_mapping(source.get("spec"), spec_path), "query", spec_path)
    query_path = _join(spec_path, "query")
    if not _is_bare_selector(query):
        # OpenSLO queries carry no range: only a plain selector can be given one safely.
        raise _InvalidError(
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
        raise _InvalidError(_join(path, "timeWindow"), "expected a list with one time window")
    window_path = _join(_join(path, "timeWindow"), 0)
    window = _mapping(windows[0], window_path)
    if window.get("isRolling") is False or "calendar" in window:
        raise _InvalidError(
            window_path,
            "calendar-aligned windows are not supported: agentwatch SLOs use rolling "
            "windows (isRolling: true)",
        )
    duration = _string(window, "duration", window_path)
    # ASCII digits only (\d would take other scripts' digits, which Prometheus would not),
    # and few enough that int() of them stays cheap.
    match = re.fullmatch(r"([0-9]{1,6})([dw])", duration)
    if match is None:
        raise _InvalidError(
            _join(window_path, "duration"),
            "expected a rolling window in days or weeks such as 28d, 30d or 4w, "
            f"got {shown(duration)}",
        )
    days = int(match.group(1)) * (7 if match.group(2) == "w" else 1)
    return f"{days}d"


def _openslo_objective(spec: Mapping[str, Any], path: str) -> float:
    objectives = spec.get("objectives")
    if not isinstance(objectives, list) or len(objectives) != 1:
        raise _InvalidError(
            _join(path, "objectives"),
            "expected a list with exactly one objective (agentwatch has one objective per SLO)",
        )
    objective_path = _join(_join(path, "objectives"), 0)
    objective = _mapping(objectives[0], objective_path)
    if objective.get("target") is not None:
        target = objective["target"]
        if not isinstance(target, int | float) or not 0 < target < 1:
            raise _InvalidError(
                _join(objective_path, "target"), f"expected 0 < target < 1, got {shown(target)}"
            )
        # 0.995 * 100 is 99.49999999999999 in floats; Sloth writes 99.5.
        return round(float(target) * 100, 10)
    percent = objective.get("targetPercent")
    if not isinstance(percent, int | float) or not 0 < percent < 100:
        raise _InvalidError(
            objective_path, f"expected target (0-1) or targetPercent (0-100), got {shown(percent)}"
        )
    return float(percent)


def _openslo_slo(item: Mapping[str, Any], path: str) -> Slo:
    metadata = _mapping(item.get("metadata"), _join(path, "metadata"))
    spec_path = _join(path, "spec")
    spec = _mapping(item.get("spec"), spec_path)
    method = spec.get("budgetingMethod", "Occurrences")
    if method != "Occurrences":
        raise _InvalidError(
            _join(spec_path, "budgetingMethod"),
            "expected Occurrences (agentwatch counts events, not time slices), "
            f"got {shown(method)}",
        )
    if "indicator" not in spec:
        raise _InvalidError(
            _join(spec_path, "indicator"),
            "required key is missing (an indicatorRef to a separate SLI object is not "
            "supported: write the SLI inline as spec.indicator)",
        )
    indicator_path = _join(_join(spec_path, "indicator"), "spec")
    indicator = _mapping(
        _mapping(spec["indicator"], _join(spec_path, "indicator")).get("spec"), indicator_path
    )
    if "ratioMetric" not in indicator:
        raise _InvalidError(
            indicator_path,
            "expected a ratioMetric (thresholdMetric and rawMetric SLIs are not supported)",
        )
    ratio_path = _join(indicator_path, "ratioMetric")
    ratio = _mapping(indicator["ratioMetric"], ratio_path)
    if ratio.get("counter") is not True:
        raise _InvalidError(
            _join(ratio_path, "counter"),
            "expected counter: true (agentwatch takes the rate of good/bad/total counters)",
        )
    if ("good" in ratio) == ("bad" in ratio):
        raise _InvalidError(ratio_path, "expected exactly one of good and bad, with total")
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
    return _validate(data, path, {**_OPENSLO_FIELDS, "description": described})


def _openslo(documents: list[Any]) -> list[Slo]:
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
                    _join(path, "apiVersion"),
                    f"expected {OPENSLO_VERSION!r}, got {shown(obj.get('apiVersion'))}",
                )
            )
        elif obj.get("kind") == "SLO":
            items.append((path, obj))
        # Other kinds (Service, DataSource, AlertPolicy, ...) carry nothing an Slo needs.
    if problems:
        raise _ProblemsError(problems)
    if not items:
        raise _ProblemsError([("", "no objects of kind SLO in the file")])
    return _collect(items, _openslo_slo)


# --- entry points --------------------------------------------------------------------------


def detect_slo_format(document: object) -> SloFormat | None:
    """``sloth`` or ``openslo`` by content (the version key each format requires), else None."""
    first = document[0] if isinstance(document, list) and document else document
    if isinstance(first, Mapping):
        if first.get("version") == SLOTH_VERSION:
            return "sloth"
        if first.get("apiVersion") == OPENSLO_VERSION:
            return "openslo"
    return None


def _import(path: Path, fmt: SloFormat | None) -> list[Slo]:
    documents = _read_documents(path)
    detected = detect_slo_format(documents[0]) if documents else None
    expected = fmt or detected
    if expected is None or (fmt is not None and detected != fmt):
        wanted = {
            None: f"version: {SLOTH_VERSION} (Sloth) or apiVersion: {OPENSLO_VERSION} (OpenSLO)",
            "sloth": f"version: {SLOTH_VERSION} (a Sloth file)",
            "openslo": f"apiVersion: {OPENSLO_VERSION} (an OpenSLO file)",
        }[fmt]
        raise SpecError(str(path), [("", f"not a supported SLO file: expected {wanted}")])
    try:
        return _sloth(documents) if expected == "sloth" else _openslo(documents)
    except _ProblemsError as exc:
        raise SpecError(str(path), exc.problems) from None


def import_sloth(path: Path) -> list[Slo]:
    """The SLOs of a Sloth ``prometheus/v1`` file; ``SpecError`` names each bad field."""
    return _import(path, "sloth")


def import_openslo(path: Path) -> list[Slo]:
    """The ``kind: SLO`` objects of an OpenSLO v1 file; ``SpecError`` names each bad field."""
    return _import(path, "openslo")


def import_slo_file(path: Path) -> list[Slo]:
    """The SLOs of a Sloth or OpenSLO file, told apart by content."""
    return _import(path, None)


def import_slo_files(paths: Iterable[Path]) -> list[Slo]:
    """The SLOs of every file, in order; an SLO name used twice is an error naming the file
    of its second use (the rules are keyed by name)."""
    slos: list[Slo] = []
    seen: dict[str, Path] = {}
    for path in paths:
        for index, slo in enumerate(import_slo_file(path)):
            if slo.name in seen:
                raise SpecError(
                    str(path),
                    [
                        (
                            f"SLO {index + 1}",
                            f"SLO name {slo.name!r} is already used in {seen[slo.name]}",
                        )
                    ],
                )
            seen[slo.name] = path
            slos.append(slo)
    return slos
