"""A tiny end-to-end round trip: simulate, label, fit, evaluate, save, load; and the CLI."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from agentwatch.analytics.failure import (
    HORIZON_SECONDS,
    Failure,
    Scenario,
    ScenarioData,
    Split,
    build_datasets,
    evaluate_scores,
    fit,
    label_rows,
    load_model,
    make_scenarios,
    save_model,
    scores,
)
from agentwatch.cli import app

# Night (03:00 UTC): light load, so these short runs simulate quickly.
NIGHT = 1_700_438_400.0 + 3 * 3600
LEAKS = (("optimizer-0", 2.0), ("linter-1", 1.4), ("web-0", 1.0))


def _scenario(number: int) -> Scenario:
    agent, rate = LEAKS[number]
    faults: tuple[str, ...] = (f"memory_leak:agent={agent}:at=30s:for=1h:rate={rate}",)
    if number == 2:
        faults += ("crash:agent=docgen-0:at=5m:for=1m",)
    # 24 minutes: the first 9 are scored, the last 15 only say who failed.
    return Scenario(f"tiny-{number}", 500 + number, NIGHT, 24.0, 60.0, faults)


@pytest.fixture(scope="module")
def datasets() -> list[ScenarioData]:
    return build_datasets([_scenario(n) for n in range(3)], workers=1)


def test_labels_mark_the_horizon_before_each_oom_kill_only() -> None:
    times = np.arange(0.0, 3600.0, 15.0)
    failures = [Failure(0, 1800.0, oom=True), Failure(1, 1800.0, oom=False)]
    labels = label_rows(times, 2, failures, HORIZON_SECONDS)
    assert labels[:, 0].sum() == HORIZON_SECONDS / 15
    assert labels[(times >= 900) & (times < 1800), 0].all()
    assert not labels[times >= 1800, 0].any()
    assert not labels[:, 1].any()  # a crash has no precursor: not a target


def test_round_trip_fit_evaluate_save_load(datasets: list[ScenarioData], tmp_path: Path) -> None:
    assert all(any(f.oom and f.at <= d.scored_until for f in d.failures) for d in datasets)
    assert any(not f.oom for f in datasets[2].failures)
    model = fit(datasets[:2], "hist_gradient_boosting")
    metrics = evaluate_scores("tiny", datasets[2:], scores(model, datasets[2:]))
    assert metrics.failures >= 1
    assert metrics.crashes == 1
    assert 0 <= metrics.detected <= metrics.failures
    assert 0 <= metrics.true_alarms <= metrics.alarms
    assert len(metrics.lead_minutes) == metrics.detected
    assert all(0 < lead <= HORIZON_SECONDS / 60 for lead in metrics.lead_minutes)
    save_model(model, tmp_path)
    loaded = load_model(tmp_path)
    features = datasets[2].features[datasets[2].scored]
    np.testing.assert_array_equal(loaded.score(features), model.score(features))


def test_a_perfect_score_is_graded_perfect_and_a_silent_one_zero(
    datasets: list[ScenarioData],
) -> None:
    oracle = [np.where(d.labels, 100.0, 0.0) for d in datasets]
    perfect = evaluate_scores("oracle", datasets, oracle)
    assert perfect.failures > 0
    assert perfect.recall == 1.0
    assert perfect.precision == 1.0
    # The oracle warns as early as the horizon allows: H before the failure, or from the
    # first row the agent was up (a fast leak kills it sooner than H after a (re)start).
    expected = []
    for data in datasets:
        for failure in data.failures:
            if failure.oom and failure.at <= data.scored_until:
                window = (data.times >= failure.at - HORIZON_SECONDS) & (data.times < failure.at)
                first = data.times[window & data.scored[:, failure.agent]][0]
                expected.append((failure.at - first) / 60)
    assert sorted(perfect.lead_minutes) == pytest.approx(sorted(expected))
    silent = evaluate_scores("silent", datasets, [np.zeros(d.labels.shape) for d in datasets])
    assert silent.recall == 0.0
    assert silent.alarms == 0
    assert math.isnan(silent.precision)


def test_scenarios_are_deterministic_and_splits_disjoint() -> None:
    assert make_scenarios(Split.TRAIN, 4) == make_scenarios(Split.TRAIN, 4)
    train, test = make_scenarios(Split.TRAIN, 12), make_scenarios(Split.TEST, 6)
    assert not {s.seed for s in train} & {s.seed for s in test}

    def targets(scenarios: list[Scenario]) -> set[str]:
        return {
            part.removeprefix("agent=").rsplit("-", 1)[0]
            for s in scenarios
            for fault in s.faults
            for part in fault.split(":")
            if part.startswith("agent=")
        }

    assert targets(train)
    assert targets(test)
    assert not targets(train) & targets(test)


runner = CliRunner()


def test_cli_evaluate_prints_the_table_for_the_shipped_model() -> None:
    result = runner.invoke(
        app,
        ["analytics", "evaluate", "--test-scenarios", "1", "--minutes", "20", "--workers", "1"],
    )
    assert result.exit_code == 0, result.output
    assert "precision" in result.output
    assert "baseline:" in result.output
    assert "model:" in result.output


def test_cli_evaluate_without_a_model_is_a_runtime_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["analytics", "evaluate", "--model", str(tmp_path)])
    assert result.exit_code == 1
    assert "agentwatch analytics train" in result.output


def test_cli_rejects_bad_arguments() -> None:
    result = runner.invoke(app, ["analytics", "train", "--train-scenarios", "0"])
    assert result.exit_code == 2
