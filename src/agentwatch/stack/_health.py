"""HTTP readiness probes: a component is up when its health URL answers 200 (and, for a
clustered Alertmanager, when its cluster has formed)."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType

import httpx

from ._plan import Endpoint

__all__ = ["ClusterView", "Prober"]


@dataclass(frozen=True)
class ClusterView:
    """An Alertmanager's view of its gossip cluster, from /api/v2/status."""

    # "ready", "settling" or "disabled".
    status: str
    peers: int

    def problem(self, size: int) -> str | None:
        if self.peers < size:
            return f"cluster has {self.peers} of {size} peers ({self.status})"
        if self.status != "ready":
            return f"cluster {self.status}, {self.peers} peers"
        return None

    def describe(self) -> str:
        return f"cluster {self.status}, {self.peers} peers"


class Prober:
    """One HTTP client reused across probes. Proxy settings from the environment are ignored:
    every URL probed is on this machine, and an HTTP_PROXY without a NO_PROXY for 127.0.0.1
    would otherwise send the probe to the proxy."""

    def __init__(self, timeout: float = 2.0, auth: httpx.Auth | None = None) -> None:
        # ``auth``: the stack's service account, which every component accepts.
        self._client = httpx.Client(
            timeout=timeout, trust_env=False, follow_redirects=False, auth=auth
        )

    def _get(self, url: str) -> httpx.Response | str:
        """The 200 answer from ``url``, else a short reason such as ``HTTP 503``."""
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
        return response

    def problem(self, url: str) -> str | None:
        """None when ``url`` answers 200, else a short reason such as ``HTTP 503``."""
        answer = self._get(url)
        return answer if isinstance(answer, str) else None

    def cluster(self, url: str) -> ClusterView | str:
        """The cluster an Alertmanager's status API (``url``) reports, or why there is none."""
        response = self._get(url)
        if isinstance(response, str):
            return f"{url}: {response}"
        try:
            cluster = response.json()["cluster"]
            return ClusterView(str(cluster["status"]), len(cluster.get("peers") or ()))
        except (ValueError, KeyError, TypeError):
            return f"{url}: not an Alertmanager status (no cluster in the answer)"

    def endpoint_problem(self, endpoint: Endpoint) -> str | None:
        """None when ``endpoint`` is ready: its health URL answers 200 and, if it belongs to a
        cluster, the cluster has all its peers and has settled."""
        problem = self.problem(endpoint.health_url)
        if problem is not None or endpoint.cluster_url is None:
            return problem
        view = self.cluster(endpoint.cluster_url)
        return view if isinstance(view, str) else view.problem(endpoint.cluster_size)

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
