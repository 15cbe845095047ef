"""Series files for ``agentwatch anomaly score``: read ``timestamp,value``, write the scores.

Input: UTF-8 CSV whose header is ``timestamp,value``. A timestamp is Unix seconds (``1700000000``
or ``1700000000.5``) or ISO 8601 (``2026-11-23T17:52:06Z``, ``2026-11-23 17:52:06+01:00``;
no offset means UTC); forms may be mixed, but times must increase strictly. A value is a
decimal number; ``NaN``, ``Inf``, ``-Inf`` and an empty cell are accepted as "no usable value"
(not scored). Blank lines are skipped. Anything else is a ``SeriesFileError`` naming the file,
the line and what was wrong.
"""

from __future__ import annotations

import csv
import io
import math
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

__all__ = ["HEADER", "OUTPUT_HEADER", "Series", "SeriesFileError", "read_series", "write_scores"]

HEADER = ("timestamp", "value")
OUTPUT_HEADER = ("timestamp", "value", "anomaly_score")


class SeriesFileError(ValueError):
    """A series file that cannot be used; the message is ``file:line: what was wrong``."""


@dataclass(frozen=True, slots=True)
class Series:
    timestamps: NDArray[np.float64]
    values: NDArray[np.float64]
    # The cells as written, so the output repeats the input exactly.
    timestamp_text: list[str]
    value_text: list[str]


def _timestamp(text: str) -> float | None:
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) else None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _shown(cell: str) -> str:
    """A cell quoted in a message, cut short: a hostile file's cell may be megabytes long."""
    text = repr(cell)
    return text if len(text) <= 80 else text[:77] + "..."


def _value(text: str) -> float | None:
    if not text:
        return math.nan
    try:
        return float(text)
    except ValueError:
        return None


def read_series(path: Path) -> Series:
    """The series in ``path``; SeriesFileError if it cannot be read or is malformed."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return _parse(path, handle.read())
    except UnicodeDecodeError as exc:
        raise SeriesFileError(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
    except OSError as exc:
        raise SeriesFileError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _parse(path: Path, text: str) -> Series:
    # The csv module splits lines itself (\n, \r\n, \r), keeping a quoted cell's newlines
    # in the cell: str.splitlines() would also split at form feeds and U+2028, and so count
    # lines an editor does not, and would drop the newline inside a quoted cell.
    rows = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    times: list[float] = []
    values: list[float] = []
    time_text: list[str] = []
    value_text: list[str] = []
    previous_line = 0
    # The first line of the row being read: a quoted cell may carry it over several lines.
    line = 1
    try:
        for row in rows:
            row_line, line = line, rows.line_num + 1
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            if header is None:
                header = [cell.lower() for cell in cells]
                if tuple(header) != HEADER:
                    raise SeriesFileError(
                        f"{path}:{row_line}: expected the header 'timestamp,value', "
                        f"got {_shown(','.join(cells))}"
                    )
                continue
            if len(cells) != 2:
                raise SeriesFileError(
                    f"{path}:{row_line}: expected 2 fields (timestamp,value), got {len(cells)}"
                )
            stamp = _timestamp(cells[0])
            if stamp is None:
                raise SeriesFileError(
                    f"{path}:{row_line}: timestamp {_shown(cells[0])} is neither Unix seconds "
                    "nor an ISO 8601 time"
                )
            if times and stamp <= times[-1]:
                raise SeriesFileError(
                    f"{path}:{row_line}: timestamp {_shown(cells[0])} is not after the previous "
                    f"one ({_shown(time_text[-1])}, line {previous_line}); times must increase"
                )
            value = _value(cells[1])
            if value is None:
                raise SeriesFileError(
                    f"{path}:{row_line}: value {_shown(cells[1])} is not a number"
                )
            times.append(stamp)
            values.append(value)
            time_text.append(cells[0])
            value_text.append(cells[1])
            previous_line = row_line
    except csv.Error as exc:
        raise SeriesFileError(f"{path}:{line}: malformed CSV: {exc}") from None
    if header is None:
        raise SeriesFileError(f"{path}: empty file; expected the header 'timestamp,value'")
    if not times:
        raise SeriesFileError(f"{path}: no data rows after the header")
    return Series(np.asarray(times), np.asarray(values), time_text, value_text)


def _score_text(score: float) -> str:
    return "" if math.isnan(score) else f"{score:.6f}"


def write_scores(path: Path, series: Series, scores: NDArray[np.float64]) -> None:
    """Write ``timestamp,value,anomaly_score`` to ``path`` all at once: a temporary file in
    the same directory renamed over it, so a failure leaves no half-written file. OSError
    propagates."""
    temporary: Path | None = None
    try:
        with tempfile.NamedTemporaryFile(
            "w",
            newline="",
            encoding="utf-8",
            dir=path.parent,
            prefix=f".{path.name}.",
            suffix=".tmp",
            delete=False,
        ) as handle:
            temporary = Path(handle.name)
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(OUTPUT_HEADER)
            for stamp, value, score in zip(
                series.timestamp_text, series.value_text, scores.tolist(), strict=True
            ):
                writer.writerow((stamp, value, _score_text(score)))
        # NamedTemporaryFile is private to its owner; the result is an ordinary file.
        temporary.chmod(0o644)
        temporary.replace(path)
    except BaseException:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise
