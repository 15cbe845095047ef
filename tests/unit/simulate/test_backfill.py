import itertools
import math
from pathlib import Path

import pytest

from agentwatch.simulate._backfill import (
    BLOCK_SECONDS,
    Event,
    Segment,
    _segments,
    simulate_segment,
)
from agentwatch.spec import Spec

from .conftest import PEAK


@pytest.mark.parametrize("workers", [1, 2, 3, 8])
@pytest.mark.parametrize(("hours", "step"), [(7 * 24, 60.0), (5, 45.0), (1, 60.0)])
def test_segments_cover_every_snapshot_once_and_meet_at_block_boundaries(
    workers: int, hours: int, step: float
) -> None:
    finish = math.floor(PEAK / step) * step
    start = finish - hours * 3600
    segments = _segments(
        Spec(), start=start, finish=finish, step=step, faults=(), out=Path("."), workers=workers
    )
    snapshots = [t for s in segments for t in _times(s.first, s.last, step)]
    assert snapshots == _times(start, finish, step)
    assert len(segments) <= workers
    for earlier, later in itertools.pairwise(segments):
        boundary = math.floor(later.first / BLOCK_SECONDS) * BLOCK_SECONDS
        assert earlier.last < boundary <= later.first


def _times(first: float, last: float, step: float) -> list[float]:
    return [first + n * step for n in range(round((last - first) / step) + 1)]


def test_a_segment_reports_chunks_per_block_and_all_its_time(tmp_path: Path) -> None:
    boundary = math.floor(PEAK / BLOCK_SECONDS) * BLOCK_SECONDS
    first = boundary - 600  # ten minutes before a block boundary, to ten minutes after it
    segment = Segment(0, Spec(), first, boundary + 600, 60.0, first, (), tmp_path)
    events: list[Event] = []
    simulate_segment(segment, events.append)
    chunks = [e for e in events if e[0] == "chunk"]
    assert len(chunks) == 2  # the end of one block, then the start of the next
    progress = [e[1] for e in events if e[0] == "progress"]
    assert sum(progress) == pytest.approx(1200)  # type: ignore[arg-type]
    assert events[-1][0] == "done"
    for _, path, samples, size in chunks:
        assert isinstance(path, Path)
        text = path.read_text()
        assert text.endswith("# EOF\n")
        assert text.count("\n") > samples  # type: ignore[operator]
        assert path.stat().st_size == size
