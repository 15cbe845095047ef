"""Faults done for real to a running stack: Prometheus killed with SIGKILL while it ingests, an
exporter that dies and comes back, Prometheus frozen while the analytics service and the
console read it, the home's filesystem filled to the last byte, and a webhook receiver that is
down.

One stack serves all five checks (each waits for the stack to be whole again before it
starts, and puts back what it broke): the demo's scrape jobs, with the simulated system
replaced by exporters this module runs itself (fault_exporter.py), so an exporter can die and
stay dead for as long as the test likes; its home is on a small tmpfs, which the disk check
fills. Mounting it needs root, as CI has; without, every check fails saying so.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from agentwatch.render import write_yaml
from agentwatch.stack import StackHome, read_state
from tests.integration.support import fast_stack_spec, home_auth, stack_ports, wait_until
from tests.integration.test_stack import (
    Stack,
    all_up,
    api,
    output,
    processes_of,
    run_cli,
)

EXPORTER = Path(__file__).with_name("fault_exporter.py")
# The home's filesystem, a tmpfs the disk check fills: room for the few minutes of data the
# other checks make, small enough to fill in a moment.
DISK_SIZE = "128m"
JOBS = {
    "prometheus", "alertmanager", "analytics", "claude-framework", "console",
    "agents", "transport-layer", "voice",
}  # fmt: skip
MESSAGES = 'agent_messages_processed_total{job="agents"}'

# `agentwatch up` in the foreground with the demo's scrape jobs but without the simulated
# system: the test runs those exporters itself, so one can die and stay dead (the supervisor
# would restart its own child within a second).
DRIVER = """
import dataclasses
import sys
from pathlib import Path
from agentwatch.spec import load_spec
from agentwatch.stack import StackHome, plan_stack, up_stack

config, home, demo = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "demo"
plan = plan_stack(load_spec(config), StackHome(home), config_path=config, demo=demo)
plan = dataclasses.replace(
    plan, components=tuple(c for c in plan.components if c.name != "simulate")
)
up_stack(
    plan,
    detach=False,
    on_progress=lambda line: print(line, flush=True),
    on_ready=lambda: print("READY", flush=True),
)
"""


@dataclass
class Exporter:
    """One run of fault_exporter.py; its output goes to ``log``."""

    process: subprocess.Popen[bytes]
    log: Path

    def said(self, line: str) -> bool:
        return line in self.log.read_text().splitlines()

    def recorded(self) -> int:
        """What the process itself counted, as it last printed it."""
        counts = re.findall(r"^(?:recorded|done) (\d+)$", self.log.read_text(), re.MULTILINE)
        return int(counts[-1]) if counts else 0


@dataclass
class Faulty:
    stack: Stack
    driver: subprocess.Popen[bytes]
    driver_log: Path
    exporters: list[Exporter] = field(default_factory=list)

    def start_exporter(self, role: str, *args: str) -> Exporter:
        log = self.stack.tmp / f"{role}-{len(self.exporters)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, str(EXPORTER), role, "--config", str(self.stack.config), *args],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        exporter = Exporter(process, log)
        self.exporters.append(exporter)
        return exporter

    def agents_running(self) -> bool:
        return any(
            e.process.poll() is None and e.log.name.startswith("agents") for e in self.exporters
        )

    def pid(self, component: str) -> int:
        state = read_state(StackHome(self.stack.home))
        assert state is not None, "the stack recorded no state"
        return {c.name: c.pid for c in state.components}[component]

    def restarts(self) -> dict[str, int]:
        state = read_state(StackHome(self.stack.home))
        assert state is not None
        return {c.name: c.restarts for c in state.components}

    def supervisor_log(self) -> str:
        return StackHome(self.stack.home).log_file("supervisor").read_text()


@contextlib.contextmanager
def small_filesystem(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``where`` (needs root, as CI has), unmounted afterwards."""
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.fail(
            f"cannot mount a {size} tmpfs on {where} to fill it (this test needs root, as CI "
            f"runs it): {mounted.stderr.strip() or mounted.returncode}"
        )
    try:
        yield where
    finally:
        if subprocess.run(["umount", str(where)], capture_output=True, check=False).returncode:
            # Something still holds a file there; detach it now, the kernel frees it later.
            subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Faulty]:
    tmp = tmp_path_factory.mktemp("faults")
    ports, (control_port, webhook_port) = stack_ports(extra=2)
    config = tmp / "agentwatch.yaml"
    spec = fast_stack_spec(
        ports,
        control_port,
        fast_jobs=("analytics", "framework"),
        analytics={"interval": "5s", "capacity_interval": "30s"},
        # Nothing listens there: the checks read Alertmanager's API, not notifications, and
        # check 5 sees every request to it fail.
        alerting={
            "webhook_url": f"http://127.0.0.1:{webhook_port}/alerts",
            "alert_for": {
                "ExporterDown": "5s",
                "HomeFilesystemAlmostFull": "0s",
                "AlertmanagerNotificationsFailing": "0s",
            },
        },
    )
    write_yaml(config, spec)
    with small_filesystem(tmp / "disk", DISK_SIZE) as disk:
        yield from _run_stack(tmp, disk / "home", config, ports)


def _run_stack(tmp: Path, home: Path, config: Path, ports: dict[str, int]) -> Iterator[Faulty]:
    stack = Stack(tmp=tmp, home=home, config=config, ports=ports)
    driver_log = tmp / "driver.log"
    with driver_log.open("wb") as out:
        driver = subprocess.Popen(
            [sys.executable, "-c", DRIVER, str(config), str(home), "demo"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    faulty = Faulty(stack, driver, driver_log)
    try:
        wait_until(
            lambda: "READY" in driver_log.read_text() or driver.poll() is not None,
            "the stack to start",
            240,
        )
        assert driver.poll() is None, driver_log.read_text()
        faulty.start_exporter("others")
        yield faulty
    finally:
        for exporter in faulty.exporters:
            if exporter.process.poll() is None:
                exporter.process.kill()
                exporter.process.wait()
        with contextlib.suppress(subprocess.TimeoutExpired):
            run_cli("down", "--home", str(home))
        if driver.poll() is None:
            driver.kill()
        driver.wait()
        for process in processes_of(home):
            process.kill()


# -- reading the stack --------------------------------------------------------------------------


def get(url: str, home: Path, **params: Any) -> httpx.Response:
    return httpx.get(url, params=params, timeout=10, trust_env=False, auth=home_auth(home))


def raw_samples(stack: Stack, selector: str, at: float) -> dict[str, list[tuple[float, str]]]:
    """Every stored sample of ``selector`` (a range selector) at ``at``, by series."""
    data = api(stack, "/api/v1/query", query=selector, time=f"{at:.3f}")
    assert data is not None, f"Prometheus did not answer {selector}"
    return {
        str(sorted(series["metric"].items())): [(float(t), v) for t, v in series["values"]]
        for series in data["result"]
    }


def value(stack: Stack, promql: str, at: float | None = None) -> float | None:
    params = {"query": promql} | ({} if at is None else {"time": f"{at:.3f}"})
    data = api(stack, "/api/v1/query", **params)
    if data is None or not data["result"]:
        return None
    return float(data["result"][0]["value"][1])


def firing(stack: Stack, alertname: str, **labels: str) -> bool:
    selector = ", ".join(f'{k}="{v}"' for k, v in {"alertname": alertname, **labels}.items())
    data = api(stack, "/api/v1/query", query=f'ALERTS{{{selector}, alertstate="firing"}}')
    if data is None:
        # Not an answer either way: wait_until asks again.
        raise httpx.HTTPError("Prometheus did not answer the ALERTS query")
    return bool(data["result"])


def alertmanager_alerts(stack: Stack) -> str:
    """Alertmanager's API v2 for alerts: GET lists the active ones, POST adds some."""
    return f"http://127.0.0.1:{stack.ports['alertmanager']}/api/v2/alerts"


def in_alertmanager(stack: Stack, alertname: str, **labels: str) -> list[dict[str, Any]]:
    """Alertmanager's active alerts (API v2) named ``alertname`` with ``labels``."""
    response = get(alertmanager_alerts(stack), stack.home)
    response.raise_for_status()
    wanted = {"alertname": alertname, **labels}
    return [a for a in response.json() if all(a["labels"].get(k) == v for k, v in wanted.items())]


def prometheus_ready(stack: Stack) -> bool:
    return get(f"{stack.prometheus}/-/ready", stack.home).status_code == 200


# -- 1. an exporter dies and returns ------------------------------------------------------------


def reset_adjusted_increase(samples: list[tuple[float, str]]) -> tuple[float, int]:
    """The counter's increase over ``samples`` as Prometheus defines it (a drop is a restart
    from zero), and the number of drops."""
    values = [float(v) for _, v in samples]
    total, resets = 0.0, 0
    for before, after in itertools.pairwise(values):
        if after < before:
            total += after
            resets += 1
        else:
            total += after - before
    return total, resets


@pytest.mark.timeout(420)
def test_an_exporter_that_dies_and_returns(faulty: Faulty) -> None:
    stack = faulty.stack
    per_run = 300
    # Nothing of this series exists before this moment (the exporter is not running yet).
    born = time.time()
    first = faulty.start_exporter("agents", "--messages", str(per_run), "--rate", "20")
    wait_until(lambda: all_up(stack, JOBS), "every job up == 1", 120)
    wait_until(
        lambda: first.said(f"done {per_run}") and value(stack, MESSAGES) == per_run,
        f"Prometheus to have scraped all {per_run} messages of the first run",
        120,
    )

    first.process.send_signal(signal.SIGKILL)
    assert first.process.wait(10) == -signal.SIGKILL
    wait_until(
        lambda: firing(stack, "ExporterDown", job="agents"),
        "ExporterDown to fire for the agents job",
        120,
    )
    wait_until(
        lambda: bool(in_alertmanager(stack, "ExporterDown", job="agents")),
        "Alertmanager to hold the ExporterDown alert",
        60,
    )
    (alert,) = in_alertmanager(stack, "ExporterDown", job="agents")
    assert alert["labels"]["severity"] == "critical"
    assert "agents" in alert["annotations"]["description"]

    second = faulty.start_exporter("agents", "--messages", str(per_run), "--rate", "20")
    wait_until(
        lambda: not firing(stack, "ExporterDown", job="agents"),
        "ExporterDown to resolve",
        120,
    )
    wait_until(
        lambda: not in_alertmanager(stack, "ExporterDown", job="agents"),
        "Alertmanager to see ExporterDown resolved",
        60,
    )
    wait_until(
        lambda: second.said(f"done {per_run}") and value(stack, MESSAGES) == per_run,
        f"Prometheus to have scraped all {per_run} messages of the second run",
        120,
    )
    recorded = first.recorded() + second.recorded()
    assert recorded == 2 * per_run

    # Anchor the window at the last stored sample: Prometheus then extrapolates nothing at the
    # end, and nothing at the start either, since the series starts at 0 (increase() never
    # extrapolates a counter below zero). So increase() must equal what the two processes
    # recorded, exactly, with the restart's reset handled.
    latest = raw_samples(stack, f"{MESSAGES}[10s]", time.time())
    ((_, recent),) = latest.items()
    end = recent[-1][0]
    window = math.ceil(end - born) + 1
    ((_, samples),) = raw_samples(stack, f"{MESSAGES}[{window}s]", end).items()
    assert float(samples[0][1]) == 0, "the counter was not born at 0"
    increase, resets = reset_adjusted_increase(samples)
    assert (increase, resets) == (recorded, 1)
    # The second process's counter starts again from 0, not from where the first one stopped.
    after_reset = next(
        float(v) for (_, v), (_, before) in zip(samples[1:], samples, strict=False) if v < before
    )
    assert after_reset < per_run / 2
    assert value(stack, f"increase({MESSAGES}[{window}s])", end) == pytest.approx(
        recorded, abs=1e-9
    )
    assert value(stack, f"resets({MESSAGES}[{window}s])", end) == 1
    assert value(stack, f"rate({MESSAGES}[{window}s])", end) == pytest.approx(
        recorded / window, rel=1e-9
    )


# -- 2. Prometheus killed while it ingests ------------------------------------------------------


@pytest.mark.timeout(300)
def test_prometheus_killed_keeps_every_ingested_sample(faulty: Faulty) -> None:
    stack = faulty.stack
    if not faulty.agents_running():
        faulty.start_exporter("agents", "--messages", "100000", "--rate", "20")
    wait_until(lambda: all_up(stack, JOBS), "every job up == 1", 120)
    # Samples stamped more than a few scrape intervals ago have been appended (and so written
    # to the WAL) by now: a scrape never takes longer than its 1 s interval.
    wait_until(lambda: prometheus_ready(stack), "Prometheus to be ready", 60)
    selectors = ("up[2m]", "scrape_samples_scraped[2m]", f"{MESSAGES}[2m]")

    def ingested() -> bool:
        found = raw_samples(stack, f"{MESSAGES}[2m]", time.time() - 5)
        return sum(len(v) for v in found.values()) >= 10

    wait_until(ingested, "ten agent samples in Prometheus", 120)
    until = time.time() - 5
    before = {s: raw_samples(stack, s, until) for s in selectors}
    assert sum(len(v) for v in before["up[2m]"].values()) >= 10 * len(JOBS)

    old = faulty.pid("prometheus")
    restarts = faulty.restarts()["prometheus"]
    os.kill(old, signal.SIGKILL)
    wait_until(
        lambda: faulty.pid("prometheus") != old and prometheus_ready(stack),
        "the supervisor to restart Prometheus",
        120,
    )
    new = faulty.pid("prometheus")
    assert faulty.restarts()["prometheus"] == restarts + 1
    after = {s: raw_samples(stack, s, until) for s in selectors}
    assert after == before

    log = faulty.supervisor_log()
    assert re.search(
        rf"prometheus \(pid {old}\) was killed by SIGKILL after \d+s; restarting in 1s", log
    )
    assert f"started prometheus (pid {new})" in log

    # Dying again soon after a restart doubles the back-off.
    os.kill(new, signal.SIGKILL)
    wait_until(
        lambda: faulty.pid("prometheus") != new and prometheus_ready(stack),
        "the supervisor to restart Prometheus again",
        120,
    )
    log = faulty.supervisor_log()
    assert re.search(
        rf"prometheus \(pid {new}\) was killed by SIGKILL after \d+s; restarting in 2s", log
    )
    assert {s: raw_samples(stack, s, until) for s in selectors} == before


# -- 3. Prometheus down under the analytics service and the console -----------------------------


def analytics_metrics(faulty: Faulty) -> dict[str, list[tuple[dict[str, str], float]]]:
    url = f"http://127.0.0.1:{faulty.stack.ports['analytics_exporter']}/metrics"
    response = get(url, faulty.stack.home)
    response.raise_for_status()
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((dict(sample.labels), sample.value))
    return found


def part_value(
    metrics: dict[str, list[tuple[dict[str, str], float]]], name: str, part: str
) -> float | None:
    return next((v for labels, v in metrics.get(name, []) if labels.get("part") == part), None)


def console_client(stack: Stack) -> httpx.Client:
    return httpx.Client(
        base_url=f"http://127.0.0.1:{stack.ports['console']}",
        trust_env=False,
        timeout=60,
        follow_redirects=False,
    )


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def log_in(client: httpx.Client, home: Path, username: str) -> str:
    """Log in through the form; the CSRF token of the new session."""
    users = json.loads((home / "secrets" / "secrets.json").read_text())["users"]
    password = next(u["password"] for u in users if u["username"] == username)
    page = client.get("/login")
    assert page.status_code == 200, page.text
    found = _CSRF.search(page.text)
    assert found is not None
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": found.group(1),
            "next": "/",
        },
    )
    assert response.status_code == 303, response.text
    session = client.get("/api/session")
    assert session.status_code == 200, session.text
    return str(session.json()["csrf_token"])


def console_says_unreachable(client: httpx.Client, prometheus: str) -> bool:
    page = client.get("/overview")
    assert page.status_code == 200, page.text
    return f"Prometheus unreachable at {prometheus}" in page.text


@pytest.mark.timeout(420)
def test_prometheus_down_under_analytics_and_console(faulty: Faulty) -> None:
    stack = faulty.stack
    if not faulty.agents_running():
        faulty.start_exporter("agents", "--messages", "100000", "--rate", "20")
    wait_until(lambda: all_up(stack, JOBS), "every job up == 1", 120)
    wait_until(lambda: prometheus_ready(stack), "Prometheus to be ready", 60)
    # The analytics service has results to withdraw: a score for the exporter's agent.
    wait_until(
        lambda: bool(analytics_metrics(faulty).get("failure_prediction_score")),
        "the analytics service to score the agent",
        120,
    )
    pids = {name: faulty.pid(name) for name in ("analytics", "console", "prometheus")}
    restarts = faulty.restarts()

    # State the console owns: a session that stays logged in, one that logged out (and must
    # stay out), and a silence created through it (kept by Alertmanager, shown by the console).
    admin = console_client(stack)
    csrf = log_in(admin, stack.home, "admin")
    leaver = console_client(stack)
    leaver_csrf = log_in(leaver, stack.home, "technical")
    old_cookie = leaver.cookies.get("agentwatch_session")
    assert old_cookie is not None
    assert leaver.post("/logout", data={"csrf_token": leaver_csrf}).status_code == 303
    # A client that kept the logged-out cookie, as a stolen copy would.
    replay = console_client(stack)
    replay.cookies.set("agentwatch_session", old_cookie)
    assert replay.get("/api/session").status_code == 401
    created = admin.post(
        "/api/silences",
        json={
            "matchers": [
                {"name": "alertname", "value": "FaultTest", "isRegex": False, "isEqual": True}
            ],
            "duration": "1h",
            "comment": "kept across a Prometheus outage",
        },
        headers={"X-CSRF-Token": csrf},
    )
    assert created.status_code == 201, created.text
    silence_id = created.json()["silenceID"]
    assert not console_says_unreachable(admin, stack.prometheus)

    before = analytics_metrics(faulty)
    failed_before = part_value(before, "analytics_run_failures_total", "failure") or 0.0
    last_success = part_value(before, "analytics_run_timestamp_seconds", "failure")
    assert last_success is not None

    # Frozen, not dead: connections are accepted and never answered, the harder case for a
    # client (and the supervisor sees nothing to restart).
    os.kill(pids["prometheus"], signal.SIGSTOP)
    try:
        wait_until(
            lambda: (
                (
                    part_value(analytics_metrics(faulty), "analytics_run_failures_total", "failure")
                    or 0
                )
                > failed_before
            ),
            "the analytics service to count a failed run",
            120,
        )
        during = analytics_metrics(faulty)
        # Withdrawn, not stale: no score is served while nobody can recompute it...
        assert not during.get("failure_prediction_score")
        # ...while the last success stays what it was, so its age shows the outage.
        assert part_value(during, "analytics_run_timestamp_seconds", "failure") == last_success
        assert console_says_unreachable(admin, stack.prometheus)
        assert admin.get("/api/overview").status_code == 502
        assert "unreachable" in admin.get("/api/overview").json()["error"]
    finally:
        os.kill(pids["prometheus"], signal.SIGCONT)
    resumed = time.time()

    wait_until(
        lambda: (
            (
                part_value(analytics_metrics(faulty), "analytics_run_timestamp_seconds", "failure")
                or 0
            )
            > resumed
        ),
        "the analytics service to run successfully again",
        120,
    )
    wait_until(
        lambda: bool(analytics_metrics(faulty).get("failure_prediction_score")),
        "the agent's score to be served again",
        120,
    )
    wait_until(
        lambda: not console_says_unreachable(admin, stack.prometheus),
        "the console to read Prometheus again",
        120,
    )
    after = analytics_metrics(faulty)
    # Recovered by themselves: the same processes, no restart; counts carried on, not reset.
    assert {name: faulty.pid(name) for name in pids} == pids
    assert faulty.restarts() == restarts
    assert (part_value(after, "analytics_run_failures_total", "failure") or 0) > failed_before
    # The console kept what it owns: the session, the logout, the silence.
    session = admin.get("/api/session")
    assert session.status_code == 200
    assert session.json()["user"] == "admin"
    assert replay.get("/api/session").status_code == 401
    silences = admin.get("/api/alerts").json()["silences"]
    assert silence_id in {s["id"] for s in silences}
    assert (
        admin.delete(f"/api/silences/{silence_id}", headers={"X-CSRF-Token": csrf}).status_code
        == 204
    )


# -- 4. the home's filesystem fills up ----------------------------------------------------------


def fill(path: Path, leave: int = 0) -> None:
    """Append zeros to ``path`` until only ``leave`` bytes are free on its filesystem."""
    chunk = b"\0" * (1 << 20)
    with path.open("ab") as out:
        while True:
            free = os.statvfs(path).f_bavail * os.statvfs(path).f_frsize
            if free <= leave:
                return
            try:
                out.write(chunk[: max(1, min(len(chunk), free - leave))])
                out.flush()
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                return


def lines_are_whole(path: Path) -> bool:
    """Every line of a JSON-lines file parses, and a file with any ends with a newline."""
    text = path.read_text()
    ends_whole = not text or text.endswith("\n")
    return ends_whole and all(json.loads(line) for line in text.splitlines())


@pytest.mark.timeout(420)
def test_a_full_home_filesystem_warns_and_corrupts_nothing(faulty: Faulty) -> None:
    stack, terminal = faulty.stack, faulty.driver_log
    home = stack.home
    disk = home.parent
    stack_home = StackHome(home)
    size = os.statvfs(disk).f_blocks * os.statvfs(disk).f_frsize
    wait_until(
        lambda: value(stack, "agentwatch_home_filesystem_size_bytes") == size,
        "the framework exporter's size of the home's filesystem in Prometheus",
        120,
    )
    status = run_cli("status", "--home", str(home))
    assert "Home filesystem:" in status.stdout
    assert "free of 128.0 MiB" in status.stdout

    # Down to 5% free: below thresholds.home_filesystem_avail_min_ratio (10%).
    filler = disk / "filler"
    fill(filler, leave=size // 20)
    warning = f"WARNING: the filesystem holding {home} has"
    wait_until(
        lambda: (
            warning in stack_home.log_file("supervisor").read_text()
            and warning in terminal.read_text()
        ),
        "the supervisor's warning in its log and on the terminal",
        60,
    )
    wait_until(
        lambda: firing(stack, "HomeFilesystemAlmostFull"),
        "HomeFilesystemAlmostFull to fire",
        120,
    )
    ratio = value(
        stack, "agentwatch_home_filesystem_avail_bytes / agentwatch_home_filesystem_size_bytes"
    )
    assert ratio is not None
    assert ratio < 0.1

    # Now to the last byte. agentwatch's writers must fail whole, never leave half a line.
    fill(filler)
    audit = stack_home.audit_log
    admin = console_client(stack)
    refused = None
    for _ in range(200):
        users = json.loads(stack_home.secrets.secrets_json.read_text())["users"]
        password = next(u["password"] for u in users if u["username"] == "admin")
        page = admin.get("/login")
        found = _CSRF.search(page.text)
        assert found is not None
        answer = admin.post(
            "/login",
            data={"username": "admin", "password": password, "csrf_token": found.group(1)},
        )
        assert answer.status_code in (303, 503), answer.text
        assert lines_are_whole(audit)
        if answer.status_code == 503:
            refused = answer.text
            break
    assert refused is not None, "the audit log never filled up"
    assert f"cannot append to the audit log {audit}: No space left on device" in refused

    survey = run_cli("survey", "record", "4", "--home", str(home))
    assert survey.returncode in (0, 1), survey.stderr
    if survey.returncode == 1:
        assert "No space left on device" in survey.stderr
    survey_file = home / "survey.jsonl"
    assert not survey_file.exists() or lines_are_whole(survey_file)

    backup = run_cli("backup", "--home", str(home))
    assert backup.returncode == 1, backup.stdout + backup.stderr
    assert "Traceback" not in backup.stderr
    # Prometheus itself cannot write the snapshot; the error says why, in one message.
    assert "no space left on device" in output(backup).lower()
    assert not any((home / "backups").glob("*")), "a partial archive was left behind"

    # A component that dies now is restarted all the same, and the stack's state stays whole
    # (the old one, if the new one could not be written, and the supervisor says so).
    state = read_state(stack_home)
    assert state is not None
    old = {c.name: c.pid for c in state.components}["console"]
    os.kill(old, signal.SIGKILL)
    wait_until(
        lambda: (
            f"console (pid {old}) was killed by SIGKILL" in terminal.read_text()
            and "console restarted (restart 1)" in terminal.read_text()
        ),
        "the supervisor to restart the console",
        120,
    )
    wait_until(lambda: admin.get("/healthz").status_code == 200, "the console to answer", 120)
    state = read_state(stack_home)
    assert state is not None
    recorded = {c.name: c.pid for c in state.components}["console"]
    assert recorded != old or "cannot record the stack's state" in terminal.read_text()

    # Room again: the warning clears, the alert resolves, Prometheus goes on storing samples.
    filler.unlink()
    wait_until(
        lambda: (
            f"the filesystem holding {home} has"
            in stack_home.log_file("supervisor").read_text().split(warning)[-1]
        ),
        "the supervisor to say the space is back",
        60,
    )
    wait_until(
        lambda: not firing(stack, "HomeFilesystemAlmostFull"),
        "HomeFilesystemAlmostFull to resolve",
        120,
    )
    freed = time.time()
    wait_until(
        lambda: (value(stack, 'timestamp(up{job="prometheus"})') or 0) > freed,
        "Prometheus to store new samples",
        120,
    )
    log_in(admin, home, "admin")
    assert lines_are_whole(audit)
    assert json.loads(audit.read_text().splitlines()[-1])["action"] == "login"


# -- 5. a receiver that is down -----------------------------------------------------------------


def prometheus_posts(stack: Stack) -> tuple[float, float]:
    """Alerts Prometheus posted to Alertmanager so far, and the posts that failed (its own
    counters, which it scrapes as the prometheus job)."""
    sent = value(stack, 'sum(prometheus_notifications_sent_total{job="prometheus"})')
    errors = value(stack, 'sum(prometheus_notifications_errors_total{job="prometheus"})')
    assert sent is not None, "Prometheus' prometheus_notifications_sent_total is not stored"
    assert errors is not None, "Prometheus' prometheus_notifications_errors_total is not stored"
    return sent, errors


@pytest.mark.timeout(300)
def test_a_receiver_that_is_down_is_alerted_on(faulty: Faulty) -> None:
    """Nothing listens at the spec's webhook: every request the real Alertmanager makes to it
    fails, which its own counters say and AlertmanagerNotificationsFailing (held 0s here) reads.
    Prometheus meanwhile posts to Alertmanager without a failure, which is what
    AlertsNotReachingAlertmanager reads."""
    stack = faulty.stack
    wait_until(lambda: all_up(stack, JOBS), "every job up == 1", 120)
    sent_before, errors_before = prometheus_posts(stack)
    # An alert of its own, sent straight to Alertmanager, so the test needs no other to fire;
    # with no category, it takes the default route to the webhook at any hour.
    posted = httpx.post(
        alertmanager_alerts(stack),
        json=[{"labels": {"alertname": "ReceiverCheck", "severity": "warning"}}],
        auth=home_auth(stack.home),
        timeout=10,
    )
    assert posted.status_code == 200, posted.text
    wait_until(
        lambda: firing(stack, "AlertmanagerNotificationsFailing", integration="webhook"),
        "AlertmanagerNotificationsFailing to fire for the webhook",
        180,
    )
    failed = value(
        stack,
        'sum(alertmanager_notification_requests_failed_total{job="alertmanager",'
        ' integration="webhook"})',
    )
    assert failed is not None
    assert failed > 0
    # Prometheus posts the new alert to Alertmanager, and that post does not fail.
    wait_until(
        lambda: prometheus_posts(stack)[0] > sent_before,
        "Prometheus to post AlertmanagerNotificationsFailing to Alertmanager",
        60,
    )
    assert prometheus_posts(stack)[1] == errors_before
