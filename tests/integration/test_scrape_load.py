"""50 concurrent scrapers on the transport exporter for 60 s while the simulated system runs at
its full rate: not one scrape may fail (issue 8).

The real `agentwatch simulate`, with the stack's secrets (the scrapers send the bearer token
Prometheus sends), at the default daily peak held flat. The transport job is the demanding one:
seed 004 scrapes it every second with an 800 ms timeout, so 50 scrapers ask 50 times a second.
The scrape times are printed, not asserted (benchmarks/scrape_load.py measures them beside
prometheus_client's server; benchmarks/RESULTS.md has the figures).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from benchmarks._scrapers import run_scrapers
from benchmarks.scrape_load import FULL_RATE, SCRAPERS, SECONDS, Job, jobs

from agentwatch.render import write_yaml
from agentwatch.security import ensure_secrets
from agentwatch.spec import load_spec
from tests.integration.support import free_ports, wait_until

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def simulated(tmp_path: Path) -> Iterator[tuple[int, str, Job]]:
    """The running simulated system: (transport exporter port, scrape token, transport job)."""
    agent, transport, voice, control, otlp = free_ports(5)
    config = tmp_path / "agentwatch.yaml"
    write_yaml(
        config,
        {
            "ports": {
                "agent_exporter": agent,
                "transport_exporter": transport,
                "voice_exporter": voice,
                "otlp_http": otlp,
            },
            "simulation": {**FULL_RATE, "control_port": control},
        },
    )
    secrets, files, _ = ensure_secrets(tmp_path / "home")
    log = tmp_path / "simulate.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "agentwatch", "simulate", "--config", str(config)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "AGENTWATCH_SECRETS": str(files.secrets_json)},
        )
    try:

        def serving() -> bool:
            if process.poll() is not None:
                pytest.fail(f"agentwatch simulate exited:\n{log.read_text()[-2000:]}")
            return httpx.get(f"http://127.0.0.1:{transport}/healthz", timeout=5).is_success

        wait_until(serving, "the simulated system's transport exporter", 120)
        (job,) = (job for job in jobs(load_spec(config)) if job.name == "transport")
        yield transport, secrets.scrape_token, job
    finally:
        process.terminate()
        process.wait(30)


def test_fifty_scrapers_on_the_transport_exporter_never_fail(
    simulated: tuple[int, str, Job],
) -> None:
    port, token, job = simulated
    assert (job.interval, job.timeout) == (1.0, 0.8)  # seed 004's transport job
    url = f"http://127.0.0.1:{port}/metrics"
    # The exporter asks for the token: without it every scrape would "fail" for that reason.
    assert httpx.get(url, timeout=10).status_code == 401
    load = run_scrapers(
        url,
        scrapers=SCRAPERS,
        seconds=SECONDS,
        interval=job.interval,
        timeout=job.timeout,
        headers={"Authorization": f"Bearer {token}"},
    )
    print(load.summary())
    assert load.scrapes >= SCRAPERS * (SECONDS - 1)
    assert load.failed == 0, load.summary()
