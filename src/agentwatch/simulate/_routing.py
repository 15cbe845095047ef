"""Who talks to whom in the simulated system: workflows, the routing matrix and its ACL.

Everything here is derived from the spec's agent types and seed, so any type list works:
the 28 default types get hand-written routes that read sensibly on the message-flow
dashboard; a type this table does not know gets seeded random successors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from agentwatch.spec import Spec

__all__ = [
    "EXTERNAL",
    "KINDS",
    "PRIORITIES",
    "Topology",
    "Workflow",
    "build_topology",
]

# Message kinds and priorities, as the transport labels them. Indexes are used in arrays.
KINDS: tuple[str, ...] = ("task", "result", "event", "emergency")
TASK, RESULT, EVENT, EMERGENCY = range(4)
PRIORITIES: tuple[str, ...] = ("low", "normal", "high", "emergency")
# Sender name for requests that come from outside the system.
EXTERNAL = "external"

# Successor weights for the default agent types: where a task goes after this type is done.
_ROUTES: dict[str, dict[str, float]] = {
    "director": {"project_orchestrator": 3, "architect": 2, "researcher": 1, "security": 1,
                 "oversight": 1},
    "project_orchestrator": {"architect": 2, "constructor": 3, "patcher": 2, "debugger": 1,
                             "testbed": 1, "deployer": 1, "docgen": 1},
    "architect": {"constructor": 3, "api_designer": 2, "database": 2, "security": 1,
                  "infrastructure": 1},
    "constructor": {"linter": 2, "testbed": 3, "python_internal": 2, "c_internal": 1, "web": 1,
                    "mobile": 1, "tui": 1},
    "patcher": {"testbed": 2, "linter": 2, "debugger": 1},
    "debugger": {"patcher": 2, "testbed": 1, "python_internal": 1, "c_internal": 1},
    "testbed": {"linter": 1, "security": 1, "packager": 1, "oversight": 1, "debugger": 1},
    "linter": {"testbed": 1, "patcher": 1, "docgen": 1},
    "optimizer": {"testbed": 2, "c_internal": 1, "python_internal": 1},
    "security": {"bastion": 3, "oversight": 2, "patcher": 1},
    "bastion": {"security": 1, "infrastructure": 1, "monitor": 1},
    "oversight": {"monitor": 2, "director": 1, "security": 1},
    "monitor": {"oversight": 1, "optimizer": 1, "infrastructure": 1},
    "deployer": {"infrastructure": 3, "packager": 2, "monitor": 1, "security": 1},
    "packager": {"deployer": 2, "testbed": 1},
    "api_designer": {"constructor": 2, "web": 1, "docgen": 1, "database": 1},
    "database": {"optimizer": 1, "constructor": 1, "security": 1},
    "web": {"testbed": 2, "linter": 1, "api_designer": 1},
    "mobile": {"testbed": 2, "linter": 1, "api_designer": 1},
    "tui": {"testbed": 1, "linter": 1},
    "data_science": {"mlops": 2, "python_internal": 2, "researcher": 1},
    "mlops": {"infrastructure": 2, "deployer": 1, "data_science": 1},
    "c_internal": {"testbed": 2, "optimizer": 1, "linter": 1},
    "python_internal": {"testbed": 2, "linter": 1, "optimizer": 1},
    "researcher": {"data_science": 2, "docgen": 1, "architect": 1},
    "docgen": {"linter": 1, "oversight": 1},
    "infrastructure": {"deployer": 1, "monitor": 2, "bastion": 1},
    "voice": {"director": 3, "project_orchestrator": 1, "researcher": 1},
}  # fmt: skip

# The action label an agent type reports for the tasks it handles.
_VERBS: dict[str, str] = {
    "director": "delegate", "project_orchestrator": "coordinate", "architect": "design",
    "constructor": "build", "patcher": "patch", "debugger": "debug", "testbed": "test",
    "linter": "lint", "optimizer": "optimize", "security": "audit", "bastion": "harden",
    "oversight": "review", "monitor": "observe", "deployer": "deploy", "packager": "package",
    "api_designer": "specify", "database": "query", "web": "render", "mobile": "build_app",
    "tui": "render", "data_science": "analyze", "mlops": "train", "c_internal": "compile",
    "python_internal": "execute", "researcher": "research", "docgen": "document",
    "infrastructure": "provision", "voice": "transcribe",
}  # fmt: skip
# Actions for the other kinds, in KINDS order after "task".
_KIND_ACTIONS = ("complete", "record", "escalate")


@dataclass(frozen=True, slots=True)
class Workflow:
    """A kind of external request: where it enters, how common it is, how far it travels."""

    name: str
    entry: int  # agent type index
    share: float
    mean_extra_hops: float


# (name, preferred entry types, share of requests, mean hops beyond the minimum of two).
_WORKFLOWS = (
    ("feature_request", ("director",), 0.30, 6.0),
    ("code_review", ("project_orchestrator",), 0.25, 4.0),
    ("bug_fix", ("project_orchestrator", "director"), 0.20, 5.0),
    ("deployment", ("director",), 0.10, 5.0),
    ("research", ("director",), 0.07, 3.0),
    ("voice_command", ("voice",), 0.08, 2.0),
)
# Hop counts are 2 + Poisson(mean), capped so one request cannot wander for ever.
MIN_HOPS, MAX_HOPS = 2, 16
# Share of completed tasks that also send a status event to the monitor type.
EVENT_SHARE = 0.25
# Emergency messages flow from these senders to these receivers, when present.
_EMERGENCY_SENDERS = ("monitor", "security")
_EMERGENCY_RECEIVERS = ("security", "oversight", "director", "bastion")


@dataclass(frozen=True)
class Topology:
    """The static shape of the simulated system, in arrays indexed by type and agent."""

    types: tuple[str, ...]
    agent_ids: tuple[str, ...]
    agent_type: NDArray[np.int32]  # agent index -> type index
    instances: NDArray[np.int32]  # (types, agents_per_type) -> agent index
    routing: NDArray[np.float64]  # (types, types) successor probabilities, rows sum to 1
    routing_cdf: NDArray[np.float64]  # rows of cumulative probabilities, offset by row index
    allowed: NDArray[np.bool_]  # (types + 1, types): sender (last row: external) -> receiver
    workflows: tuple[Workflow, ...]
    actions: tuple[tuple[str, ...], ...]  # per type: action label per message kind
    event_sink: int  # type that receives status events, -1 for none
    emergency_senders: tuple[int, ...]
    emergency_receivers: tuple[int, ...]

    @property
    def n_types(self) -> int:
        return len(self.types)

    @property
    def n_agents(self) -> int:
        return len(self.agent_ids)

    @property
    def per_type(self) -> int:
        return int(self.instances.shape[1])

    def sender_names(self) -> tuple[str, ...]:
        """Type names by sender index; the index after the last type is ``external``."""
        return (*self.types, EXTERNAL)

    def visits_per_request(self) -> NDArray[np.float64]:
        """Expected messages per external request, by kind (task, result, event) and type."""
        visits = np.zeros((3, self.n_types))
        for workflow in self.workflows:
            probabilities = _hop_distribution(workflow.mean_extra_hops)
            survive = 1.0 - np.cumsum(probabilities)  # survive[k] = P(hops > k)
            location = np.zeros(self.n_types)
            location[workflow.entry] = 1.0
            tasks = np.zeros(self.n_types)
            for k in range(MAX_HOPS):
                # Task visit k (the entry visit is 0) happens when the request has more hops.
                tasks += survive[k] * location
                location = location @ self.routing
            visits[0] += workflow.share * tasks
            visits[1, workflow.entry] += workflow.share  # the result back to the entry agent
            if self.event_sink >= 0:
                visits[2, self.event_sink] += workflow.share * EVENT_SHARE * tasks.sum()
        return visits


def _hop_distribution(mean_extra: float) -> NDArray[np.float64]:
    """P(hops = k) for k = 0..MAX_HOPS: MIN_HOPS + Poisson(mean_extra), capped at MAX_HOPS."""
    extra = np.arange(MAX_HOPS + 1 - MIN_HOPS)
    log_factorial = np.cumsum(np.log(np.maximum(extra, 1)))
    poisson = np.exp(extra * np.log(mean_extra) - mean_extra - log_factorial)
    poisson[-1] += max(0.0, 1.0 - poisson.sum())
    probabilities = np.zeros(MAX_HOPS + 1)
    probabilities[MIN_HOPS:] = poisson
    return probabilities


def build_topology(spec: Spec) -> Topology:
    types = tuple(spec.agent_types)
    n = len(types)
    index = {name: i for i, name in enumerate(types)}
    rng = np.random.default_rng([spec.simulation.seed, 1])

    routing = np.zeros((n, n))
    for i, name in enumerate(types):
        for target, weight in _ROUTES.get(name, {}).items():
            if target in index and target != name:
                routing[i, index[target]] = weight
        if routing[i].sum() == 0 and n > 1:
            # Unknown type (or all its usual partners are absent): three seeded partners.
            others = np.array([j for j in range(n) if j != i])
            chosen = rng.choice(others, size=min(3, len(others)), replace=False)
            routing[i, chosen] = rng.uniform(1.0, 3.0, size=len(chosen))
        elif n == 1:
            routing[i, i] = 1.0  # a one-type system can only talk to itself
    routing /= routing.sum(axis=1, keepdims=True)
    routing_cdf = np.cumsum(routing, axis=1) + np.arange(n)[:, None]
    routing_cdf[:, -1] = np.arange(1, n + 1)  # exact row ends, whatever the rounding

    workflows = []
    for name, entries, share, extra in _WORKFLOWS:
        entry = next((index[e] for e in entries if e in index), None)
        if entry is not None:
            workflows.append(Workflow(name, entry, share, extra))
    if not workflows:
        workflows.append(Workflow("request", 0, 1.0, 3.0))
    total_share = sum(w.share for w in workflows)
    workflows = [
        Workflow(w.name, w.entry, w.share / total_share, w.mean_extra_hops) for w in workflows
    ]

    event_sink = index.get("monitor", -1)
    emergency_senders = tuple(index[t] for t in _EMERGENCY_SENDERS if t in index) or (0,)
    emergency_receivers = tuple(index[t] for t in _EMERGENCY_RECEIVERS if t in index) or (0,)

    # The ACL: a receiver accepts a sender only along edges the system really uses.
    allowed = np.zeros((n + 1, n), dtype=bool)
    allowed[:n] = routing > 0
    for workflow in workflows:
        allowed[n, workflow.entry] = True  # external requests
        allowed[:n, workflow.entry] = True  # results come back to the entry agent
    if event_sink >= 0:
        allowed[:n, event_sink] = True
    for sender in emergency_senders:
        allowed[sender, list(emergency_receivers)] = True

    per_type = spec.simulation.agents_per_type
    agent_ids = tuple(f"{name}-{k}" for name in types for k in range(per_type))
    agent_type = np.repeat(np.arange(n, dtype=np.int32), per_type)
    instances = np.arange(n * per_type, dtype=np.int32).reshape(n, per_type)
    actions = tuple((_VERBS.get(name, "process"), *_KIND_ACTIONS) for name in types)
    return Topology(
        types=types,
        agent_ids=agent_ids,
        agent_type=agent_type,
        instances=instances,
        routing=routing,
        routing_cdf=routing_cdf,
        allowed=allowed,
        workflows=tuple(workflows),
        actions=actions,
        event_sink=event_sink,
        emergency_senders=emergency_senders,
        emergency_receivers=emergency_receivers,
    )
