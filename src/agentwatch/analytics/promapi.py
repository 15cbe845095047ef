"""A small, typed client for Prometheus' HTTP query API (instant queries only).

Errors are one exception type with a message that names the server, so a command can print
it as is: unreachable, timed out, an HTTP error, or a query Prometheus refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx

__all__ = ["PrometheusAPI", "PrometheusError", "Sample"]


class PrometheusError(RuntimeError):
    """Prometheus could not answer; ``unreachable`` tells "no server" from "bad answer"."""

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


@dataclass(frozen=True, slots=True)
class Sample:
    labels: dict[str, str]
    value: float


class PrometheusAPI:
    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        self.url = url.rstrip("/")
        # trust_env=False: a proxy from the environment must not sit between us and a
        # loopback Prometheus.
        self._client = httpx.Client(
            base_url=self.url, timeout=timeout, trust_env=False, follow_redirects=False
        )

    def query(self, promql: str) -> list[Sample]:
        """The instant vector ``promql`` evaluates to now; an empty list when no series match."""
        try:
            response = self._client.get("/api/v1/query", params={"query": promql})
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
        if data.get("resultType") == "scalar":
            return [Sample({}, float(data["result"][1]))]
        if data.get("resultType") != "vector":
            raise PrometheusError(
                f"Prometheus at {self.url} answered {promql!r} with a "
                f"{data.get('resultType')!r}, expected an instant vector"
            )
        return [Sample(dict(r["metric"]), float(r["value"][1])) for r in data["result"]]

    def value(self, promql: str) -> float | None:
        """The single value of ``promql``, or None when it selects nothing (or only NaN)."""
        samples = [s for s in self.query(promql) if not math.isnan(s.value)]
        return samples[0].value if samples else None

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
