"""agentwatch survey and agentwatch framework serve / agents rank: what they refuse, with exit 2,
and what the survey keeps."""

from pathlib import Path

from typer.testing import CliRunner

from agentwatch.cli import app
from agentwatch.exporters._survey import SurveyLog

runner = CliRunner()


def test_survey_answers_are_kept_in_the_home_and_averaged(tmp_path: Path) -> None:
    for score in ("5", "3"):
        result = runner.invoke(app, ["survey", "record", score, "--home", str(tmp_path)])
        assert result.exit_code == 0, result.output
    assert "2 answers, mean 4.00" in result.output
    shown = runner.invoke(app, ["survey", "show", "--home", str(tmp_path)])
    assert "2 answers, mean 4.00 of 5 (75/100)" in shown.output
    assert [r.score for r in SurveyLog(tmp_path).recent()] == [5, 3]


def test_a_score_outside_1_to_5_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    result = runner.invoke(app, ["survey", "record", "6", "--home", str(tmp_path)])
    assert result.exit_code == 2
    assert "1 to 5, not 6" in result.output
    assert not SurveyLog(tmp_path).path.exists()


def test_a_hand_broken_survey_line_is_skipped_and_counted(tmp_path: Path) -> None:
    log = SurveyLog(tmp_path)
    log.record(4)
    with log.path.open("a") as out:
        out.write("{not json\n")
        out.write('{"time": 1, "score": 9}\n')
    assert [r.score for r in log.responses()] == [4]
    assert log.unreadable_lines == 2


def test_serve_refuses_a_path_that_is_not_a_directory(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = runner.invoke(app, ["framework", "serve", "--path", str(missing)])
    assert result.exit_code == 2
    assert "not a directory" in result.output


def test_rank_refuses_a_window_that_is_no_duration() -> None:
    result = runner.invoke(app, ["agents", "rank", "--window", "soon"])
    assert result.exit_code == 2
    assert "--window" in result.output


def test_rank_names_an_unreachable_prometheus() -> None:
    result = runner.invoke(
        app, ["agents", "rank", "--prometheus", "http://127.0.0.1:9", "--window", "1m"]
    )
    assert result.exit_code == 1
    assert "127.0.0.1:9" in result.output
