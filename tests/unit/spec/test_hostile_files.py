"""Inputs the fuzz targets (tests/fuzz) found or aimed at, pinned: each used to escape as
another exception or to name the wrong place, and is now a SpecError naming file and place."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from agentwatch.spec import Slo, Spec, SpecError, load_spec, parse_spec
from agentwatch.spec._importers import import_slo_file
from agentwatch.spec._yaml import read_yaml

FIXTURES = Path(__file__).parent.parent.parent / "fixtures" / "slo"

# The bomb passes the limit at its sixth line (9**6 = 531,441 items); unchecked, every reader
# of it (pydantic, the importers) would walk them all.
_BOMB = "\n".join(
    [f"a0: &a0 [{', '.join(['x'] * 9)}]"]
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 7)]
)


@pytest.mark.parametrize(
    ("data", "where", "expected"),
    [
        (b"ports:\n  prometheus: \xff\n", "line 2, column 15", "not valid UTF-8 text"),
        (b"ports: {}\n\xc3", "line 2, column 1", "not valid UTF-8 text"),
        (b'cluster: "\x00"\n', "line 1, column 11", "character U+0000 is not allowed"),
        (b"ports:\n  prometheus: " + b"9" * 5000, "line 2, column 15", "cannot read"),
        (b"ports:\n  prometheus: 0x" + b"f" * 2000, "line 2", "more than 4096 bits"),
        # libyaml refuses flow nesting past 1000 itself; the reader, past 100.
        (b"[" * 3000 + b"]" * 3000, "line 1, column 1001", "exceeded maximum nesting depth"),
        (b"[" * 200 + b"]" * 200, "line 1, column 101", "nested deeper than 100"),
        (b"a: " + b"{a: " * 3000 + b"1" + b"}" * 3000, "line 1", "nested deeper than 100"),
        ("".join(f"{' ' * i}a:\n" for i in range(150)).encode(), "line 101", "deeper than 100"),
        (b"&a [*a]", "line 1, column 1", "an alias refers to a node that contains it"),
        (b"ports: &p {x: *p}", "line 1", "an alias refers to a node that contains it"),
        (_BOMB.encode(), "line 6, column 5", "aliases expand this to more than 100000 values"),
        (b"cluster: 2001-13-45", "line 1, column 10", "month must be in 1..12"),
        (b"cluster: 2001-02-29", "line 1", "day is out of range for month"),
        (b"cluster: !!bool maybe", "line 1, column 10", "cannot read 'maybe' as bool"),
        (b"cluster: !!float abc", "line 1", "cannot read 'abc' as float"),
        (b"cluster: !!int x", "line 1", "cannot read 'x' as int"),
        (b"cluster: !!timestamp tuesday", "line 1", "cannot read 'tuesday' as timestamp"),
        (b"ports: [\n", "line 2, column 1", "not valid YAML"),
    ],
)
def test_hostile_yaml_is_a_spec_error_naming_file_and_line(
    tmp_path: Path, data: bytes, where: str, expected: str
) -> None:
    path = tmp_path / "agentwatch.yaml"
    path.write_bytes(data)
    for read in (load_spec, import_slo_file):
        with pytest.raises(SpecError) as caught:
            read(path)
        ((place, message),) = caught.value.problems
        assert place.startswith(where), (place, message)
        assert expected in message
        assert str(caught.value).startswith(f"{path}: {place}: ")
        # One line per problem: PyYAML's own text spans several, repeating the place.
        assert "\n" not in str(caught.value)


def test_utf16_and_byte_order_marks_are_read(tmp_path: Path) -> None:
    path = tmp_path / "agentwatch.yaml"
    text = "slos:\n- {name: a, objective: 99, description: été, sli: {builtin: latency}}\n"
    for data in (text.encode("utf-16"), b"\xef\xbb\xbf" + text.encode()):
        path.write_bytes(data)
        assert load_spec(path).slos[0].description == "été"


def test_a_file_with_two_documents_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "agentwatch.yaml"
    path.write_text("cluster: a\n---\ncluster: b\n")
    with pytest.raises(SpecError, match="expected one YAML document, got 2"):
        load_spec(path)


def test_a_huge_value_is_quoted_short(tmp_path: Path) -> None:
    path = tmp_path / "agentwatch.yaml"
    path.write_text(f"ports: {10**400}\n")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert len(str(caught.value)) < 300
    assert "..." in str(caught.value)


def test_an_odd_key_is_quoted_in_the_field_path(tmp_path: Path) -> None:
    path = tmp_path / "agentwatch.yaml"
    path.write_text(yaml.safe_dump({"ports": {"a b\nc": 1}}))
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert caught.value.problems[0][0] == "ports['a b\\nc']"
    assert "\n" not in str(caught.value)


def _sloth() -> dict[str, object]:
    loaded = yaml.safe_load((FIXTURES / "sloth-raw-home-wifi.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def _openslo() -> dict[str, object]:
    (loaded,) = yaml.safe_load((FIXTURES / "openslo-v1-slos.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def _set(document: dict[str, object], path: str, value: object) -> dict[str, object]:
    *parents, last = path.split(".")
    node: object = document
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]  # type: ignore[index]
    node[last] = value  # type: ignore[index]
    return document


@pytest.mark.parametrize(
    ("document", "where", "expected"),
    [
        # The file's service and labels go into every SLO; the error names the file's field.
        (lambda: _set(_sloth(), "service", "Not A Name"), "service", "should match pattern"),
        (
            lambda: _set(_sloth(), "labels.component", ["a", "b"]),
            "labels.component",
            "expected a label value (a string), got list",
        ),
        (lambda: _set(_sloth(), "labels.bad name", "x"), "labels['bad name']", "pattern"),
        (
            lambda: _set(_sloth(), "slos.0.alerting.page_alert.labels.0x", "x"),
            "slos[0].alerting.page_alert.labels.0x",
            "pattern",
        ),
        # The key the file spells, not the model's.
        (
            lambda: _set(_sloth(), "slos.0.sli.raw.errorRatioQuery", "1 - up"),
            "slos[0].sli.raw.errorRatioQuery",
            "{{.window}}",
        ),
        (
            lambda: _set(_openslo(), "metadata.displayName", ["x"]),
            "metadata.displayName",
            "valid string",
        ),
        (
            lambda: _set(_openslo(), "spec.timeWindow", [{"duration": "9" * 5000 + "d"}]),
            "spec.timeWindow[0].duration",
            "expected a rolling window",
        ),
        (
            lambda: _set(_openslo(), "spec.timeWindow", [{"duration": "٣٠d"}]),
            "spec.timeWindow[0].duration",
            "expected a rolling window",
        ),
        (
            lambda: _set(
                _openslo(),
                "spec.indicator.spec.ratioMetric.total.metricSource.type",
                {f"k{i}": "v" * 100 for i in range(100)},
            ),
            "spec.indicator.spec.ratioMetric.total.metricSource.type",
            "expected a Prometheus metric source, got {'k0': 'vvvv",
        ),
    ],
)
def test_importers_name_the_field_the_file_wrote(
    tmp_path: Path, document: Callable[[], dict[str, object]], where: str, expected: str
) -> None:
    path = tmp_path / "slos.yaml"
    path.write_text(yaml.safe_dump(document()))
    with pytest.raises(SpecError) as caught:
        import_slo_file(path)
    ((place, message),) = caught.value.problems
    assert place == where, message
    assert expected in message
    assert len(message) < 400


def test_empty_and_numeric_label_values_become_strings(tmp_path: Path) -> None:
    path = tmp_path / "slos.yaml"
    document = _set(_set(_sloth(), "labels.tier", 2), "labels.context", None)
    path.write_text(yaml.safe_dump(document))
    (slo,) = import_slo_file(path)
    assert isinstance(slo, Slo)
    assert slo.labels["tier"] == "2"
    assert slo.labels["context"] == ""


def test_the_defaults_still_load(tmp_path: Path) -> None:
    path = tmp_path / "agentwatch.yaml"
    path.write_text(yaml.safe_dump(Spec().model_dump(mode="json")))
    assert load_spec(path) == Spec()


def test_a_validator_message_quoting_a_huge_value_is_cut(tmp_path: Path) -> None:
    path = tmp_path / "agentwatch.yaml"
    path.write_text(f"alerting:\n  alert_for:\n    FrameworkQualityDrop: '{'x' * 4000}'\n")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    ((place, message),) = caught.value.problems
    assert place == "alerting.alert_for.FrameworkQualityDrop"
    assert message.startswith("expected a duration like")
    assert len(message) <= 400


def test_the_reader_reads_what_pyyaml_reads() -> None:
    """The reader composes libyaml's events itself: every YAML file of the repository (the
    generated rules and configs, the SLO fixtures) reads as PyYAML's own loader reads it."""
    root = Path(__file__).parent.parent.parent.parent
    files = [*root.glob("monitoring/**/*.yml"), *root.glob("tests/fixtures/**/*.y*ml")]
    assert len(files) >= 10
    for path in files:
        assert read_yaml(path) == list(yaml.safe_load_all(path.read_text())), path


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        # Prometheus refuses these in the generated config; the spec let them through ("$"
        # matches before a final newline, \d takes any script's digits).
        ("scrape", "interval", "5m\n"),
        ("scrape", "interval", "١٥s"),
        ("storage", "retention_size", "512MB\n"),
        ("simulation", "developers_endpoint", "http://127.0.0.1:4318\n"),
    ],
)
def test_a_setting_with_a_final_newline_or_foreign_digits_is_refused(
    section: str, key: str, value: str
) -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec({section: {key: value}}, "agentwatch.yaml")
    assert caught.value.problems[0][0] == f"{section}.{key}"
