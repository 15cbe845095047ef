"""Turning SIGINT, SIGTERM and SIGHUP into an orderly stop instead of an abrupt exit."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterator
from types import FrameType

__all__ = ["on_stop_signals"]

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def on_stop_signals(on_stop: Callable[[], None]) -> Iterator[None]:
    """Route SIGINT/SIGTERM/SIGHUP to ``on_stop`` (which must only set flags or send signals)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        on_stop()

    previous = {sig: signal.getsignal(sig) for sig in _STOP_SIGNALS}
    for sig in _STOP_SIGNALS:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
