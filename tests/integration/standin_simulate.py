"""A stand-in for ``agentwatch simulate`` in the stack's tests.

It has the interface the stack expects from the real command: ``--config FILE`` (optional),
the agent, transport and voice exporters on ``ports.agent_exporter``, ``ports.transport_exporter``
and ``ports.voice_exporter`` of ``listen_address``, each answering ``/metrics`` and ``/healthz``,
and a clean exit 0 on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType

from prometheus_client import CollectorRegistry, Counter, generate_latest

from agentwatch.spec import load_spec

REGISTRY = CollectorRegistry()
SCRAPES = Counter("standin_scrapes_total", "Scrapes served by the stand-in.", registry=REGISTRY)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/healthz":
            body, kind = b"ok\n", "text/plain"
        elif self.path == "/metrics":
            SCRAPES.inc()
            body, kind = generate_latest(REGISTRY), "text/plain; version=0.0.4"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the stack's log should hold only what matters."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=Path)
    args = parser.parse_args()
    spec = load_spec(args.config)
    ports = (spec.ports.agent_exporter, spec.ports.transport_exporter, spec.ports.voice_exporter)
    servers = [ThreadingHTTPServer((spec.listen_address, port), _Handler) for port in ports]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(f"stand-in exporters on {ports}", flush=True)
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
