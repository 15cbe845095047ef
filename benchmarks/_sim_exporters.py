"""The simulated system's agent and transport exporters, served by ours or by the peer.

``python -m benchmarks._sim_exporters CONFIG ours|prometheus_client`` runs the live simulated
system (the engine `agentwatch simulate` runs, spans kept in process) and serves its
agent and transport collectors on the spec's ports (no voice exporter, no fault control; the
spec should set simulation.developers to 0): with agentwatch's ``MetricsServer``, or
with prometheus_client's own ``start_http_server`` over a registry of the same collectors. Both
serve the same families from the same engine, so a scrape load on each compares the servers.
Prints READY when it serves; stops on SIGTERM.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

from prometheus_client import start_http_server

from agentwatch.exporters import MetricsServer, build_registry
from agentwatch.simulate import LiveSimulation
from agentwatch.spec import load_spec


def main(config: str, server: str) -> None:
    spec = load_spec(Path(config))
    simulation = LiveSimulation(spec)
    agent, transport, _voice = simulation.publisher.collectors()
    host = spec.listen_address
    ports = ((agent, spec.ports.agent_exporter), (transport, spec.ports.transport_exporter))
    for collector, port in ports:
        if server == "ours":
            MetricsServer(collector, host=host, port=port).start()
        elif server == "prometheus_client":
            start_http_server(port, addr=host, registry=build_registry(collector))
        else:
            raise SystemExit(f"unknown server {server!r}: ours or prometheus_client")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("READY", flush=True)
    simulation.run(stop)


if __name__ == "__main__":
    main(*sys.argv[1:3])
