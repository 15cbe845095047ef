"""agentwatch anomaly score: CSV in, CSV out, bad input named by file and line."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from agentwatch.analytics.anomaly import StreamingDetector
from agentwatch.cli import app

runner = CliRunner()


def _score(tmp_path: Path, text: str, *extra: str) -> tuple[int, str, Path]:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(text, encoding="utf-8")
    result = runner.invoke(
        app, ["anomaly", "score", "--input", str(source), "--output", str(target), *extra]
    )
    return result.exit_code, result.output, target


def _series(n: int) -> tuple[list[float], list[float]]:
    rng = np.random.default_rng(5)
    values = rng.normal(50.0, 2.0, n)
    values[n - 10] = 500.0
    return [1_700_000_000.0 + 15 * i for i in range(n)], values.tolist()


def test_scores_match_the_library_and_summary_counts(tmp_path: Path) -> None:
    times, values = _series(120)
    values[40] = float("nan")
    lines = ["timestamp,value", *(f"{t:.0f},{v!r}" for t, v in zip(times, values, strict=True))]
    code, output, target = _score(tmp_path, "\n".join(lines) + "\n")
    assert code == 0, output
    rows = list(csv.reader(target.read_text().splitlines()))
    assert rows[0] == ["timestamp", "value", "anomaly_score"]
    assert [r[0] for r in rows[1:]] == [f"{t:.0f}" for t in times]
    expected = StreamingDetector().score_series(times, values)
    got = [float(r[2]) if r[2] else float("nan") for r in rows[1:]]
    assert np.allclose(got, expected, atol=1e-6, equal_nan=True)
    assert rows[41][2] == ""  # NaN: no score
    anomalous = int((expected >= 0.5).sum())
    assert anomalous >= 1
    assert f"120 points: {anomalous} anomalous" in output
    assert "20 warm-up" in output
    assert "1 not numbers" in output


def test_iso_timestamps_and_mixed_forms(tmp_path: Path) -> None:
    text = "timestamp,value\n2026-11-23T10:00:00Z,1\n2026-11-23 10:00:15+00:00,2\n1795428030,3\n"
    code, output, target = _score(tmp_path, text)
    assert code == 0, output
    assert target.read_text().splitlines()[1] == "2026-11-23T10:00:00Z,1,0.000000"
    assert "too little history" in output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("timestamp,value\n1,2\n2,abc\n", "in.csv:3: value 'abc' is not a number"),
        ("timestamp,value\n1,2\nyesterday,3\n", "in.csv:3: timestamp 'yesterday' is neither"),
        ("timestamp,value\n1,2\n3,4\n2,5\n", "in.csv:4: timestamp '2' is not after"),
        ("timestamp,value\n1,2,3\n", "in.csv:2: expected 2 fields"),
        ("time,val\n1,2\n", "in.csv:1: expected the header 'timestamp,value'"),
        ("", "in.csv: empty file"),
        ("timestamp,value\n\n", "in.csv: no data rows"),
        ("timestamp,value\n1,inf\nnan,2\n", "in.csv:3: timestamp 'nan' is neither"),
        ('timestamp,value\n1,"2\n', "in.csv:2: malformed CSV: unexpected end of data"),
    ],
    ids=[
        "value",
        "timestamp",
        "order",
        "fields",
        "header",
        "empty",
        "no-rows",
        "nan-time",
        "quote",
    ],
)
def test_bad_input_exits_2_naming_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    target = tmp_path / "out.csv"
    target.write_text("previous\n")
    code, output, _ = _score(tmp_path, text)
    assert code == 2, output
    assert message in " ".join(output.split())
    assert target.read_text() == "previous\n"  # nothing half-written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]


def test_not_utf8_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_bytes(b"timestamp,value\n1,\xff\n")
    result = runner.invoke(
        app,
        ["anomaly", "score", "--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o")],
    )
    assert result.exit_code == 2
    assert "not UTF-8" in result.output
    result = runner.invoke(
        app,
        ["anomaly", "score", "--input", str(tmp_path / "no.csv"), "--output", str(tmp_path / "o")],
    )
    assert result.exit_code == 2
    assert "cannot read" in result.output


def test_bad_options_exit_2(tmp_path: Path) -> None:
    code, output, _ = _score(tmp_path, "timestamp,value\n1,2\n", "--threshold", "1.5")
    assert code == 2
    assert "--threshold" in output
    code, output, _ = _score(tmp_path, "timestamp,value\n1,2\n", "--window", "2")
    assert code == 2
    assert "window" in output
    source = tmp_path / "in.csv"
    result = runner.invoke(
        app,
        ["anomaly", "score", "--input", str(source), "--output", str(tmp_path / "x" / "o.csv")],
    )
    assert result.exit_code == 2
    assert "no directory" in result.output


def test_output_leaves_no_temporary_files(tmp_path: Path) -> None:
    times, values = _series(40)
    text = "timestamp,value\n" + "".join(f"{t},{v}\n" for t, v in zip(times, values, strict=True))
    code, output, target = _score(tmp_path, text)
    assert code == 0, output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]
    assert len(target.read_text().splitlines()) == 41
