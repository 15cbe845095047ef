"""Many Prometheus-like scrapers on one /metrics endpoint, each on its own schedule.

Each scraper behaves as one Prometheus server does with one target: it scrapes every
``interval`` at its own offset within the interval (Prometheus spreads targets the same way),
never overlaps its own scrapes (a tick that comes while the previous scrape is still running is
skipped, and counted), asks for OpenMetrics and gzip as Prometheus does, and counts a scrape as
failed when it errs, answers other than 200, or takes longer than ``timeout``. The body is read
in full: a scrape is over when the last byte has arrived.

The scrapers are threads of this process, so run the exporter in another process: what is
measured is then the exporter's answer time, not a contest for this interpreter's GIL.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import numpy as np

__all__ = ["PROMETHEUS_ACCEPT", "ScrapeLoad", "run_scrapers"]

# What Prometheus 2.x sends with exemplar storage on: OpenMetrics first, then the text format.
PROMETHEUS_ACCEPT = (
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
    "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
)


@dataclass
class ScrapeLoad:
    """What the scrapers saw: every successful scrape's seconds, and failures by reason."""

    scrapers: int
    seconds: float
    interval: float
    timeout: float
    latencies: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    bytes_read: int = 0

    @property
    def scrapes(self) -> int:
        return len(self.latencies) + sum(self.failures.values())

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    def percentile(self, q: float) -> float:
        return float(np.percentile(self.latencies, q)) if self.latencies else float("nan")

    def summary(self) -> str:
        reasons = ", ".join(f"{n} {why}" for why, n in self.failures.most_common()) or "none"
        return (
            f"{self.scrapers} scrapers every {self.interval:g}s for {self.seconds:g}s: "
            f"{self.scrapes} scrapes, {self.failed} failed ({reasons}); "
            f"p50 {self.percentile(50) * 1000:.1f} ms, p99 {self.percentile(99) * 1000:.1f} ms, "
            f"max {max(self.latencies, default=float('nan')) * 1000:.1f} ms"
        )


def _scrape(
    host: str, port: int, path: str, headers: Mapping[str, str], timeout: float
) -> tuple[int, int]:
    """One scrape on a fresh connection (Prometheus keeps connections alive; a fresh one
    costs the exporter more, so this errs on the harsh side). Returns (status, body bytes)."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=dict(headers))
        response = connection.getresponse()
        body = response.read()
        return response.status, len(body)
    finally:
        connection.close()


def run_scrapers(
    url: str,
    *,
    scrapers: int,
    seconds: float,
    interval: float,
    timeout: float,
    headers: Mapping[str, str] | None = None,
) -> ScrapeLoad:
    """``scrapers`` scrapers on ``url`` for ``seconds``; see the module's docstring."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    path = parts.path or "/"
    sent = {"Accept": PROMETHEUS_ACCEPT, "Accept-Encoding": "gzip", **(headers or {})}
    load = ScrapeLoad(scrapers=scrapers, seconds=seconds, interval=interval, timeout=timeout)
    lock = threading.Lock()
    start = time.monotonic() + 0.5
    end = start + seconds

    def scraper(index: int) -> None:
        tick = start + interval * index / scrapers
        while tick < end:
            now = time.monotonic()
            if now < tick:
                time.sleep(tick - now)
            began = time.perf_counter()
            reason: str | None = None
            size = 0
            try:
                status, size = _scrape(host, port, path, sent, timeout)
                if status != 200:
                    reason = f"HTTP {status}"
            except TimeoutError:
                reason = "timed out"
            except (OSError, http.client.HTTPException) as exc:
                reason = type(exc).__name__
            took = time.perf_counter() - began
            if reason is None and took > timeout:
                reason = "over the scrape timeout"
            with lock:
                if reason is None:
                    load.latencies.append(took)
                    load.bytes_read += size
                else:
                    load.failures[reason] += 1
            # The next tick on this scraper's schedule that has not passed yet; ticks it slept
            # through while a slow scrape ran are the ones Prometheus would have skipped.
            tick += interval
            skipped = 0
            while tick < time.monotonic() and tick < end:
                tick += interval
                skipped += 1
            if skipped:
                with lock:
                    load.failures["skipped (previous scrape still running)"] += skipped

    threads = [
        threading.Thread(target=scraper, args=(i,), name=f"scraper-{i}", daemon=True)
        for i in range(scrapers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return load
