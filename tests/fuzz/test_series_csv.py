"""Fuzzing ``read_series`` (the CSV of ``agentwatch anomaly score``).

Each input is a valid series written in any of the forms the format allows (Unix seconds or ISO
8601 times, any mix of \\n, \\r\\n and \\r, a BOM, blank lines, padded and quoted cells), then
possibly damaged: one row broken in a known way (a field too many or too few, a time that is
not one or does not increase, a value that is not a number, a stray quote), or the bytes
damaged blindly (truncation, noise, invalid UTF-8, UTF-16). A valid file reads back exactly
the numbers written; a broken row is refused by a SeriesFileError naming the file and the line
the row starts on; anything else is read or refused naming the file, never another exception.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentwatch.analytics.anomaly._csv import SeriesFileError, read_series
from tests.hypothesis_profiles import FUZZ

_INDEX = st.integers(0, 2**24)
_START = st.one_of(st.integers(0, 2_000_000_000), st.integers(1_600_000_000, 1_900_000_000))
_SEED = st.integers(0, 2**64 - 1)
_VALUE_FLOAT = st.floats(allow_nan=False, allow_infinity=False, width=64)
_NEWLINE = st.sampled_from(["\n", "\r\n", "\r"])
_HEADER = st.sampled_from(
    ["timestamp,value", "Timestamp,Value", " timestamp , value ", "TIMESTAMP,VALUE"]
)
_ROW_DAMAGE = st.sampled_from(
    [
        "extra field",
        "missing field",
        "bad time",
        "repeated time",
        "earlier time",
        "bad value",
        "stray quote",
        "unclosed quote",
    ]
)
_BAD_TIME = st.sampled_from(
    [
        "yesterday",
        "nan",
        "inf",
        "-inf",
        "1e999",
        "2026-13-01T00:00:00Z",
        "2026-02-30",
        "0x10",
        "1,5",
    ]
)
_BAD_VALUE = st.sampled_from(["abc", "1..2", "0x10", "1e", "--1", "1 2", "\x00", "½", "1\u20282"])
_BLIND_DAMAGE = st.sampled_from(
    ["truncate", "noise", "bad byte", "utf-16", "nul", "line separators"]
)
_NOISE = st.one_of(st.text(max_size=8), st.sampled_from(['"', ",", "\r", "\n", "\x00", "\ufeff"]))
_BAD_BYTES = st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf"])


@dataclass
class Written:
    data: bytes = b""
    times: list[float] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    # The line a broken row starts on, when one row was broken on purpose.
    broken_line: int | None = None
    # Bytes damaged blindly: anything may happen but a crash.
    blind: bool = False
    steps: list[str] = field(default_factory=list)


def _stamp_text(seconds: int, form: str, offset_minutes: int) -> str:
    moment = datetime.fromtimestamp(seconds, UTC)
    if form == "int":
        return str(seconds)
    if form == "float":
        return f"{seconds}.0"
    if form == "iso Z":
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if form == "iso offset":
        zone = timezone(timedelta(minutes=offset_minutes))
        return moment.astimezone(zone).isoformat()
    if form == "iso naive":
        return moment.strftime("%Y-%m-%dT%H:%M:%S")
    return moment.strftime("%Y-%m-%d %H:%M:%S+00:00")


def _value_text(value: float | int | str) -> tuple[str, float]:
    if isinstance(value, str):
        return value, math.nan if value == "" else float(value)
    return repr(value), float(value)


_STAMP_FORMS = ["int", "float", "iso Z", "iso offset", "iso naive", "iso space"]
_SPECIAL_VALUES = ["", "NaN", "nan", "Inf", "-Inf", "inf", "1e3", "-0", ".5", "5.", "1e308"]
_PADS = ["", "", "", " ", "  ", "\t"]


def _row_value(rnd: random.Random, drawn: float) -> float | int | str:
    kind = rnd.randrange(4)
    if kind == 0:
        return rnd.choice(_SPECIAL_VALUES)
    if kind == 1:
        return rnd.randint(-(10**12), 10**12)
    return drawn if kind == 2 else rnd.uniform(-1e6, 1e6)


@st.composite
def written_series(draw: st.DrawFn) -> Written:
    data = draw(st.data())
    written = Written()
    # The rows' many small choices come from a Random seeded by the input: a Hypothesis draw
    # for each would cost more than the reading under test. Hypothesis draws what it is good
    # at: the start, one value, and the damage.
    rnd = random.Random(draw(_SEED))
    count = rnd.randint(1, 25)
    seconds = draw(_START)
    drawn = draw(_VALUE_FLOAT)
    rows: list[tuple[str, str]] = []
    for _ in range(count):
        seconds += rnd.choice([1, 60, 3600, rnd.randint(1, 86_400)])
        form = rnd.choice(_STAMP_FORMS)
        text, value = _value_text(_row_value(rnd, drawn))
        rows.append((_stamp_text(seconds, form, rnd.randint(-23 * 60, 23 * 60)), text))
        written.times.append(float(seconds))
        written.values.append(value)
    # Lines: the header, then rows with blank lines here and there.
    lines: list[str] = [draw(_HEADER)]
    row_lines: list[int] = []
    for stamp, number in rows:
        while rnd.randrange(8) == 0:
            lines.append(rnd.choice(_PADS))
        quote = rnd.randrange(6) == 0
        cells = [
            f'"{cell}"' if quote else f"{rnd.choice(_PADS)}{cell}{rnd.choice(_PADS)}"
            for cell in (stamp, number)
        ]
        lines.append(",".join(cells))
        row_lines.append(len(lines))
    if draw(st.booleans()):
        broken = draw(_INDEX) % count
        lines[row_lines[broken] - 1] = _break_row(data, rows, broken, written)
        written.broken_line = row_lines[broken]
    newline = draw(_NEWLINE)
    text = newline.join(lines) + (newline if draw(st.booleans()) else "")
    if draw(st.integers(0, 9)) == 0:
        text = "\ufeff" + text
        written.steps.append("BOM")
    raw = text.encode("utf-8")
    if draw(st.integers(0, 4)) == 0:
        raw = _damage_blindly(data, text, written)
    written.data = raw
    return written


def _break_row(
    data: st.DataObject, rows: list[tuple[str, str]], index: int, written: Written
) -> str:
    stamp, value = rows[index]
    how = data.draw(_ROW_DAMAGE)
    written.steps.append(f"row {index}: {how}")
    if how == "extra field":
        return f"{stamp},{value},{value}"
    if how == "missing field":
        return stamp
    if how == "bad time":
        bad = data.draw(_BAD_TIME)
        return f'"{bad}",{value}' if "," in bad else f"{bad},{value}"
    if how in ("repeated time", "earlier time"):
        if index == 0:
            # Nothing before it: break it otherwise.
            return f"{stamp},{data.draw(_BAD_VALUE)}x"
        previous = int(written.times[index - 1]) - (0 if how == "repeated time" else 1)
        return f"{previous},{value}"
    if how == "bad value":
        return f"{stamp},{data.draw(_BAD_VALUE)}x"
    if how == "stray quote":
        return f'{stamp},a"{value}'
    return f'{stamp},"{value}'


def _damage_blindly(data: st.DataObject, text: str, written: Written) -> bytes:
    how = data.draw(_BLIND_DAMAGE)
    written.steps.append(f"bytes: {how}")
    written.blind = True
    at = data.draw(_INDEX) % (len(text) + 1)
    if how == "truncate":
        return text[:at].encode("utf-8")
    if how == "noise":
        return (text[:at] + data.draw(_NOISE) + text[at:]).encode("utf-8")
    if how == "utf-16":
        return text.encode("utf-16")
    if how == "nul":
        return (text[:at] + "\x00" + text[at:]).encode("utf-8")
    if how == "line separators":
        return text.replace("\n", "\u2028").encode("utf-8")
    raw = text.encode("utf-8")
    return raw[:at] + data.draw(_BAD_BYTES) + raw[at:]


@pytest.fixture(scope="module")
def series_file(scratch_dir: Path) -> Path:
    return scratch_dir / "series.csv"


_LINE = re.compile(r"^:(\d+): ")


@settings(FUZZ)
@given(written=written_series())
def test_read_series_reads_what_was_written_or_names_file_and_line(
    series_file: Path, written: Written
) -> None:
    series_file.write_bytes(written.data)
    error: SeriesFileError | None = None
    try:
        series = read_series(series_file)
    except SeriesFileError as refused:
        error = refused
    if error is not None:
        message = str(error)
        assert message.startswith(f"{series_file}:"), message
        assert "\n" not in message, message
        assert "\r" not in message, message
        assert len(message) < len(str(series_file)) + 400, message
        line = _LINE.match(message.removeprefix(str(series_file)))
        if line is not None:
            physical = re.split(r"\r\n|\r|\n", written.data.decode("utf-8", "replace"))
            assert 1 <= int(line.group(1)) <= max(len(physical), 1), (message, written.steps)
        if not written.blind:
            assert written.broken_line is not None, f"a valid file refused: {message}"
            assert line is not None, message
            assert int(line.group(1)) == written.broken_line, (message, written.steps)
        return
    assert written.blind or written.broken_line is None, f"a broken row read: {written.steps}"
    assert list(series.timestamps) == sorted(set(series.timestamps))
    assert all(math.isfinite(t) for t in series.timestamps)
    if not written.blind:
        assert list(series.timestamps) == written.times
        for got, expected in zip(series.values, written.values, strict=True):
            assert got == expected or (math.isnan(got) and math.isnan(expected))
