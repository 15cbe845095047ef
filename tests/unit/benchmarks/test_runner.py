"""The runner: a module that fails is reported and the others still run, the results file is
written after every module and lists the failures, and the exit status says so."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import benchmarks.__main__ as entry
import pytest
from benchmarks._registry import RESULTS
from benchmarks._report import load
from benchmarks._results import INFORMATIONAL, Result
from benchmarks._runner import describe_run, run_benchmarks
from benchmarks._timing import Stats

from tests.unit.benchmarks.schema import assert_run_file

Module = Callable[[bool], Sequence[Result]]


def _fine(name: str, ran: list[str]) -> Module:
    def run(smoke: bool) -> list[Result]:
        ran.append(name)
        return [Result(f"{name} row", Stats.single(1.0), "s", INFORMATIONAL, f"smoke={smoke}")]

    return run


def _broken(ran: list[str], error: BaseException) -> Module:
    def run(smoke: bool) -> list[Result]:
        ran.append("broken")
        raise error

    return run


def _saved_so_far(output: Path, seen: list[set[str]]) -> Module:
    """A module that looks at the results file while it runs."""

    def run(smoke: bool) -> list[Result]:
        seen.append(set(load(output)["modules"]))
        return []

    return run


def test_a_failing_module_is_reported_and_the_others_still_run(tmp_path: Path) -> None:
    ran: list[str] = []
    said: list[str] = []
    output = tmp_path / "results.json"
    modules = {
        "first": _fine("first", ran),
        "broken": _broken(ran, RuntimeError("broken on purpose")),
        "last": _fine("last", ran),
    }
    run = run_benchmarks(modules, describe_run("test", smoke=True), output, say=said.append)
    assert ran == ["first", "broken", "last"]
    saved = load(output)
    assert saved == run
    assert_run_file(saved)
    assert [row["name"] for row in saved["results"]] == ["first row", "last row"]
    assert [failure["module"] for failure in saved["failed"]] == ["broken"]
    assert "RuntimeError: broken on purpose" in saved["failed"][0]["traceback"]
    assert list(saved["modules"]) == ["first", "broken", "last"]
    assert any("broken on purpose" in line for line in said)


def test_the_file_is_written_after_each_module(tmp_path: Path) -> None:
    ran: list[str] = []
    seen: list[set[str]] = []
    output = tmp_path / "results.json"
    modules = {
        "first": _fine("first", ran),
        "broken": _broken(ran, ValueError("no")),
        "looks": _saved_so_far(output, seen),
    }
    run_benchmarks(modules, describe_run("test", smoke=True), output, say=lambda _: None)
    assert seen == [{"first", "broken"}]


def test_an_interrupt_stops_the_run_and_keeps_what_was_measured(tmp_path: Path) -> None:
    ran: list[str] = []
    output = tmp_path / "results.json"
    modules = {
        "first": _fine("first", ran),
        "interrupted": _broken(ran, KeyboardInterrupt()),
        "never": _fine("never", ran),
    }
    with pytest.raises(KeyboardInterrupt):
        run_benchmarks(modules, describe_run("test", smoke=True), output, say=lambda _: None)
    assert ran == ["first", "broken"]
    assert [row["name"] for row in load(output)["results"]] == ["first row"]


def test_the_exit_status_is_1_when_a_module_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[str] = []
    fakes = {"first": _fine("first", ran), "broken": _broken(ran, RuntimeError("no"))}
    monkeypatch.setattr(entry, "BENCHMARKS", fakes)
    output = tmp_path / "results.json"
    assert entry.main(["--smoke", "--output", str(output)]) == 1
    assert [failure["module"] for failure in load(output)["failed"]] == ["broken"]
    assert entry.main(["--smoke", "--only", "first", "--output", str(output)]) == 0
    saved = load(output)
    assert saved["smoke"]
    assert saved["command"].endswith(f"--smoke --only first --output {output}")


def test_a_smoke_run_never_writes_the_committed_results(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(entry, "BENCHMARKS", {"first": _fine("first", [])})
    before = RESULTS.read_bytes()
    with pytest.raises(SystemExit) as refused:
        entry.main(["--smoke", "--output", str(RESULTS)])
    assert refused.value.code == 2
    assert RESULTS.read_bytes() == before
    assert entry.SMOKE_OUTPUT.resolve() != RESULTS
