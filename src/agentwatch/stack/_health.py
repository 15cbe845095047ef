"""HTTP readiness probes: a component is up when its health URL answers 200."""

from __future__ import annotations

from types import TracebackType

import httpx

__all__ = ["Prober"]


class Prober:
    """One HTTP client reused across probes. Proxy settings from the environment are ignored:
    every URL probed is on this machine, and an HTTP_PROXY without a NO_PROXY for 127.0.0.1
    would otherwise send the probe to the proxy."""

    def __init__(self, timeout: float = 2.0, auth: httpx.Auth | None = None) -> None:
        # ``auth``: the stack's service account, which every component accepts.
        self._client = httpx.Client(
            timeout=timeout, trust_env=False, follow_redirects=False, auth=auth
        )

    def problem(self, url: str) -> str | None:
        """None when ``url`` answers 200, else a short reason such as ``HTTP 503``."""
        try:
            response = self._client.get(url)
        except httpx.ConnectError:
            return "connection refused"
        except httpx.TimeoutException:
            return "no answer (timed out)"
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        if response.status_code != 200:
            return f"HTTP {response.status_code}"
        return None

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Prober:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
