"""Series files whose rows the fuzz target (tests/fuzz/test_series_csv.py) found misread:
lines were counted by str.splitlines(), which also breaks at form feeds and U+2028 and drops
the newline inside a quoted cell."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentwatch.analytics.anomaly._csv import SeriesFileError, read_series


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # A form feed and a line separator are characters of a cell, not line breaks.
        ("timestamp,value\n1,2\x0c3,4\n5,x\n", ":2: expected 2 fields (timestamp,value), got 3"),
        ("timestamp,value\n1,2\u2028\n3,x\n", ":3: value 'x' is not a number"),
        # A quoted cell keeps its newline, and the row is named by the line it starts on.
        ('timestamp,value\n"1\n2",3\n', ":2: timestamp '1\\n2' is neither"),
        ('timestamp,value\r\n\r\n1,2\r\n"3\r\n",x\r\n', ":4: value 'x' is not a number"),
        ("timestamp,value\r1,2\r3,x\r", ":3: value 'x' is not a number"),
        ('timestamp,value\n1,"2\n3,4\n', ":2: malformed CSV: unexpected end of data"),
        # A long cell is quoted short.
        ("timestamp,value\n1," + "x" * 100_000 + "\n", ":2: value 'xxxxxxxx"),
        ("timestamp,value\n1," + "x" * 1_000_000 + "\n", ":2: malformed CSV: field larger"),
    ],
)
def test_rows_are_named_by_the_line_they_start_on(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "in.csv"
    path.write_text(text, newline="")
    with pytest.raises(SeriesFileError) as caught:
        read_series(path)
    assert str(caught.value).startswith(f"{path}{message}"), str(caught.value)
    assert len(str(caught.value)) < len(str(path)) + 200


def test_a_quoted_cell_with_a_comma_is_one_cell(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text('timestamp,value\n"1700000000","2.5"\n1700000001,\n', newline="")
    series = read_series(path)
    assert series.timestamps.tolist() == [1_700_000_000.0, 1_700_000_001.0]
    assert series.value_text == ["2.5", ""]
