"""HTTP readiness probes: a component is up when its health URL answers 200 (and, for a
clustered Alertmanager, when its cluster has formed)."""

from __future__ import annotations

from dataclasses import dataclass

from agentwatch.clients import Auth, Probe

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


class Prober(Probe):
    """One HTTP client reused across probes (agentwatch.clients: proxy settings from the
    environment are ignored, every URL probed being on this machine)."""

    def __init__(self, timeout: float = 2.0, auth: Auth | None = None) -> None:
        # ``auth``: the stack's service account, which every component accepts.
        super().__init__(timeout=timeout, auth=auth)

    def problem(self, url: str) -> str | None:
        """None when ``url`` answers 200, else a short reason such as ``HTTP 503``."""
        answer = self.get_ok(url)
        return answer if isinstance(answer, str) else None

    def cluster(self, url: str) -> ClusterView | str:
        """The cluster an Alertmanager's status API (``url``) reports, or why there is none."""
        response = self.get_ok(url)
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
