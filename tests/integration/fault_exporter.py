"""Exporters that test_faults runs in place of the simulated system, so it can kill them and
keep them dead for as long as it likes (the stack's supervisor would restart its own).

``agents``: the agent exporter, built with the real SDK (AgentFleet served by MetricsServer on
``ports.agent_exporter``). One agent handles ``--messages`` messages at ``--rate`` a second,
each recorded through the SDK as it is handled; the process prints ``recorded N`` after each
second's work, and ``done N`` when it has handled them all, then keeps serving.

``others``: the transport and voice exporters (real, idle monitors) on their ports, so the
jobs the demo stack scrapes are all up and only the agent exporter's fate is in question.
"""

from __future__ import annotations

import argparse
import signal
import time
from pathlib import Path
from types import FrameType

from agentwatch.exporters import MetricsServer
from agentwatch.instrument import AgentFleet, AgentStatus, TransportMonitor, VoiceMonitor
from agentwatch.spec import load_spec

AGENT_ID = "planner-0"
AGENT_TYPE = "planner"
SOURCE = "director"
ACTION = "plan"


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def _agents(config: Path, messages: int, rate: float) -> None:
    spec = load_spec(config)
    fleet = AgentFleet()
    agent = fleet.agent(AGENT_ID, AGENT_TYPE, workers=1)
    agent.set_status(AgentStatus.RUNNING)
    # Bound before the first message: the series is served at 0 from the first scrape, as a
    # counter that starts with its process should be.
    recorder = agent.bind(SOURCE, ACTION)
    server = MetricsServer(
        fleet.collector(),
        host=spec.listen_address,
        port=spec.ports.agent_exporter,
        name="agent exporter",
    )
    server.start()
    print(f"serving {server.url}/metrics", flush=True)
    # Two scrapes (1 s apart) see the counter at 0 before anything is recorded.
    time.sleep(2.5)
    recorded = 0
    started = time.monotonic()
    while recorded < messages:
        # On schedule, whatever the machine's load: the count at t is rate * t, so a stalled
        # moment is caught up rather than stretching the run.
        due = min(messages, int((time.monotonic() - started) * rate))
        while recorded < due:
            recorder.observe(0.005)
            recorded += 1
        agent.heartbeat()
        print(f"recorded {recorded}", flush=True)
        time.sleep(1.0)
    print(f"done {recorded}", flush=True)
    while True:
        agent.heartbeat()
        time.sleep(1.0)


def _others(config: Path) -> None:
    spec = load_spec(config)
    servers = [
        MetricsServer(
            TransportMonitor().collector(),
            host=spec.listen_address,
            port=spec.ports.transport_exporter,
            name="transport exporter",
        ),
        MetricsServer(
            VoiceMonitor().collector(),
            host=spec.listen_address,
            port=spec.ports.voice_exporter,
            name="voice exporter",
        ),
    ]
    for server in servers:
        server.start()
    print("serving " + ", ".join(s.url for s in servers), flush=True)
    while True:
        signal.pause()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=("agents", "others"))
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--rate", type=float, default=20.0)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    if args.role == "agents":
        _agents(args.config, args.messages, args.rate)
    else:
        _others(args.config)


if __name__ == "__main__":
    main()
