"""`agentwatch check DIR`: a generated monitoring tree judged by the real tools."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from agentwatch.generate.promql import known_series, metric_names
from agentwatch.generate.tree import (
    ALERTMANAGER_CONFIG,
    COMPOSE_FILE,
    PROMETHEUS_CONFIG,
    RULE_TESTS_DIR,
    RULES_DIR,
)
from agentwatch.spec import Spec

from ._binaries import Binaries
from ._tools import CheckResult, run_tool

__all__ = ["COMPOSE_FILE", "check_metric_names", "check_tree"]


def _load_rule_file(path: Path, shown: str) -> tuple[list[tuple[str, str, str]], list[str]]:
    """The rules of one file as (field path, "alert X" / "record Y", expr), and the problems
    that kept some of it from being read. Shape errors are reported rather than raised: promtool
    judges the shape in its own row, this check must just not crash on it."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return [], [f"{shown}: cannot be read as YAML: {exc}"]
    if document is None:
        return [], []  # An empty rule file is valid for promtool too.
    groups = document.get("groups") if isinstance(document, dict) else None
    if not isinstance(groups, list):
        return [], [f"{shown}: groups: expected a list of rule groups"]
    rules: list[tuple[str, str, str]] = []
    problems: list[str] = []
    for i, group in enumerate(groups):
        group_rules = group.get("rules") if isinstance(group, dict) else None
        if not isinstance(group_rules, list):
            problems.append(f"{shown}: groups[{i}].rules: expected a list of rules")
            continue
        for j, rule in enumerate(group_rules):
            field = f"groups[{i}].rules[{j}]"
            if not isinstance(rule, dict):
                problems.append(f"{shown}: {field}: expected a mapping")
                continue
            kind = "alert" if "alert" in rule else "record"
            label = f"{kind} {rule.get(kind)}"
            expr = rule.get("expr")
            if not isinstance(expr, str):
                problems.append(f"{shown}: {field} ({label}): expr: expected a PromQL string")
                continue
            rules.append((field, label, expr))
    return rules, problems


def check_metric_names(root: Path, rule_files: list[Path], spec: Spec) -> CheckResult:
    """Every series the rule files read exists: promtool accepts a misspelt metric name as
    valid PromQL, and such a rule then never fires."""
    shown = [str(path.relative_to(root)) for path in rule_files]
    loaded = [_load_rule_file(path, name) for path, name in zip(rule_files, shown, strict=True)]
    known = known_series(spec)
    # A user's own recording rule in the tree defines a series as surely as the generated ones;
    # without this, alerting on it would be reported as unknown.
    known |= {
        label.removeprefix("record ")
        for rules, _ in loaded
        for _, label, _ in rules
        if label.startswith("record ")
    }
    problems: list[str] = []
    for name, (rules, unreadable) in zip(shown, loaded, strict=True):
        problems.extend(unreadable)
        for field, label, expr in rules:
            problems.extend(
                f"{name}: {field} ({label}): unknown metric {metric}"
                for metric in sorted(metric_names(expr) - known)
            )
    return CheckResult(
        "metric names", ("agentwatch", "metric-names", *shown), not problems, "\n".join(problems)
    )


def check_tree(root: Path, binaries: Binaries, spec: Spec) -> list[CheckResult]:
    """Every check that applies to the files present under ``root``, in a stable order.

    ``spec`` is the one the tree was generated from: it decides which series exist.
    """
    promtool, amtool = str(binaries.promtool), str(binaries.amtool)
    results = []
    if (root / PROMETHEUS_CONFIG).is_file():
        # Also loads every rule file the config's rule_files globs select.
        results.append(
            run_tool("Prometheus config", [promtool, "check", "config", PROMETHEUS_CONFIG], root)
        )
    for shard_config in sorted((root / "prometheus").glob("prometheus-shard-*.yml")):
        name = str(shard_config.relative_to(root))
        results.append(
            run_tool(
                f"Prometheus config {shard_config.name}", [promtool, "check", "config", name], root
            )
        )
    rules = sorted((root / RULES_DIR).glob("*.yml"))
    if rules:
        relative = [str(path.relative_to(root)) for path in rules]
        results.append(run_tool("rule files", [promtool, "check", "rules", *relative], root))
        results.append(check_metric_names(root, rules, spec))
    tests = sorted((root / RULE_TESTS_DIR).glob("*.yml"))
    for test in tests:
        results.append(
            run_tool(f"rule tests {test.name}", [promtool, "test", "rules", test.name], test.parent)
        )
    if (root / ALERTMANAGER_CONFIG).is_file():
        results.append(
            run_tool("Alertmanager config", [amtool, "check-config", ALERTMANAGER_CONFIG], root)
        )
    if (root / COMPOSE_FILE).is_file():
        compose = shutil.which("docker-compose")
        if compose is None:
            results.append(
                CheckResult(
                    "compose file",
                    ("docker-compose",),
                    False,
                    "docker-compose is not installed (Debian package docker-compose)",
                )
            )
        else:
            results.append(
                run_tool("compose file", [compose, "-f", COMPOSE_FILE, "config", "-q"], root)
            )
    return results
