"""SLOs from Sloth ``prometheus/v1`` files.

A Sloth file's service and labels become the SLO's ``service`` and ``labels``, so the rules
carry Sloth's ``sloth_id``; ``for`` counts only under Sloth's alert_for plugin, as in Sloth.
SLI plugins and any SLO plugin but alert_for are Go code agentwatch cannot run, and a disabled
alert would change what the SLO means: each is refused at its field. Sloth's annotations are
presentation only and ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from ._errors import shown
from ._model import Slo
from ._slo_fields import (
    SLO_NAME,
    InvalidFieldError,
    ProblemsError,
    checked,
    collect,
    join,
    labels,
    mapping,
    optional_mapping,
    string,
    validate,
)

__all__ = ["ALERT_FOR_PLUGIN", "SLOTH_VERSION", "sloth_slos"]

SLOTH_VERSION = "prometheus/v1"

# Which source field each Slo model field came from, so a model validation error names the
# field the user wrote.
_FIELDS = {
    "sli.error_query": "sli.events.error_query",
    "sli.total_query": "sli.events.total_query",
    "sli.error_ratio_query": "sli.raw.error_ratio_query",
    "alerting.page_labels": "alerting.page_alert.labels",
    "alerting.ticket_labels": "alerting.ticket_alert.labels",
    "alerting.page_for": "alerting.page_alert.for",
    "alerting.ticket_for": "alerting.ticket_alert.for",
}

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
    chain_path = join(join(path, key), "chain")
    chain = optional_mapping(parent, key, path).get("chain") or []
    if not isinstance(chain, list):
        raise InvalidFieldError(chain_path, f"expected a list, got {type(chain).__name__}")
    ids = []
    for i, entry in enumerate(chain):
        plugin_id = string(mapping(entry, join(chain_path, i)), "id", join(chain_path, i))
        if plugin_id != ALERT_FOR_PLUGIN:
            raise InvalidFieldError(
                join(join(chain_path, i), "id"),
                f"Sloth plugin {shown(plugin_id)} is Go code agentwatch cannot run; the only "
                f"plugin agentwatch reproduces is {ALERT_FOR_PLUGIN!r}",
            )
        ids.append(plugin_id)
    return tuple(ids)


def _sloth_alert_labels(alerting: Mapping[str, Any], kind: str, path: str) -> dict[str, str]:
    alert = optional_mapping(alerting, kind, path)
    if alert.get("disable") is True:
        raise InvalidFieldError(
            join(join(path, kind), "disable"),
            "disabling the page or ticket alert is not supported: agentwatch always "
            "generates both (route or silence them in Alertmanager instead)",
        )
    return labels(alert.get("labels"), join(join(path, kind), "labels"))


def _sloth_slo(file: _SlothFile, item: Mapping[str, Any], path: str) -> Slo:
    sli = mapping(item.get("sli"), join(path, "sli"))
    sli_path = join(path, "sli")
    model_sli: dict[str, Any]
    fields = _FIELDS
    if "plugin" in sli:
        raise InvalidFieldError(
            join(sli_path, "plugin"),
            "SLI plugins are Sloth Go code agentwatch cannot run: write the SLI as "
            "events (error_query, total_query) or raw (error_ratio_query)",
        )
    if "events" in sli:
        events = mapping(sli["events"], join(sli_path, "events"))
        events_path = join(sli_path, "events")
        model_sli = {
            "error_query": string(events, "error_query", events_path),
            "total_query": string(events, "total_query", events_path),
        }
    elif "raw" in sli:
        raw = mapping(sli["raw"], join(sli_path, "raw"))
        # Sloth's own examples spell it errorRatioQuery; its docs, error_ratio_query.
        key = "errorRatioQuery" if "errorRatioQuery" in raw else "error_ratio_query"
        model_sli = {"error_ratio_query": string(raw, key, join(sli_path, "raw"))}
        fields = {**fields, "sli.error_ratio_query": f"sli.raw.{key}"}
    else:
        raise InvalidFieldError(sli_path, "expected events (error_query, total_query) or raw")

    alerting = optional_mapping(item, "alerting", path)
    alerting_path = join(path, "alerting")
    shared = labels(alerting.get("labels"), join(alerting_path, "labels"))
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
            hold = optional_mapping(alerting, f"{kind}_alert", alerting_path).get("for")
            if hold is not None:
                model_alerting[f"{kind}_for"] = hold
    data = {
        "name": item.get("name"),
        "service": file.service,
        "labels": {**file.labels, **labels(item.get("labels"), join(path, "labels"))},
        "objective": item.get("objective"),
        "description": item.get("description") or "",
        "sli": model_sli,
        "alerting": model_alerting,
    }
    return validate(data, path, fields)


def sloth_slos(documents: list[Any]) -> list[Slo]:
    if len(documents) != 1:
        raise ProblemsError([("", f"expected one YAML document, got {len(documents)}")])
    try:
        top = mapping(documents[0], "")
        if top.get("version") != SLOTH_VERSION:
            raise InvalidFieldError(
                "version", f"expected {SLOTH_VERSION!r}, got {shown(top.get('version'))}"
            )
        file = _SlothFile(
            checked(SLO_NAME, string(top, "service", ""), "service"),
            labels(top.get("labels"), "labels"),
            _sloth_plugins(top, "slo_plugins", ""),
        )
        slos = top.get("slos")
        if not isinstance(slos, list) or not slos:
            raise InvalidFieldError("slos", "expected a non-empty list of SLOs")
        items = [(join("slos", i), mapping(s, join("slos", i))) for i, s in enumerate(slos)]
    except InvalidFieldError as exc:
        raise ProblemsError([(exc.path, exc.message)]) from None
    return collect(items, partial(_sloth_slo, file))
