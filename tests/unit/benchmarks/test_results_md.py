"""RESULTS.md quotes no figure by hand: its generated section is what results.json renders to."""

from __future__ import annotations

from benchmarks._registry import BENCHMARKS, RESULTS, RESULTS_MD
from benchmarks._report import generated_section, load, render_markdown

from tests.unit.benchmarks.schema import assert_run_file


def test_results_json_is_a_full_run_in_the_current_format() -> None:
    run = load(RESULTS)
    assert_run_file(run)
    assert not run["smoke"], "a smoke run's figures mean nothing: rerun `make bench`"
    assert set(run["modules"]) <= set(BENCHMARKS)


def test_results_md_shows_what_results_json_holds() -> None:
    expected = render_markdown(load(RESULTS), list(BENCHMARKS))
    assert generated_section(RESULTS_MD.read_text(encoding="utf-8")) == expected, (
        "RESULTS.md's generated section differs from results.json: "
        "run `python -m benchmarks --write-markdown`"
    )
