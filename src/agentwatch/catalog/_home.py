"""Families about the stack's home directory: the filesystem its data lives on. The framework
exporter serves them (it runs whenever the stack does and is given the home); the
HomeFilesystemAlmostFull alert and ``agentwatch status`` read the same numbers."""

from __future__ import annotations

from ._model import MetricFamily, MetricType, Origin

__all__ = [
    "HOME_FAMILIES",
    "HOME_FILESYSTEM_AVAIL_BYTES",
    "HOME_FILESYSTEM_SIZE_BYTES",
]

G = MetricType.GAUGE

HOME_FILESYSTEM_AVAIL_BYTES = MetricFamily(
    "agentwatch_home_filesystem_avail_bytes",
    G,
    "bytes",
    (),
    "Bytes an unprivileged process may still write on the filesystem that holds the agentwatch "
    "home (Prometheus' TSDB, Alertmanager's data, logs, audit log, console state).",
    Origin.FRAMEWORK_EXPORTER,
)

HOME_FILESYSTEM_SIZE_BYTES = MetricFamily(
    "agentwatch_home_filesystem_size_bytes",
    G,
    "bytes",
    (),
    "Size of the filesystem that holds the agentwatch home.",
    Origin.FRAMEWORK_EXPORTER,
)

HOME_FAMILIES: tuple[MetricFamily, ...] = (HOME_FILESYSTEM_AVAIL_BYTES, HOME_FILESYSTEM_SIZE_BYTES)
