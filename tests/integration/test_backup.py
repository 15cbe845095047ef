"""Backup and restore through the real CLI on the real stack: the same queries at the same
instant answer the same after the TSDB was wiped and restored from the archive."""

from __future__ import annotations

import json
import shutil
import stat
import tarfile
import time
from typing import Any

import httpx
import pytest

from agentwatch.security import AuditLog
from tests.integration import test_stack
from tests.integration.support import home_auth, wait_until
from tests.integration.test_stack import Stack, output

pytestmark = pytest.mark.timeout(300)

# test_stack's fixture: a fresh home whose config gives every port a free one.
stack = test_stack.stack

INSTANT_QUERIES = (
    "up",
    "count(up)",
    "sum by (job) (scrape_samples_scraped)",
    "max_over_time(prometheus_tsdb_head_series[10s])",
)


def get(stack: Stack, path: str, **params: Any) -> Any:
    response = httpx.get(
        f"{stack.prometheus}{path}",
        params=params,
        timeout=10,
        trust_env=False,
        auth=home_auth(stack.home),
    )
    response.raise_for_status()
    return response.json()["data"]


def answers(stack: Stack, at: float) -> dict[str, Any]:
    """Each query's result at ``at``, in an order that does not depend on Prometheus'."""

    def ordered(result: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(result, key=lambda series: json.dumps(series["metric"], sort_keys=True))

    found = {
        q: ordered(get(stack, "/api/v1/query", query=q, time=at)["result"]) for q in INSTANT_QUERIES
    }
    ranged = get(
        stack,
        "/api/v1/query_range",
        query='up{job="prometheus"}',
        start=at - 10,
        end=at,
        step=1,
    )
    found["range up{job=prometheus}"] = ordered(ranged["result"])
    return found


def test_backup_wipe_restore_answers_the_same(stack: Stack) -> None:
    args = ("up", "--config", str(stack.config), "--detach", "--no-demo")
    first = stack.cli(*args)
    assert first.returncode == 0, output(first)

    def enough() -> bool:
        data = get(stack, "/api/v1/query", query='count_over_time(up{job="prometheus"}[1m])')
        return bool(data["result"]) and float(data["result"][0]["value"][1]) >= 12

    wait_until(enough, "a dozen scrapes of Prometheus itself", 90)
    # An instant well inside what was scraped, and a few scrape intervals in the past.
    at = float(int(time.time()) - 3)
    before = answers(stack, at)
    assert all(before.values()), before
    assert int(float(before["count(up)"][0]["value"][1])) >= 3

    refused = stack.cli("restore", str(stack.tmp / "none.tar.gz"))
    assert refused.returncode == 2, output(refused)

    made = stack.cli("backup")
    assert made.returncode == 0, output(made)
    assert "Not in the archive: the secret values" in output(made)
    archives = list((stack.home / "backups").glob("agentwatch-*.tar.gz"))
    assert len(archives) == 1, archives
    archive = archives[0]
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert list((stack.home / "data" / "prometheus" / "snapshots").iterdir()) == []
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest_file = tar.extractfile("manifest.json")
        assert manifest_file is not None
        manifest = json.loads(manifest_file.read())
    assert any(name.startswith("prometheus/") and name.endswith("/index") for name in names)
    assert "config/prometheus.yml" in names
    assert not any(name.startswith("secrets") for name in names)
    assert {a["username"] for a in manifest["secrets"]["accounts"]} >= {"agentwatch", "admin"}

    running = stack.cli("restore", str(archive))
    assert running.returncode == 1, output(running)
    assert "is running" in output(running)

    assert stack.cli("down").returncode == 0
    shutil.rmtree(stack.home / "data" / "prometheus")

    restored = stack.cli("restore", str(archive))
    assert restored.returncode == 0, output(restored)
    assert (stack.home / "data" / "prometheus").is_dir()
    assert not list((stack.home / "data").glob("prometheus.before-restore-*"))

    second = stack.cli(*args)
    assert second.returncode == 0, output(second)
    wait_until(
        lambda: bool(get(stack, "/api/v1/query", query="up", time=at)["result"]),
        "the restored samples to answer",
        30,
    )
    assert answers(stack, at) == before

    assert stack.cli("down").returncode == 0
    actions = [entry["action"] for entry in AuditLog(stack.home / "audit.log").entries()]
    assert "backup" in actions
    assert "restore" in actions
