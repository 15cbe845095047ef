"""The simulated system in real time (times the spec's compression), serving its exporters."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from agentwatch.catalog.scrape import connect_host, host_port
from agentwatch.exporters import (
    MetricsServer,
    TraceStore,
    TracingPipeline,
    span_summary,
    trace_summary,
)
from agentwatch.security import Authenticator
from agentwatch.spec import Spec

from ._control import ControlServer
from ._developers import SimulatedDevelopers
from ._engine import Engine
from ._faults import Fault, ScheduledFault
from ._publish import Publisher
from ._tracing import SimulatedTracing

__all__ = ["Endpoint", "LiveSimulation", "otlp_metrics_url"]

# The engine steps at least this often in wall time, and at most this far in simulated time
# per step while catching up after a pause (a suspended laptop, a slow CI machine).
MIN_WALL_STEP = 0.05
MAX_CATCH_UP_STEP = 10.0


@dataclass(frozen=True, slots=True)
class Endpoint:
    name: str
    url: str


def otlp_metrics_url(spec: Spec) -> str:
    """Where the simulated developers' Claude Code sends its metrics: the OTLP receiver."""
    if spec.simulation.developers_endpoint is not None:
        return spec.simulation.developers_endpoint
    host = host_port(connect_host(spec.listen_address), spec.ports.otlp_http)
    return f"http://{host}/v1/metrics"


class LiveSimulation:
    """Runs the engine against the wall clock and serves the three exporters.

    The simulated clock starts at the current Unix time and runs ``time_compression`` times
    faster than the wall clock; the SDK reads it, so heartbeat ages and CPU ratios follow
    simulated time.
    """

    def __init__(
        self,
        spec: Spec,
        faults: Sequence[Fault] = (),
        *,
        otlp_headers: Mapping[str, str] | None = None,
    ) -> None:
        """``otlp_headers`` go with the simulated developers' exports (auth for the
        receiver)."""
        self.spec = spec
        self.compression = spec.simulation.time_compression
        self._wall_start = time.monotonic()
        self.engine = Engine(spec, start=time.time())
        self._sim_start = self.engine.start
        # Big compressions would otherwise step thousands of times a wall second.
        self.tick = max(self.engine.tick, self.compression * MIN_WALL_STEP)
        self.publisher = Publisher(self.engine, clock=self.sim_now)
        self.tracing: SimulatedTracing | None = None
        self.trace_store: TraceStore | None = None
        if spec.tracing.enabled:
            self.trace_store = TraceStore()
            pipeline = TracingPipeline(spec.tracing, store=self.trace_store)
            self.tracing = SimulatedTracing(
                self.engine.topology,
                pipeline,
                transport=self.publisher.transport,
                run=f"sim{int(self._sim_start):x}",
            )
            self.engine.tracing = self.tracing
        self.developers: SimulatedDevelopers | None = None
        if spec.simulation.developers and spec.otlp_receiver.enabled:
            self.developers = SimulatedDevelopers(
                spec.simulation.developers,
                otlp_metrics_url(spec),
                self.engine.load,
                seed=spec.simulation.seed,
                start=self._sim_start,
                headers=otlp_headers,
            )
        self._lock = threading.Lock()
        self._servers: list[MetricsServer] = []
        self._control: ControlServer | None = None
        for fault in faults:
            self.engine.faults.add(fault, self._sim_start)

    def sim_now(self) -> float:
        return self._sim_start + (time.monotonic() - self._wall_start) * self.compression

    # -- faults from other processes -------------------------------------------------------

    def inject(self, fault: Fault) -> ScheduledFault:
        """Schedule ``fault`` at its offset from the current simulated time (any thread)."""
        with self._lock:
            return self.engine.faults.add(fault, self.engine.now)

    def scheduled(self) -> list[ScheduledFault]:
        with self._lock:
            return self.engine.faults.scheduled()

    # -- traces kept in memory --------------------------------------------------------------

    def traces(self, limit: int) -> list[dict[str, Any]]:
        """The newest ``limit`` kept traces, newest first, one summary each."""
        kept = self.trace_store.traces() if self.trace_store is not None else []
        return [trace_summary(spans) for spans in reversed(kept[-limit:])]

    def trace(self, trace_id: int) -> list[dict[str, Any]]:
        """The spans of one kept trace, in start order; empty when it is not (or no longer) kept."""
        spans = self.trace_store.trace(trace_id) if self.trace_store is not None else []
        return [span_summary(s) for s in sorted(spans, key=lambda s: s.start_time or 0)]

    # -- serving ---------------------------------------------------------------------------

    def start_servers(self, authenticator: Authenticator | None = None) -> list[Endpoint]:
        """Start the exporters and the fault control endpoint; PortInUseError names the port.
        With an ``authenticator`` the exporters ask for credentials."""
        spec, host = self.spec, self.spec.listen_address
        agent, transport, voice = self.publisher.collectors()
        # The trace sampler's ratio and decisions are served beside the transport's families.
        transport_side = [transport]
        if self.tracing is not None:
            transport_side.append(self.tracing.pipeline.sampler.collector())
        try:
            for name, collectors, port in (
                ("agent exporter", [agent], spec.ports.agent_exporter),
                ("transport exporter", transport_side, spec.ports.transport_exporter),
                ("voice exporter", [voice], spec.ports.voice_exporter),
            ):
                server = MetricsServer(
                    *collectors, host=host, port=port, name=name, authenticator=authenticator
                )
                self._servers.append(server.start())
            self._control = ControlServer(
                self,
                port=spec.simulation.control_port,
                agent_ids=self.engine.topology.agent_ids,
                authenticator=authenticator,
            ).start()
        except BaseException:
            self.stop_servers()
            raise
        endpoints = [Endpoint(s.name, f"{s.url}/metrics") for s in self._servers]
        endpoints.append(Endpoint("fault control", f"{self._control.url}/faults"))
        return endpoints

    def stop_exports(self) -> None:
        """Export the spans and developer telemetry still pending."""
        if self.tracing is not None:
            self.tracing.pipeline.shutdown()
        if self.developers is not None:
            self.developers.shutdown()

    def stop_servers(self) -> None:
        if self._control is not None:
            self._control.stop()
            self._control = None
        for server in self._servers:
            server.stop()
        self._servers.clear()

    # -- running ---------------------------------------------------------------------------

    def run(
        self,
        stop: threading.Event,
        *,
        wall_seconds: float | None = None,
        on_step: Callable[[], None] | None = None,
    ) -> None:
        """Step the engine to keep up with the simulated clock until ``stop`` is set."""
        deadline = None if wall_seconds is None else time.monotonic() + wall_seconds
        wall_step = self.tick / self.compression
        while not stop.is_set():
            target = self.sim_now()
            with self._lock:
                while self.engine.now + self.tick <= target:
                    step = min(MAX_CATCH_UP_STEP, max(self.tick, target - self.engine.now))
                    self.engine.step(self.engine.now + step)
                    self.publisher.publish_transport()
                self.publisher.publish()
                now = self.engine.now
            # Outside the lock: the developers' telemetry does not touch the engine.
            if self.developers is not None:
                self.developers.advance(now)
            if on_step is not None:
                on_step()
            if deadline is not None and time.monotonic() >= deadline:
                break
            stop.wait(wall_step)
