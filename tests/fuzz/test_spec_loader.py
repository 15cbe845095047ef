"""Fuzzing ``load_spec``: agentwatch.yaml files made from valid ones and damaged (tests/fuzz/
documents.py). Every file either loads as a Spec or is refused with a SpecError whose every
line names the file and where: the damaged field (or a field containing it), or the line and
column of a YAML error. Nothing else is ever raised.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from agentwatch.spec import Spec, SpecError, load_spec
from tests.hypothesis_profiles import FUZZ

from .checks import check_spec_error
from .documents import Mutated, mutated_yaml


def _seeds() -> list[Any]:
    """The default spec written out in full, one setting at a time (a whole file would make
    each input slow to parse; the defaults fill in the rest), plus settings the defaults
    leave out."""
    seeds: list[dict[str, Any]] = []
    for key, value in Spec().model_dump(mode="json").items():
        if isinstance(value, dict) and value:
            seeds += [{key: {inner: setting}} for inner, setting in value.items()]
        elif key == "slos":
            seeds += [{key: [slo]} for slo in value]
        else:
            seeds.append({key: value})
    extra: list[dict[str, Any]] = [
        {},
        {
            "storage": {
                "remote_write": [
                    {
                        "name": "vm",
                        "url": "http://127.0.0.1:8428/api/v1/write",
                        "basic_auth": {"username": "writer", "password_file": "/etc/vm_password"},
                    }
                ]
            },
            "scrape": {"shards": 2},
        },
        {"listen_address": "0.0.0.0", "security": {"auth": True}},
        {
            "slos": [
                {
                    "name": "checkout",
                    "objective": 99.5,
                    "period": "28d",
                    "sli": {
                        "error_query": 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))',
                        "total_query": "sum(rate(http_requests_total[{{.window}}]))",
                    },
                    "alerting": {"page_labels": {"team": "web"}, "page_for": "2m"},
                }
            ]
        },
    ]
    return [*seeds, *extra]


SEEDS = _seeds()


@pytest.fixture(scope="module")
def spec_file(scratch_dir: Path) -> Path:
    return scratch_dir / "agentwatch.yaml"


@settings(FUZZ)
@given(mutated=mutated_yaml(SEEDS))
def test_load_spec_loads_or_names_the_file_and_field(spec_file: Path, mutated: Mutated) -> None:
    spec_file.write_bytes(mutated.data)
    error: SpecError | None = None
    try:
        spec = load_spec(spec_file)
    except SpecError as refused:
        error = refused
    if error is None:
        assert isinstance(spec, Spec)
    else:
        assert not mutated.intact, f"a valid file was refused: {error}"
        check_spec_error(error, spec_file, mutated)
