"""One backfill segment in a process of its own: ``python -m agentwatch.simulate._worker``.

The parent (``backfill``) writes the pickled segment to stdin; the worker reports its events
as JSON lines on stdout. A plain subprocess rather than multiprocessing: it never re-imports
the parent's ``__main__`` (the CLI), and it is stopped like any other child.
"""

from __future__ import annotations

import json
import pickle
import signal
import sys
import traceback
from pathlib import Path

from ._backfill import Event, Segment, simulate_segment


def _emit(event: Event) -> None:
    sys.stdout.write(json.dumps([str(part) if isinstance(part, Path) else part for part in event]))
    sys.stdout.write("\n")
    sys.stdout.flush()


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    segment: Segment = pickle.load(sys.stdin.buffer)  # from our own parent process
    try:
        simulate_segment(segment, _emit)
    except Exception:
        _emit(("error", f"segment {segment.index}: {traceback.format_exc()}"))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
