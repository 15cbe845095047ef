"""A small, typed client for Prometheus' HTTP query API: instant and range queries.

Errors are one exception type with a message that names the server, so a command can print
it as is: unreachable, timed out, an HTTP error, or a query Prometheus refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx
import numpy as np
from numpy.typing import NDArray

__all__ = ["PrometheusAPI", "PrometheusError", "RangeSeries", "Sample"]


class PrometheusError(RuntimeError):
    """Prometheus could not answer; ``unreachable`` tells "no server" from "bad answer"."""

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


@dataclass(frozen=True, slots=True)
class Sample:
    labels: dict[str, str]
    value: float


@dataclass(frozen=True, slots=True)
class RangeSeries:
    """One series of a range query: unix timestamps (seconds) and their values, in time order."""

    labels: dict[str, str]
    timestamps: NDArray[np.float64]
    values: NDArray[np.float64]


class PrometheusAPI:
    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        self.url = url.rstrip("/")
        # trust_env=False: a proxy from the environment must not sit between us and a
        # loopback Prometheus.
        self._client = httpx.Client(
            base_url=self.url, timeout=timeout, trust_env=False, follow_redirects=False
        )

    def query(self, promql: str, *, at: float | None = None) -> list[Sample]:
        """The instant vector ``promql`` evaluates to at ``at`` (unix seconds; default now).

        An empty list when no series match.
        """
        params = {"query": promql} | ({} if at is None else {"time": repr(at)})
        data = self._get("/api/v1/query", params, promql)
        if data.get("resultType") == "scalar":
            return [Sample({}, float(data["result"][1]))]
        if data.get("resultType") != "vector":
            raise PrometheusError(
                f"Prometheus at {self.url} answered {promql!r} with a "
                f"{data.get('resultType')!r}, expected an instant vector"
            )
        return [Sample(dict(r["metric"]), float(r["value"][1])) for r in data["result"]]

    def query_range(
        self, promql: str, *, start: float, end: float, step: float
    ) -> list[RangeSeries]:
        """``promql`` evaluated every ``step`` seconds from ``start`` to ``end`` (unix seconds)."""
        if step <= 0 or end < start:
            raise ValueError(f"bad range: start={start} end={end} step={step}")
        params = {"query": promql, "start": repr(start), "end": repr(end), "step": repr(step)}
        data = self._get("/api/v1/query_range", params, promql)
        if data.get("resultType") != "matrix":
            raise PrometheusError(
                f"Prometheus at {self.url} answered the range query {promql!r} with a "
                f"{data.get('resultType')!r}, expected a matrix"
            )
        series = []
        for result in data["result"]:
            points = np.asarray(result["values"], dtype=object).reshape(-1, 2)
            series.append(
                RangeSeries(
                    dict(result["metric"]),
                    points[:, 0].astype(np.float64),
                    # Prometheus sends values as strings, including "NaN" and "+Inf".
                    points[:, 1].astype(str).astype(np.float64),
                )
            )
        return series

    def value(self, promql: str) -> float | None:
        """The single value of ``promql``, or None when it selects nothing (or only NaN)."""
        samples = [s for s in self.query(promql) if not math.isnan(s.value)]
        return samples[0].value if samples else None

    def _get(self, path: str, params: dict[str, str], promql: str) -> dict[str, Any]:
        """The ``data`` of a successful answer, or a PrometheusError saying what went wrong."""
        try:
            response = self._client.get(path, params=params)
        except httpx.TimeoutException:
            raise PrometheusError(
                f"Prometheus at {self.url} did not answer in time", unreachable=True
            ) from None
        except httpx.TransportError as exc:
            raise PrometheusError(
                f"cannot reach Prometheus at {self.url}: {exc}", unreachable=True
            ) from None
        body = self._json(response)
        if response.status_code != 200 or body.get("status") != "success":
            detail = body.get("error") or response.reason_phrase
            raise PrometheusError(
                f"Prometheus at {self.url} refused {promql!r}: {detail} "
                f"(HTTP {response.status_code})"
            )
        data = body.get("data") or {}
        if not isinstance(data, dict):
            raise PrometheusError(f"{self.url} answered with unexpected data: {data!r:.200}")
        return data

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            raise PrometheusError(
                f"{self.url} answered HTTP {response.status_code} without JSON: "
                "is it a Prometheus server?"
            ) from None
        if not isinstance(body, dict):
            raise PrometheusError(f"{self.url} answered with unexpected JSON: {body!r:.200}")
        return body

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PrometheusAPI:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
