"""What every row and every results file must hold (benchmarks/RESULTS.md, "How to run")."""

from __future__ import annotations

from benchmarks._report import RunFile
from benchmarks._results import Row

__all__ = ["assert_row", "assert_run_file"]


def _figure(value: object) -> bool:
    """A number, or None for a figure not measured; never a bool passing for one."""
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def assert_row(row: Row) -> None:
    assert set(row) == Row.__required_keys__, f"keys of {row.get('name')!r}: {sorted(row)}"
    for key in ("module", "name", "unit", "target", "notes"):
        assert isinstance(row[key], str), (key, row)
    assert row["name"], row
    assert row["target"], row
    assert _figure(row["ours"]), row
    assert _figure(row["ratio"]), row
    assert row["met"] in (True, False, None), row
    peer, spread = row["peer"], row["spread"]
    assert peer is None or (set(peer) == {"name", "figure"} and _figure(peer["figure"])), row
    assert set(spread) == {"runs", "ours", "peer"}, row
    assert isinstance(spread["runs"], int), row
    assert spread["runs"] >= 1, row
    assert len(spread["ours"]) == 2, row
    assert all(_figure(v) for v in spread["ours"]), row
    # A peer has a range; no peer, no range.
    assert (spread["peer"] is None) == (peer is None), row
    assert spread["peer"] is None or len(spread["peer"]) == 2, row


def assert_run_file(run: RunFile) -> None:
    assert set(run) == RunFile.__required_keys__, sorted(run)
    assert isinstance(run["date"], str), run["date"]
    assert run["date"], run["date"]
    assert run["commit"] is None or isinstance(run["commit"], str)
    assert isinstance(run["command"], str)
    assert isinstance(run["seconds"], int | float)
    assert set(run["machine"]) == {"cpus", "cpu_model", "python"}
    assert all(f["traceback"] for f in run["failed"]), run["failed"]
    # A failed module still says how long it ran before it failed.
    assert {f["module"] for f in run["failed"]} <= set(run["modules"])
    for row in run["results"]:
        assert_row(row)
        assert row["module"] in run["modules"], row["module"]
