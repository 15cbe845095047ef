"""OpenMetrics text with timestamps, as ``promtool tsdb create-blocks-from openmetrics`` reads it.

OpenMetrics wants every sample of a metric family in one contiguous run, but snapshots arrive
one point in time at a time, each holding every family. So each family spools its samples to a
file of its own, in time order, and ``write`` concatenates the spools family after family
(``# HELP``/``# TYPE`` once at the head of each), ending with ``# EOF``. Memory stays flat
however long the history is.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO

from prometheus_client.metrics_core import Metric
from prometheus_client.utils import floatToGoString

__all__ = ["OpenMetricsSpool"]

# Samples Prometheus does not keep from a scrape either, or that only restate the family.
_SKIPPED_SUFFIXES = ("_created",)
# Families of these types map one to one onto OpenMetrics; others are written as "unknown".
_TYPES = {"counter", "gauge", "histogram", "summary", "info", "stateset", "gaugehistogram"}


def _escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


class _Family:
    __slots__ = ("header", "path", "spool")

    def __init__(self, header: str, path: Path) -> None:
        self.header = header
        self.path = path
        self.spool: IO[str] = path.open("w", encoding="utf-8")


class OpenMetricsSpool:
    """Collects timestamped snapshots of metric families; ``write`` emits one OpenMetrics file."""

    def __init__(self, directory: Path | None = None) -> None:
        self._temporary = tempfile.TemporaryDirectory(
            prefix="agentwatch-om-", dir=directory, ignore_cleanup_errors=True
        )
        self._dir = Path(self._temporary.name)
        # Where callers may put files that should vanish with the spool.
        self.directory = self._dir / "out"
        self.directory.mkdir()
        self._families: dict[str, _Family] = {}
        # (sample name, its labels, extra labels) -> "name{labels} ": each series formatted once.
        self._prefixes: dict[
            tuple[str, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]], str
        ] = {}
        self.samples = 0

    def add(
        self,
        metrics: Iterable[Metric],
        timestamp: float,
        extra_labels: Mapping[str, str] | None = None,
    ) -> None:
        """Every sample of ``metrics`` at ``timestamp`` (Unix seconds), with ``extra_labels``."""
        suffix = f" {timestamp:.3f}\n"
        extra = tuple(sorted((extra_labels or {}).items()))
        for metric in metrics:
            family = self._family(metric)
            lines = []
            for sample in metric.samples:
                if sample.name.endswith(_SKIPPED_SUFFIXES):
                    continue
                key = (sample.name, tuple(sample.labels.items()), extra)
                prefix = self._prefixes.get(key)
                if prefix is None:
                    prefix = self._prefixes[key] = self._prefix(
                        sample.name, {**sample.labels, **dict(extra)}
                    )
                value = float(sample.value)
                # repr is exact and parses everywhere; Go's spelling only matters for +Inf/NaN.
                text = repr(value) if math.isfinite(value) else floatToGoString(value)
                lines.append(prefix + text + suffix)
            family.spool.writelines(lines)
            self.samples += len(lines)

    @staticmethod
    def _prefix(name: str, labels: Mapping[str, str]) -> str:
        if not labels:
            return f"{name} "
        body = ",".join(f'{key}="{_escape_label(labels[key])}"' for key in sorted(labels))
        return f"{name}{{{body}}} "

    def _family(self, metric: Metric) -> _Family:
        family = self._families.get(metric.name)
        if family is None:
            kind = metric.type if metric.type in _TYPES else "unknown"
            header = f"# TYPE {metric.name} {kind}\n"
            if metric.documentation:
                header = f"# HELP {metric.name} {_escape_help(metric.documentation)}\n" + header
            path = self._dir / f"family-{len(self._families):04d}.om"
            family = self._families[metric.name] = _Family(header, path)
        return family

    def write(self, target: Path) -> int:
        """Write the OpenMetrics file; return how many samples it holds. The spool empties."""
        written = self.samples
        with target.open("w", encoding="utf-8") as out:
            for family in self._families.values():
                family.spool.close()
                if family.path.stat().st_size == 0:
                    continue
                out.write(family.header)
                with family.path.open(encoding="utf-8") as spool:
                    shutil.copyfileobj(spool, out, 1 << 20)
            out.write("# EOF\n")
        for family in self._families.values():
            family.spool = family.path.open("w", encoding="utf-8")
        self.samples = 0
        return written

    def close(self) -> None:
        for family in self._families.values():
            family.spool.close()
        self._temporary.cleanup()

    def __enter__(self) -> OpenMetricsSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
