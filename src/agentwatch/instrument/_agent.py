"""Per-agent instrumentation: what one agent did, kept cheap enough for every message.

Each monitor guards all of its state with one lock, so recording a message (a count, a
histogram observation and busy time) takes one lock where prometheus_client's separate
Counter and Histogram take three. Families are built only when scraped.
"""

from __future__ import annotations

import functools
import inspect
import threading
import time
from bisect import bisect_left
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from enum import StrEnum
from types import TracebackType
from typing import Any, ParamSpec, TypeVar

import numpy as np
import psutil
from numpy.typing import NDArray
from opentelemetry import trace

from agentwatch import catalog as c
from agentwatch.catalog import LATENCY_BUCKETS
from agentwatch.spec import CardinalityLimits

from ._cardinality import OVERFLOW, SeriesLimit
from ._health import HealthInputs, health_score
from ._histogram import Histogram, HistogramSnapshot, TraceExemplar

__all__ = ["AgentGuards", "AgentMonitor", "AgentSnapshot", "AgentStatus", "MessageRecorder"]

P = ParamSpec("P")
R = TypeVar("R")

# The error ratio in the health score looks this far back.
ERROR_WINDOW_SECONDS = 60.0

_FOLDED_SOURCE = (OVERFLOW, OVERFLOW)


class AgentStatus(StrEnum):
    IDLE = "idle"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    BLOCKED = "blocked"


class MessageRecorder:
    """A monitor pre-bound to one (source agent, action): the hot path."""

    __slots__ = ("_bounds", "_clock", "_histogram", "_lock", "action", "count", "source_agent")

    def __init__(self, monitor: AgentMonitor, source_agent: str, action: str) -> None:
        self._lock = monitor._lock
        self._clock = monitor._clock
        self._histogram = monitor._processing
        self._bounds = monitor._processing.bounds
        self.source_agent = source_agent
        self.action = action
        self.count = 0

    def observe(self, seconds: float) -> None:
        """One message processed in ``seconds``."""
        histogram = self._histogram
        index = bisect_left(self._bounds, seconds)  # bounds never change: outside the lock
        with self._lock:  # no Python-level call in here, on purpose (see Histogram)
            self.count += 1
            histogram.counts[index] += 1
            histogram.sum += seconds

    def observe_many(
        self, seconds: NDArray[np.float64], exemplars: Sequence[TraceExemplar] = ()
    ) -> None:
        """Many messages at once (a simulator or a replay); same result as one call each.
        ``exemplars`` are traced messages among them, kept as their buckets' exemplars."""
        with self._lock:
            self.count += len(seconds)
            self._histogram.observe_many(seconds)
            if exemplars:
                self._histogram.set_exemplars(exemplars)

    def observe_traced(self, seconds: float, trace_id: int, span_id: int) -> None:
        """One message processed in ``seconds`` inside the given span: its bucket's exemplar."""
        exemplar = TraceExemplar.of(seconds, trace_id, span_id, self._clock())
        with self._lock:
            self.count += 1
            self._histogram.observe(seconds)
            self._histogram.set_exemplars((exemplar,))


class _Processing:
    """Times a block, sync or async; an exception counts as an error and propagates."""

    __slots__ = ("_monitor", "_recorder", "_started")

    def __init__(self, monitor: AgentMonitor, recorder: MessageRecorder) -> None:
        self._monitor = monitor
        self._recorder = recorder
        self._started = 0.0

    def __enter__(self) -> _Processing:
        self._started = time.perf_counter()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is not None:
            self._monitor.record_error(kind.__name__)
            return
        seconds = time.perf_counter() - self._started
        # Inside a sampled span (AgentTracer.receive, say), the message becomes an exemplar.
        span = trace.get_current_span().get_span_context()
        if span.trace_flags.sampled:
            self._recorder.observe_traced(seconds, span.trace_id, span.span_id)
        else:
            self._recorder.observe(seconds)

    async def __aenter__(self) -> _Processing:
        return self.__enter__()

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.__exit__(kind, error, traceback)


class AgentSnapshot:
    """A consistent copy of one agent's state, taken under its lock, for exposition."""

    __slots__ = (
        "agent_id",
        "agent_type",
        "cpu_ratio",
        "cpu_seconds",
        "errors",
        "health",
        "heartbeat",
        "memory_bytes",
        "memory_limit_bytes",
        "processed",
        "processing",
        "queue_depth",
        "status",
        "workers",
    )

    agent_id: str
    agent_type: str
    status: AgentStatus
    processed: list[tuple[str, str, int]]
    processing: HistogramSnapshot
    queue_depth: int
    cpu_ratio: float
    cpu_seconds: float
    memory_bytes: float
    memory_limit_bytes: float
    workers: int
    errors: list[tuple[str, int]]
    heartbeat: float
    health: float


class AgentGuards:
    """The limits on an agent's own label values, shared by all the agents of a fleet: each
    family is capped as a whole, however its label sets spread over agents."""

    __slots__ = ("errors", "sources")

    def __init__(self, limits: CardinalityLimits) -> None:
        self.sources = SeriesLimit(
            limits.message_sources, (c.AGENT_MESSAGES_PROCESSED_TOTAL,), "message_sources"
        )
        self.errors = SeriesLimit(
            limits.agent_error_types, (c.AGENT_ERRORS_TOTAL,), "agent_error_types"
        )

    @property
    def limits(self) -> tuple[SeriesLimit, ...]:
        return self.sources, self.errors


class AgentMonitor:
    """Everything one agent reports. Get one from ``AgentFleet.agent``.

    ``guards`` cap its (source_agent, action) pairs and error types together with the other
    agents': the fleet passes its own; alone, the monitor gets the spec's default limits.
    Beyond them, new values go to one ``__overflow__`` recorder (or error type) of this agent.
    """

    def __init__(
        self,
        agent_id: str,
        agent_type: str,
        *,
        workers: int = 1,
        memory_limit_bytes: int | None = None,
        clock: Callable[[], float] = time.time,
        guards: AgentGuards | None = None,
    ) -> None:
        self.agent_id = agent_id
        self.agent_type = agent_type
        self._clock = clock
        self._guards = guards or AgentGuards(CardinalityLimits())
        self._lock = threading.Lock()
        self._processing = Histogram(LATENCY_BUCKETS)
        self._recorders: dict[tuple[str, str], MessageRecorder] = {}
        self._errors: dict[str, int] = {}
        self._status = AgentStatus.IDLE
        self._queue_depth = 0
        self._workers = workers
        self._memory_bytes = 0.0
        self._memory_limit = float(memory_limit_bytes or psutil.virtual_memory().total)
        self._cpu_seconds = 0.0
        self._cpu_ratio = 0.0
        self._cpu_sampled_at: float | None = None
        self._heartbeat = clock()
        # (time, messages processed, errors) at past scrapes, for the windowed error ratio.
        self._history: deque[tuple[float, int, int]] = deque()

    # -- recording -------------------------------------------------------------------------

    def bind(self, source_agent: str, action: str) -> MessageRecorder:
        """The recorder for messages from ``source_agent`` handled with ``action``; the
        agent's ``__overflow__`` recorder once the fleet's message_sources limit is reached."""
        key = (source_agent, action)
        recorder = self._recorders.get(key)
        if recorder is None:
            with self._lock:
                recorder = self._recorders.get(key)
                if recorder is None:
                    key = self._guards.sources.place(key, _FOLDED_SOURCE)
                    recorder = self._recorders.get(key)
                    if recorder is None:
                        recorder = self._recorders[key] = MessageRecorder(self, *key)
        return recorder

    def record_message(self, seconds: float, *, source_agent: str, action: str) -> None:
        self.bind(source_agent, action).observe(seconds)

    def record_error(self, error_type: str, count: int = 1) -> None:
        with self._lock:
            errors = self._errors
            if error_type not in errors:
                error_type = self._guards.errors.place(error_type, OVERFLOW)
            errors[error_type] = errors.get(error_type, 0) + count

    def processing(self, *, source_agent: str, action: str) -> _Processing:
        """``with`` / ``async with`` block timing one message."""
        return _Processing(self, self.bind(source_agent, action))

    def track(
        self, *, source_agent: str, action: str
    ) -> Callable[[Callable[P, R]], Callable[P, R]]:
        """Decorator timing each call of a sync or async function as one message."""

        def decorate(function: Callable[P, R]) -> Callable[P, R]:
            if inspect.iscoroutinefunction(function):
                async_function: Callable[P, Awaitable[Any]] = function

                @functools.wraps(function)
                async def run_async(*args: P.args, **kwargs: P.kwargs) -> Any:
                    async with self.processing(source_agent=source_agent, action=action):
                        return await async_function(*args, **kwargs)

                return run_async  # type: ignore[return-value]

            @functools.wraps(function)
            def run(*args: P.args, **kwargs: P.kwargs) -> R:
                with self.processing(source_agent=source_agent, action=action):
                    return function(*args, **kwargs)

            return run

        return decorate

    def set_status(self, status: AgentStatus) -> None:
        self._status = AgentStatus(status)

    @property
    def status(self) -> AgentStatus:
        return self._status

    def set_queue_depth(self, depth: int) -> None:
        self._queue_depth = depth

    def set_workers(self, workers: int) -> None:
        self._workers = workers

    def heartbeat(self, at: float | None = None) -> None:
        self._heartbeat = self._clock() if at is None else at

    def set_resources(
        self, *, memory_bytes: float | None = None, cpu_seconds_total: float | None = None
    ) -> None:
        """Report resident memory and cumulative CPU time; the CPU ratio follows from the rate."""
        with self._lock:
            if memory_bytes is not None:
                self._memory_bytes = float(memory_bytes)
            if cpu_seconds_total is not None:
                now = self._clock()
                if self._cpu_sampled_at is not None and now > self._cpu_sampled_at:
                    used = max(0.0, cpu_seconds_total - self._cpu_seconds)
                    elapsed = now - self._cpu_sampled_at
                    self._cpu_ratio = used / elapsed / max(1, self._workers)
                self._cpu_seconds = cpu_seconds_total
                self._cpu_sampled_at = now

    def sample_process(self, process: psutil.Process | None = None) -> None:
        """Take memory and CPU from a real OS process (this one by default)."""
        process = process or psutil.Process()
        with process.oneshot():
            times = process.cpu_times()
            self.set_resources(
                memory_bytes=process.memory_info().rss,
                cpu_seconds_total=times.user + times.system,
            )

    def _release(self) -> None:
        """Give back this agent's room in the fleet's limits: it left the fleet for good."""
        with self._lock:
            sources = sum(key != _FOLDED_SOURCE for key in self._recorders)
            errors = sum(key != OVERFLOW for key in self._errors)
        self._guards.sources.release(sources)
        self._guards.errors.release(errors)

    # -- reading ---------------------------------------------------------------------------

    def snapshot(self) -> AgentSnapshot:
        now = self._clock()
        with self._lock:
            snap = AgentSnapshot()
            snap.agent_id, snap.agent_type = self.agent_id, self.agent_type
            snap.status = self._status
            snap.processed = [(r.source_agent, r.action, r.count) for r in self._recorders.values()]
            snap.processing = self._processing.snapshot()
            snap.queue_depth = self._queue_depth
            snap.cpu_ratio, snap.cpu_seconds = self._cpu_ratio, self._cpu_seconds
            snap.memory_bytes, snap.memory_limit_bytes = self._memory_bytes, self._memory_limit
            snap.workers = self._workers
            snap.errors = sorted(self._errors.items())
            snap.heartbeat = self._heartbeat
            processed = sum(r.count for r in self._recorders.values())
            errors = sum(self._errors.values())
            error_ratio = self._windowed_error_ratio(now, processed, errors)
        snap.health = health_score(
            HealthInputs(
                failed=snap.status is AgentStatus.FAILED,
                cpu_ratio=snap.cpu_ratio,
                memory_ratio=snap.memory_bytes / snap.memory_limit_bytes,
                queue_depth=snap.queue_depth,
                error_ratio=error_ratio,
                heartbeat_age_seconds=now - snap.heartbeat,
            )
        )
        return snap

    def health_score(self) -> float:
        return self.snapshot().health

    def _windowed_error_ratio(self, now: float, processed: int, errors: int) -> float:
        history = self._history
        history.append((now, processed, errors))
        while len(history) > 1 and history[1][0] <= now - ERROR_WINDOW_SECONDS:
            history.popleft()
        _, processed_then, errors_then = history[0]
        if len(history) == 1:
            processed_then = errors_then = 0
        new_errors = errors - errors_then
        attempts = (processed - processed_then) + new_errors
        return new_errors / attempts if attempts else 0.0
