"""The code_quality gate's inputs: results files that real tools wrote into the framework
directory. JUnit XML (tests passed), Cobertura coverage.xml (lines covered), and ruff,
flake8-json or eslint JSON lint reports (files without findings). Nothing found: the part
is not measured; nothing is ever assumed."""

from __future__ import annotations

import contextlib
import json
import xml.etree.ElementTree as ET  # expat >= 2.4 refuses entity-expansion bombs
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._model import FileProblem, ProblemKind, ReportPart

__all__ = ["CodeQuality", "read_reports"]


@dataclass(frozen=True, slots=True)
class CodeQuality:
    parts: tuple[ReportPart, ...]
    problems: tuple[FileProblem, ...]

    @property
    def score(self) -> float | None:
        """The mean of the measured parts."""
        measured = [p.score for p in self.parts if p.score is not None]
        return sum(measured) / len(measured) if measured else None


def _bad(rel: str, message: str, line: int | None = None) -> FileProblem:
    return FileProblem(rel, ProblemKind.BAD_REPORT, message, line)


def _parse_xml(root: Path, rel: str, limit: int) -> tuple[ET.Element | None, FileProblem | None]:
    path = root / rel
    try:
        if path.stat().st_size > limit:
            return None, _bad(rel, f"larger than {limit} bytes; not read")
        return ET.parse(path).getroot(), None
    except ET.ParseError as exc:
        return None, _bad(rel, f"not well-formed XML: {exc}", exc.position[0])
    except OSError as exc:
        return None, FileProblem(rel, ProblemKind.UNREADABLE, f"cannot read: {exc.strerror or exc}")


def _tests(root: Path, files: Sequence[str], limit: int) -> tuple[ReportPart, list[FileProblem]]:
    problems: list[FileProblem] = []
    run = passed = skipped = 0
    used: list[str] = []
    for rel in files:
        element, problem = _parse_xml(root, rel, limit)
        if element is None:
            if problem is not None:
                problems.append(problem)
            continue
        if element.tag not in ("testsuites", "testsuite"):
            problems.append(_bad(rel, f"not a JUnit report: root element <{element.tag}>"))
            continue
        used.append(rel)
        for case in element.iter("testcase"):
            outcomes = {child.tag for child in case}
            if "skipped" in outcomes:
                skipped += 1
                continue
            run += 1
            passed += not outcomes & {"failure", "error"}
    if not run:
        why = "no JUnit report found" if not used else "the JUnit reports hold no test that ran"
        return ReportPart("tests", None, why, tuple(used)), problems
    detail = f"{passed} of {run} tests passed ({skipped} skipped, not counted)"
    return ReportPart("tests", passed / run, detail, tuple(used)), problems


def _coverage(root: Path, files: Sequence[str], limit: int) -> tuple[ReportPart, list[FileProblem]]:
    problems: list[FileProblem] = []
    counted: list[tuple[int, int]] = []
    rates: list[float] = []
    used: list[str] = []
    for rel in files:
        element, problem = _parse_xml(root, rel, limit)
        if element is None:
            if problem is not None:
                problems.append(problem)
            continue
        try:
            rate = float(element.attrib["line-rate"])
            if element.tag != "coverage" or not 0 <= rate <= 1:
                raise ValueError
        except (KeyError, ValueError):
            problems.append(_bad(rel, "not a Cobertura coverage report (<coverage line-rate=...>)"))
            continue
        used.append(rel)
        rates.append(rate)
        with contextlib.suppress(KeyError, ValueError):
            counted.append(
                (int(element.attrib["lines-covered"]), int(element.attrib["lines-valid"]))
            )
    if not used:
        return ReportPart("coverage", None, "no coverage report found"), problems
    covered, valid = sum(c for c, _ in counted), sum(v for _, v in counted)
    if len(counted) == len(used) and valid > 0:
        return ReportPart(
            "coverage", covered / valid, f"{covered} of {valid} lines covered", tuple(used)
        ), problems
    mean = sum(rates) / len(rates)
    return ReportPart(
        "coverage", mean, f"line rate {mean:.1%} (mean of {len(rates)} reports)", tuple(used)
    ), problems


def _relative(root: Path, name: str) -> str:
    path = Path(name)
    if path.is_absolute():
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return name
    return Path(name).as_posix().removeprefix("./")


def _lint_counts(root: Path, data: Any, sources: Sequence[str]) -> tuple[int, int] | None:
    """(clean files, linted files), or None when ``data`` is no lint report we know."""
    if isinstance(data, list) and all(isinstance(d, dict) for d in data):
        if data and all("filePath" in d and isinstance(d.get("messages"), list) for d in data):
            # eslint: one entry per linted file, clean or not.
            return sum(not d["messages"] for d in data), len(data)
        if all("filename" in d for d in data):
            # A ruff report has one entry per finding; the linted files are the sources.
            dirty = {_relative(root, str(d["filename"])) for d in data}
            linted = dirty | set(sources)
            return len(linted - dirty), len(linted)
        return None
    if isinstance(data, dict) and all(isinstance(v, list) for v in data.values()):
        # flake8-json: file name -> its findings.
        dirty = {_relative(root, str(k)) for k, v in data.items() if v}
        linted = dirty | {_relative(root, str(k)) for k in data} | set(sources)
        return len(linted - dirty), len(linted)
    return None


def _lint(
    root: Path, files: Sequence[str], sources: Sequence[str], limit: int
) -> tuple[ReportPart, list[FileProblem]]:
    problems: list[FileProblem] = []
    clean = linted = 0
    used: list[str] = []
    for rel in files:
        try:
            if (root / rel).stat().st_size > limit:
                problems.append(_bad(rel, f"larger than {limit} bytes; not read"))
                continue
            data = json.loads((root / rel).read_text(encoding="utf-8"))
        except OSError as exc:
            problems.append(
                FileProblem(rel, ProblemKind.UNREADABLE, f"cannot read: {exc.strerror or exc}")
            )
            continue
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            line = getattr(exc, "lineno", None)
            problems.append(_bad(rel, f"not JSON: {exc}", line))
            continue
        counts = _lint_counts(root, data, sources)
        if counts is None:
            problems.append(_bad(rel, "not a ruff, flake8-json or eslint JSON report"))
            continue
        used.append(rel)
        clean += counts[0]
        linted += counts[1]
    if not linted:
        why = "no lint report found" if not used else "the lint reports cover no file"
        return ReportPart("lint", None, why, tuple(used)), problems
    return ReportPart(
        "lint", clean / linted, f"{clean} of {linted} linted files without findings", tuple(used)
    ), problems


def read_reports(
    root: Path,
    *,
    junit: Sequence[str],
    coverage: Sequence[str],
    lint: Sequence[str],
    lint_sources: Sequence[str],
    max_bytes: int,
) -> CodeQuality:
    """The code quality parts from the report files found (relative paths under ``root``)."""
    tests, p1 = _tests(root, junit, max_bytes)
    cover, p2 = _coverage(root, coverage, max_bytes)
    lints, p3 = _lint(root, lint, lint_sources, max_bytes)
    return CodeQuality((tests, cover, lints), tuple(p1 + p2 + p3))
