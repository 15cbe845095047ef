"""The Sloth and OpenSLO importers, on real example files (tests/fixtures/slo) and on the
ways a file can be wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from agentwatch.spec import (
    SpecError,
    detect_slo_format,
    import_openslo,
    import_slo_file,
    import_slo_files,
    import_sloth,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "slo"


def _write(tmp_path: Path, text: str, name: str = "slo.yml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_sloth_getting_started_events_sli_and_alert_labels() -> None:
    (slo,) = import_sloth(FIXTURES / "sloth-getting-started.yml")
    assert slo.name == "requests-availability"
    assert slo.objective == 99.9
    assert slo.period == "30d"
    assert slo.description.startswith("Common SLO based on availability")
    assert slo.sli.error_query == (
        'sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}'
        "[{{.window}}]))"
    )
    assert slo.sli.total_query == (
        'sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))'
    )
    assert slo.alerting.name == "MyServiceHighErrorRate"
    # alerting.labels go on both alerts; each alert's own labels win.
    assert slo.alerting.page_labels == {
        "category": "availability",
        "severity": "pageteam",
        "routing_key": "myteam",
    }
    assert slo.alerting.ticket_labels == {
        "category": "availability",
        "severity": "slack",
        "slack_channel": "#alerts-myteam",
    }


def test_sloth_raw_sli_keeps_the_window_template() -> None:
    (slo,) = import_sloth(FIXTURES / "sloth-raw-home-wifi.yml")
    assert slo.name == "wifi-client-satisfaction"
    assert slo.objective == 95
    assert slo.sli.error_ratio_query is not None
    assert "sum_over_time(unifipoller_client_satisfaction_ratio[{{.window}}])" in (
        slo.sli.error_ratio_query
    )
    assert slo.alerting.page_labels == {"severity": "home"}


def test_openslo_good_total_becomes_error_and_total_queries() -> None:
    (slo,) = import_openslo(FIXTURES / "openslo-v1-slos.yaml")
    assert slo.name == "foo-slo"
    assert slo.objective == 98
    assert slo.period == "30d"  # the file gives no timeWindow
    total = "sum(rate(http_requests_total{}[{{.window}}]))"
    assert slo.sli.total_query == total
    assert slo.sli.error_query == (
        f'{total}\n-\nsum(rate(http_requests_total{{status_code="200"}}[{{{{.window}}}}]))'
    )


def test_openslo_example_with_aggregated_queries_and_time_slices_is_rejected() -> None:
    with pytest.raises(SpecError) as info:
        import_openslo(FIXTURES / "openslo-web-availability.yaml")
    assert info.value.source.endswith("openslo-web-availability.yaml")
    assert info.value.problems[0][0] == "[0].spec.budgetingMethod"


_OPENSLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout
spec:
  service: shop
  indicator:
    metadata:
      name: checkout-errors
    spec:
      ratioMetric:
        counter: true
        bad:
          metricSource:
            type: prometheus
            spec:
              query: {bad}
        total:
          metricSource:
            type: Prometheus
            spec:
              query: checkout_total
  timeWindow:
    - duration: {window}
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - {objective}
"""


def _openslo(tmp_path: Path, **values: str) -> Path:
    fields = {
        "bad": "'checkout_total{code=~\"5..\"}'",
        "window": "28d",
        "objective": "target: 0.995",
        **values,
    }
    return _write(tmp_path, _OPENSLO.format(**fields))


@pytest.mark.parametrize(
    ("objective", "expected"), [("target: 0.995", 99.5), ("targetPercent: 99.9", 99.9)]
)
def test_openslo_bad_total_rolling_window(tmp_path: Path, objective: str, expected: float) -> None:
    (slo,) = import_openslo(_openslo(tmp_path, objective=objective))
    assert slo.objective == expected
    assert slo.period == "28d"
    assert slo.sli.error_query == 'sum(rate(checkout_total{code=~"5.."}[{{.window}}]))'
    assert slo.sli.total_query == "sum(rate(checkout_total[{{.window}}]))"


def test_openslo_weeks_become_days(tmp_path: Path) -> None:
    (slo,) = import_openslo(_openslo(tmp_path, window="4w"))
    assert slo.period == "28d"


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        (
            {"bad": "'sum(checkout_total{code=\"500\"})'"},
            "spec.indicator.spec.ratioMetric.bad.metricSource.spec.query",
            "bare counter selector",
        ),
        ({"bad": "'{}'"}, "spec.indicator.spec.ratioMetric.bad.metricSource.spec.query", "bare"),
        ({"window": "1M"}, "spec.timeWindow[0].duration", "days or weeks"),
        ({"objective": "target: 99.5"}, "spec.objectives[0].target", "0 < target < 1"),
    ],
)
def test_openslo_problems_name_the_field(
    tmp_path: Path, values: dict[str, str], field: str, words: str
) -> None:
    with pytest.raises(SpecError) as info:
        import_openslo(_openslo(tmp_path, **values))
    ((path, message),) = info.value.problems
    assert path == field
    assert words in message


def test_sloth_problems_name_every_bad_slo(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
version: prometheus/v1
service: svc
slos:
  - name: Bad-Name
    objective: 99
    sli: {raw: {error_ratio_query: "rate(x[{{.window}}])"}}
  - name: no-window
    objective: 99
    sli: {events: {error_query: "rate(x[5m])", total_query: "rate(y[{{.window}}])"}}
  - name: plugin
    objective: 99
    sli: {plugin: {id: foo}}
  - name: too-high
    objective: 100
    sli: {raw: {error_ratio_query: "rate(x[{{.window}}])"}}
""",
    )
    with pytest.raises(SpecError) as info:
        import_sloth(path)
    fields = [p for p, _ in info.value.problems]
    assert fields == [
        "slos[0].name",
        "slos[1].sli.events.error_query",
        "slos[2].sli.plugin",
        "slos[3].objective",
    ]
    assert str(path) in str(info.value)


def test_sloth_disabled_alert_is_rejected_not_dropped(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
version: prometheus/v1
service: svc
slos:
  - name: quiet
    objective: 99
    sli: {raw: {error_ratio_query: "rate(x[{{.window}}])"}}
    alerting: {page_alert: {disable: true}}
""",
    )
    with pytest.raises(SpecError) as info:
        import_sloth(path)
    assert info.value.problems[0][0] == "slos[0].alerting.page_alert.disable"


def test_format_is_detected_by_content(tmp_path: Path) -> None:
    assert detect_slo_format({"version": "prometheus/v1"}) == "sloth"
    assert detect_slo_format([{"apiVersion": "openslo/v1"}]) == "openslo"
    assert detect_slo_format({"apiVersion": "openslo/v2alpha"}) is None
    assert import_slo_file(FIXTURES / "sloth-raw-home-wifi.yml")[0].name == (
        "wifi-client-satisfaction"
    )
    other = _write(tmp_path, "groups: []\n")
    with pytest.raises(SpecError, match="not a supported SLO file"):
        import_slo_file(other)
    # Asking for the other format is an error too, not a silent empty list.
    with pytest.raises(SpecError, match="a Sloth file"):
        import_sloth(FIXTURES / "openslo-v1-slos.yaml")


def test_unreadable_and_invalid_yaml_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="cannot read the file"):
        import_slo_file(tmp_path / "missing.yml")
    with pytest.raises(SpecError, match="not valid YAML"):
        import_slo_file(_write(tmp_path, "version: [\n"))


def test_the_same_name_in_two_files_is_an_error(tmp_path: Path) -> None:
    copy = _write(tmp_path, (FIXTURES / "sloth-getting-started.yml").read_text(), "copy.yml")
    with pytest.raises(SpecError) as info:
        import_slo_files([FIXTURES / "sloth-getting-started.yml", copy])
    assert info.value.source == str(copy)
    assert "already used" in info.value.problems[0][1]


def test_sloth_service_labels_and_alert_for_plugin_carry_over() -> None:
    (slo,) = import_sloth(FIXTURES / "sloth-getting-started.yml")
    assert slo.service == "myservice"
    assert slo.labels == {"owner": "myteam", "repo": "myorg/myservice", "tier": "2"}
    # The file chains Sloth's alert_for plugin, so page_alert.for / ticket_alert.for count.
    assert (slo.alerting.page_for, slo.alerting.ticket_for) == ("5m", "10m")
    assert slo.alerting.sloth_window_label


def test_sloth_for_without_the_plugin_is_ignored_as_sloth_does(tmp_path: Path) -> None:
    source = yaml.safe_load((FIXTURES / "sloth-getting-started.yml").read_text())
    del source["slo_plugins"]
    (slo,) = import_sloth(_write(tmp_path, yaml.safe_dump(source)))
    assert (slo.alerting.page_for, slo.alerting.ticket_for) == (None, None)


def test_sloth_plugin_other_than_alert_for_is_rejected(tmp_path: Path) -> None:
    source = yaml.safe_load((FIXTURES / "sloth-getting-started.yml").read_text())
    source["slo_plugins"]["chain"].append({"id": "sloth.dev/contrib/denominator_corrected/v1"})
    with pytest.raises(SpecError) as caught:
        import_sloth(_write(tmp_path, yaml.safe_dump(source)))
    assert "slo_plugins.chain[1].id" in str(caught.value)
    assert "denominator_corrected" in str(caught.value)
