"""The built-in simulated multi-agent system (28 agent types), fault injection, and history.

``Engine`` is the system itself: agents with workers and queues, a transport that moves
envelopes between them, requests that hop across agents. ``Publisher`` reports what it did
through the agentwatch SDK. ``LiveSimulation`` runs it in real time behind the exporters;
``backfill`` runs it faster than real time into Prometheus TSDB blocks.
"""

from typing import TYPE_CHECKING

from agentwatch._lazy import lazy_exports

# Imported when first used (agentwatch._lazy): the CLI needs only FaultKind to declare
# `agentwatch fault` in every process it starts.
if TYPE_CHECKING:
    from ._backfill import BackfillError, BackfillResult, backfill, default_workers, exporter_labels
    from ._control_client import ControlError, get_trace, list_faults, list_traces, send_fault
    from ._engine import Engine, Ledger
    from ._fault_kind import FaultKind
    from ._faults import Fault, FaultError, parse_fault, resolve_target
    from ._live import Endpoint, LiveSimulation, otlp_metrics_url
    from ._load import LoadPattern
    from ._objectives import SimulatedLoad, simulated_load, with_simulated_objectives
    from ._openmetrics import OpenMetricsSpool
    from ._publish import Publisher
    from ._routing import Topology, build_topology
    from ._tracing import SimulatedTracing
else:
    __getattr__, __dir__ = lazy_exports(__name__)

__all__ = [
    "BackfillError",
    "BackfillResult",
    "ControlError",
    "Endpoint",
    "Engine",
    "Fault",
    "FaultError",
    "FaultKind",
    "Ledger",
    "LiveSimulation",
    "LoadPattern",
    "OpenMetricsSpool",
    "Publisher",
    "SimulatedLoad",
    "SimulatedTracing",
    "Topology",
    "backfill",
    "build_topology",
    "default_workers",
    "exporter_labels",
    "get_trace",
    "list_faults",
    "list_traces",
    "otlp_metrics_url",
    "parse_fault",
    "resolve_target",
    "send_fault",
    "simulated_load",
    "with_simulated_objectives",
]
