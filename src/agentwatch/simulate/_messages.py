"""Message envelopes, held column-wise so a step moves thousands of them in a few numpy calls.

A ``Messages`` batch is two 2-D arrays, one row per envelope: floats (times in simulated
Unix seconds) and 32-bit integers (indexes into the topology). ``take`` with row indexes is
a single contiguous copy per array, far cheaper than a structured array or per-message objects.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["F", "I", "Messages"]


class F:
    """Float columns."""

    CREATED = 0  # when the sender handed it to the transport
    ARRIVE = 1  # when the transport put it in the receiver's queue
    SERVICE = 2  # work it needs from the receiver, before any slowdown
    REQUEST_START = 3  # when its request entered the system (requests only)
    START = 4  # when a worker took it off the queue
    DEPART = 5  # when the worker finished it
    EFFECTIVE = 6  # service time actually spent (after slowdown)
    COUNT = 7


class I:  # noqa: E742  (a column namespace, read as M.i[:, I.DST])
    """Integer columns."""

    DST = 0  # receiving agent index
    SRC = 1  # sending agent type index (n_types = external)
    KIND = 2  # index into KINDS
    PRIORITY = 3  # index into PRIORITIES
    HOPS = 4  # task visits left for the request, this one included
    WORKFLOW = 5  # workflow index, -1 for messages outside any request
    ORIGIN = 6  # agent that received the request from outside, -1 outside requests
    BYTES = 7  # payload size
    REQUEST = 8  # request number (from 1) of the request it belongs to, 0 outside requests
    TRACE = 9  # slot of its trace headers in the tracing glue (from 1), 0 when not traced
    COUNT = 10


class Messages:
    __slots__ = ("f", "i")

    def __init__(self, f: NDArray[np.float64], i: NDArray[np.int32]) -> None:
        self.f = f
        self.i = i

    @classmethod
    def empty(cls, n: int = 0) -> Messages:
        return cls(np.zeros((n, F.COUNT)), np.zeros((n, I.COUNT), dtype=np.int32))

    @classmethod
    def concat(cls, parts: Sequence[Messages]) -> Messages:
        parts = [p for p in parts if len(p)]
        if not parts:
            return cls.empty()
        if len(parts) == 1:
            return parts[0]
        return cls(np.concatenate([p.f for p in parts]), np.concatenate([p.i for p in parts]))

    def __len__(self) -> int:
        return int(self.f.shape[0])

    def take(self, rows: NDArray[np.intp]) -> Messages:
        return Messages(self.f.take(rows, axis=0), self.i.take(rows, axis=0))

    def split(self, mask: NDArray[np.bool_]) -> tuple[Messages, Messages]:
        """(rows where mask, rows where not mask), each in the original order."""
        if mask.all():
            return self, Messages.empty()
        if not mask.any():
            return Messages.empty(), self
        return self.take(np.flatnonzero(mask)), self.take(np.flatnonzero(~mask))
