"""Finding the Prometheus and Alertmanager binaries, with the Debian package that provides each."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from ._errors import BinaryNotFoundError

__all__ = [
    "ALERTMANAGER",
    "AMTOOL",
    "PROMETHEUS",
    "PROMTOOL",
    "Binaries",
    "Binary",
    "find_binaries",
]

INSTALL_SCRIPT = "scripts/install-system-deps.sh"


@dataclass(frozen=True)
class Binary:
    name: str
    # Names tried in order: upstream's name first, then the one a distribution renamed it to.
    candidates: tuple[str, ...]
    package: str


PROMETHEUS = Binary("prometheus", ("prometheus",), "prometheus")
PROMTOOL = Binary("promtool", ("promtool",), "prometheus")
# Debian ships Alertmanager as prometheus-alertmanager; upstream tarballs call it alertmanager.
ALERTMANAGER = Binary(
    "alertmanager", ("alertmanager", "prometheus-alertmanager"), "prometheus-alertmanager"
)
AMTOOL = Binary("amtool", ("amtool",), "prometheus-alertmanager")


@dataclass(frozen=True)
class Binaries:
    prometheus: Path
    promtool: Path
    alertmanager: Path
    amtool: Path


def _which(binary: Binary, path: str | None) -> Path | None:
    for candidate in binary.candidates:
        found = shutil.which(candidate, path=path)
        if found is not None:
            return Path(found)
    return None


def find_binaries(path: str | None = None) -> Binaries:
    """All four binaries from ``path`` (default: $PATH), or one error naming every one missing."""
    found: dict[str, Path] = {}
    missing: list[Binary] = []
    for binary in (PROMETHEUS, PROMTOOL, ALERTMANAGER, AMTOOL):
        location = _which(binary, path)
        if location is None:
            missing.append(binary)
        else:
            found[binary.name] = location
    if missing:
        lines = [
            f"{b.name} not found on PATH (looked for {', '.join(b.candidates)}); "
            f"it comes from the Debian package {b.package}"
            for b in missing
        ]
        packages = " ".join(sorted({b.package for b in missing}))
        raise BinaryNotFoundError(
            "\n".join(lines)
            + f"\nInstall with `sudo apt-get install --no-install-recommends {packages}`, "
            + f"or run {INSTALL_SCRIPT}."
        )
    return Binaries(
        prometheus=found[PROMETHEUS.name],
        promtool=found[PROMTOOL.name],
        alertmanager=found[ALERTMANAGER.name],
        amtool=found[AMTOOL.name],
    )
