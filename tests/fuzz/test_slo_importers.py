"""Fuzzing the SLO importers: Sloth ``prometheus/v1`` and OpenSLO v1 files made from valid
ones (the fixtures in tests/fixtures/slo) and damaged (tests/fuzz/documents.py). Every file
either imports as SLOs or is refused with a SpecError whose every line names the file and where:
the damaged field of the file as the user wrote it (or a field containing it), or the line and
column of a YAML error. Nothing else is ever raised.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from agentwatch.spec import Slo, SpecError
from agentwatch.spec._importers import import_openslo, import_slo_file, import_sloth
from tests.hypothesis_profiles import FUZZ

from .checks import check_spec_error
from .documents import Mutated, mutated_yaml

FIXTURES = Path(__file__).parent.parent / "fixtures" / "slo"


def _seeds() -> list[Any]:
    """Valid files: the fixtures that import, and variants reaching the other branches."""
    sloth = yaml.safe_load((FIXTURES / "sloth-getting-started.yml").read_text())
    raw = yaml.safe_load((FIXTURES / "sloth-raw-home-wifi.yml").read_text())
    openslo = yaml.safe_load((FIXTURES / "openslo-v1-slos.yaml").read_text())
    two = copy.deepcopy(raw)
    two["slos"].append({**copy.deepcopy(raw["slos"][0]), "name": "second", "objective": 99})
    bad_events = copy.deepcopy(openslo[0])
    ratio = bad_events["spec"]["indicator"]["spec"]["ratioMetric"]
    ratio["bad"] = ratio.pop("good")
    bad_events["spec"]["objectives"] = [{"targetPercent": 99.5}]
    bad_events["spec"]["timeWindow"] = [{"duration": "4w", "isRolling": True}]
    service = {"apiVersion": "openslo/v1", "kind": "Service", "metadata": {"name": "foo"}}
    seeds = [sloth, raw, two, openslo, openslo[0], bad_events, [service, bad_events]]
    return [_shortened(seed) for seed in seeds]


def _shortened(node: Any) -> Any:
    """``node`` with its long texts cut (queries kept valid): the same keys and structure, and
    less text to write, damage and parse on each of 10,000 inputs."""
    if isinstance(node, dict):
        return {key: _shortened_value(key, value) for key, value in node.items()}
    if isinstance(node, list):
        return [_shortened(item) for item in node]
    return node


def _shortened_value(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return _shortened(value)
    if "{{.window}}" in value:
        return "sum(rate(x_total[{{.window}}]))"
    if key == "query":
        return 'x_total{code="200"}'
    return value if len(value) <= 24 or key in ("id", "version", "apiVersion") else value[:24]


SEEDS = _seeds()
IMPORTERS: list[Callable[[Path], list[Slo]]] = [
    import_slo_file,
    import_slo_file,
    import_sloth,
    import_openslo,
]


@pytest.fixture(scope="module")
def slo_file(scratch_dir: Path) -> Path:
    return scratch_dir / "slos.yaml"


def test_every_seed_imports(slo_file: Path) -> None:
    for seed in SEEDS:
        slo_file.write_text(yaml.safe_dump(seed))
        assert import_slo_file(slo_file)


@settings(FUZZ)
@given(mutated=mutated_yaml(SEEDS), importer=st.sampled_from(IMPORTERS))
def test_importers_import_or_name_the_file_and_field(
    slo_file: Path, mutated: Mutated, importer: Callable[[Path], list[Slo]]
) -> None:
    slo_file.write_bytes(mutated.data)
    error: SpecError | None = None
    try:
        slos = importer(slo_file)
    except SpecError as refused:
        error = refused
    if error is None:
        assert slos, "a file imported as no SLOs without an error"
        assert all(isinstance(slo, Slo) for slo in slos)
    else:
        assert not (mutated.intact and importer is import_slo_file), f"refused: {error}"
        check_spec_error(error, slo_file, mutated)
