"""A small, typed client for Prometheus' HTTP query API: instant and range queries.

It works against any server that speaks that API (Prometheus, VictoriaMetrics, Thanos, ...).
Transient failures (no connection, a timeout, HTTP 429/502/503/504) are retried with capped
exponential back-off; a query the server rejected is never retried. Errors are one exception
type with a message that names the server, so a command can print it as is. The connection is
made as every agentwatch client makes it (agentwatch.clients.http_client).
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import numpy as np
from numpy.typing import NDArray

from ._errors import BadQueryError, PrometheusError
from ._http import Auth, Transport
from .prometheus_admin import PrometheusService

__all__ = [
    "MAX_POINTS_PER_SERIES",
    "BadQueryError",
    "InstantQuerier",
    "PrometheusAPI",
    "PrometheusError",
    "RangeSeries",
    "Sample",
]

#: Prometheus refuses a range query when (end - start) / step exceeds 11,000.
MAX_POINTS_PER_SERIES = 11_000

# Statuses a proxy or a busy/starting server sends for a moment; anything else is an answer.
_TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class Sample:
    labels: dict[str, str]
    value: float


class InstantQuerier(Protocol):
    """What reads instant queries: PrometheusAPI, or a stand-in in tests."""

    def query(self, promql: str, *, at: float | None = None) -> list[Sample]: ...


@dataclass(frozen=True, slots=True)
class RangeSeries:
    """One series of a range query: unix timestamps (seconds) and their values, in time order."""

    labels: dict[str, str]
    timestamps: NDArray[np.float64]
    values: NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class _Failure:
    """One attempt that failed in a way worth retrying."""

    message: str
    retry_after: float | None = None


class _MalformedError(Exception):
    """The answer parsed as JSON but not in the shape the API documents."""


class PrometheusAPI(PrometheusService):
    """Client for ``url``'s ``/api/v1/query`` and ``/api/v1/query_range``.

    ``retries`` more attempts follow a transient failure, after ``backoff`` seconds, then
    twice that, and so on, never more than ``max_delay``; a ``Retry-After`` header replaces
    the computed delay, and one longer than ``max_delay`` ends the retries at once.
    ``sleep`` and ``transport`` exist for tests.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 5.0,
        retries: int = 2,
        backoff: float = 0.2,
        max_delay: float = 5.0,
        max_points: int = MAX_POINTS_PER_SERIES,
        auth: Auth | None = None,
        sleep: Callable[[float], None] = time.sleep,
        transport: Transport | None = None,
    ) -> None:
        if retries < 0 or backoff < 0 or max_delay < 0 or timeout <= 0 or max_points < 2:
            raise ValueError(
                f"bad client settings: timeout={timeout} retries={retries} backoff={backoff} "
                f"max_delay={max_delay} max_points={max_points}"
            )
        self.retries = retries
        self.backoff = backoff
        self.max_delay = max_delay
        self.max_points = max_points
        self._sleep = sleep
        self._warnings: list[str] = []
        super().__init__(url, timeout=timeout, auth=auth, transport=transport)

    @property
    def last_warnings(self) -> tuple[str, ...]:
        """The warnings the server attached to the last query (all parts of a split range)."""
        return tuple(self._warnings)

    def query(self, promql: str, *, at: float | None = None) -> list[Sample]:
        """The instant vector ``promql`` evaluates to at ``at`` (unix seconds; default now).

        An empty list when no series match; one unlabelled sample for a scalar.
        """
        self._warnings = []
        params = {"query": promql} | ({} if at is None else {"time": _seconds(at)})
        data = self._get("/api/v1/query", params, promql)
        kind = data.get("resultType")
        try:
            if kind == "vector":
                return [_sample(r) for r in data["result"]]
            if kind == "scalar":
                return [Sample({}, _number(data["result"][1]))]
        except _MalformedError as exc:
            raise self._malformed(promql, exc) from None
        except (KeyError, IndexError, TypeError, ValueError):
            raise self._malformed(promql, data) from None
        if kind == "matrix":
            raise BadQueryError(
                f"Prometheus at {self.url} answered {promql!r} with a range vector: an instant "
                "query needs an instant vector (use query_range, or a function such as rate())"
            )
        if kind == "string":
            raise PrometheusError(
                f"Prometheus at {self.url} answered {promql!r} with a string, "
                "expected an instant vector or a scalar"
            )
        raise PrometheusError(
            f"Prometheus at {self.url} answered {promql!r} with a "
            f"{kind!r}, expected an instant vector"
        )

    def query_range(
        self, promql: str, *, start: float, end: float, step: float
    ) -> list[RangeSeries]:
        """``promql`` evaluated every ``step`` seconds from ``start`` to ``end`` (unix seconds).

        A range of more than ``max_points`` points per series is asked for in consecutive
        parts on the same grid, and each series' parts are joined, as if it were one query.
        """
        if not step > 0 or not end >= start or not math.isfinite(end - start):
            raise ValueError(f"bad range: start={start} end={end} step={step}")
        self._warnings = []
        steps = math.floor((end - start) / step)
        parts: dict[frozenset[tuple[str, str]], list[RangeSeries]] = {}
        for first in range(0, steps + 1, self.max_points):
            part_start = start + first * step
            part_end = (
                end
                if first + self.max_points > steps
                else (start + (first + self.max_points - 1) * step)
            )
            for series in self._range_part(promql, part_start, part_end, step):
                parts.setdefault(frozenset(series.labels.items()), []).append(series)
        return [
            pieces[0]
            if len(pieces) == 1
            else RangeSeries(
                pieces[0].labels,
                np.concatenate([p.timestamps for p in pieces]),
                np.concatenate([p.values for p in pieces]),
            )
            for pieces in parts.values()
        ]

    def value(self, promql: str) -> float | None:
        """The single value of ``promql``, or None when it selects nothing (or only NaN)."""
        samples = [s for s in self.query(promql) if not math.isnan(s.value)]
        return samples[0].value if samples else None

    def _range_part(self, promql: str, start: float, end: float, step: float) -> list[RangeSeries]:
        params = {
            "query": promql,
            "start": _seconds(start),
            "end": _seconds(end),
            "step": _seconds(step),
        }
        data = self._get("/api/v1/query_range", params, promql)
        if data.get("resultType") != "matrix":
            raise PrometheusError(
                f"Prometheus at {self.url} answered the range query {promql!r} with a "
                f"{data.get('resultType')!r}, expected a matrix"
            )
        try:
            return [_series(result) for result in data["result"]]
        except _MalformedError as exc:
            raise self._malformed(promql, exc) from None
        except (KeyError, IndexError, TypeError, ValueError):
            raise self._malformed(promql, data) from None

    def _get(self, path: str, params: dict[str, str], promql: str) -> dict[str, Any]:
        """The ``data`` of a successful answer, retrying transient failures."""
        attempt = 0
        while True:
            attempt += 1
            outcome = self._attempt(path, params, promql)
            if isinstance(outcome, dict):
                return outcome
            too_long = outcome.retry_after is not None and outcome.retry_after > self.max_delay
            if attempt > self.retries or too_long:
                tried = "1 attempt" if attempt == 1 else f"{attempt} attempts"
                wait = f"; it asks to retry after {outcome.retry_after:g} s" if too_long else ""
                raise PrometheusError(f"{outcome.message} ({tried}{wait})", unreachable=True)
            if outcome.retry_after is not None:
                delay = outcome.retry_after
            else:
                delay = min(self.max_delay, self.backoff * 2 ** (attempt - 1))
            self._sleep(delay)

    def _attempt(self, path: str, params: dict[str, str], promql: str) -> dict[str, Any] | _Failure:
        """One request: its ``data``, a failure worth retrying, or a PrometheusError."""
        try:
            response = self._send("GET", path, params=params)
        except PrometheusError as exc:
            if exc.transient:
                return _Failure(str(exc))
            raise
        if response.status_code in _TRANSIENT_STATUSES:
            detail = _error_text(response)
            return _Failure(
                f"Prometheus at {self.url} answered HTTP {response.status_code} "
                f"{response.reason_phrase}" + (f": {detail}" if detail else ""),
                _retry_after(response.headers.get("Retry-After")),
            )
        return self._data(response, promql)

    def _data(self, response: httpx.Response, promql: str) -> dict[str, Any]:
        """The ``data`` of an answer that is final, or a PrometheusError saying what is wrong."""
        status = response.status_code
        self._check_access(response)
        body = self._json(response)
        warnings = body.get("warnings")
        if isinstance(warnings, list):
            self._warnings.extend(str(w) for w in warnings)
        if status != 200 or body.get("status") != "success":
            detail = body.get("error") or response.reason_phrase
            kind = body.get("errorType")
            # VictoriaMetrics' errorType is the status code again.
            kind = f", {kind}" if kind and str(kind) != str(status) else ""
            # 400 bad_data (422 execution errors are the server's): the query is at fault.
            error = BadQueryError if status == 400 else PrometheusError
            raise error(
                f"Prometheus at {self.url} refused {promql!r}: {detail} (HTTP {status}{kind})"
            )
        data = body.get("data")
        if not isinstance(data, dict):
            raise PrometheusError(f"{self.url} answered with unexpected data: {data!r:.200}")
        return data

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            kind = response.headers.get("Content-Type", "no content type").split(";")[0]
            raise PrometheusError(
                f"{self.url} answered HTTP {response.status_code} with {kind}, not JSON: "
                "is it a Prometheus server?"
            ) from None
        if not isinstance(body, dict):
            raise PrometheusError(f"{self.url} answered with unexpected JSON: {body!r:.200}")
        return body

    def _malformed(self, promql: str, what: object) -> PrometheusError:
        return PrometheusError(
            f"Prometheus at {self.url} answered {promql!r} with malformed data: {what!s:.200}"
        )


def _number(text: object) -> float:
    """A sample value: Prometheus sends strings, including "NaN", "+Inf" and "-Inf"."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise _MalformedError(f"sample value {text!r} is not a number")
    return float(text)


def _sample(result: dict[str, Any]) -> Sample:
    if "value" not in result and "histogram" in result:
        raise _MalformedError("native histogram samples are not supported")
    return Sample(dict(result["metric"]), _number(result["value"][1]))


def _series(result: dict[str, Any]) -> RangeSeries:
    if "values" not in result and "histograms" in result:
        raise _MalformedError("native histogram samples are not supported")
    points = result["values"]
    return RangeSeries(
        dict(result["metric"]),
        np.array([float(t) for t, _ in points], dtype=np.float64),
        np.array([_number(v) for _, v in points], dtype=np.float64),
    )


def _error_text(response: httpx.Response) -> str:
    """Prometheus' own error message in a JSON body, if there is one."""
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("error") or "") if isinstance(body, dict) else ""


def _retry_after(header: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if header is None:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _seconds(value: float) -> str:
    """A time or step as the API reads it: numpy scalars as the Python number they hold, since
    they repr as ``np.float64(...)``."""
    return repr(value.item() if isinstance(value, np.generic) else value)
