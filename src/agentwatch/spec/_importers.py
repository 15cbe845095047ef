"""SLOs from Sloth ``prometheus/v1`` files and OpenSLO v1 files, as agentwatch ``Slo`` models.

Only what the ``Slo`` model can express is imported; anything that would change what an SLO
means (an SLI or SLO plugin other than alert_for, a calendar window, time slices, a disabled
alert) is rejected with a ``SpecError`` that names the file and the field, never silently
dropped. A Sloth file's service and labels become the SLO's ``service`` and ``labels``, so the
rules carry Sloth's ``sloth_id``; ``for`` counts only under Sloth's alert_for plugin, as in
Sloth. Presentation-only fields (Sloth's annotations; OpenSLO alert policies) are ignored: the
generated rules carry agentwatch's own annotations and multiwindow alerts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from ._errors import SpecError
from ._model import Slo
from ._openslo import OPENSLO_VERSION, openslo_slos
from ._slo_fields import ProblemsError
from ._sloth import SLOTH_VERSION, sloth_slos
from ._yaml import read_yaml

__all__ = [
    "SloFormat",
    "detect_slo_format",
    "import_openslo",
    "import_slo_file",
    "import_slo_files",
    "import_sloth",
]

SloFormat = Literal["sloth", "openslo"]


def _read_documents(path: Path) -> list[Any]:
    return [d for d in read_yaml(path) if d is not None]


def detect_slo_format(document: object) -> SloFormat | None:
    """``sloth`` or ``openslo`` by content (the version key each format requires), else None."""
    first = document[0] if isinstance(document, list) and document else document
    if isinstance(first, Mapping):
        if first.get("version") == SLOTH_VERSION:
            return "sloth"
        if first.get("apiVersion") == OPENSLO_VERSION:
            return "openslo"
    return None


def _import(path: Path, fmt: SloFormat | None) -> list[Slo]:
    documents = _read_documents(path)
    detected = detect_slo_format(documents[0]) if documents else None
    expected = fmt or detected
    if expected is None or (fmt is not None and detected != fmt):
        wanted = {
            None: f"version: {SLOTH_VERSION} (Sloth) or apiVersion: {OPENSLO_VERSION} (OpenSLO)",
            "sloth": f"version: {SLOTH_VERSION} (a Sloth file)",
            "openslo": f"apiVersion: {OPENSLO_VERSION} (an OpenSLO file)",
        }[fmt]
        raise SpecError(str(path), [("", f"not a supported SLO file: expected {wanted}")])
    try:
        return sloth_slos(documents) if expected == "sloth" else openslo_slos(documents)
    except ProblemsError as exc:
        raise SpecError(str(path), exc.problems) from None


def import_sloth(path: Path) -> list[Slo]:
    """The SLOs of a Sloth ``prometheus/v1`` file; ``SpecError`` names each bad field."""
    return _import(path, "sloth")


def import_openslo(path: Path) -> list[Slo]:
    """The ``kind: SLO`` objects of an OpenSLO v1 file; ``SpecError`` names each bad field."""
    return _import(path, "openslo")


def import_slo_file(path: Path) -> list[Slo]:
    """The SLOs of a Sloth or OpenSLO file, told apart by content."""
    return _import(path, None)


def import_slo_files(paths: Iterable[Path]) -> list[Slo]:
    """The SLOs of every file, in order; an SLO name used twice is an error naming the file
    of its second use (the rules are keyed by name)."""
    slos: list[Slo] = []
    seen: dict[str, Path] = {}
    for path in paths:
        for index, slo in enumerate(import_slo_file(path)):
            if slo.name in seen:
                raise SpecError(
                    str(path),
                    [
                        (
                            f"SLO {index + 1}",
                            f"SLO name {slo.name!r} is already used in {seen[slo.name]}",
                        )
                    ],
                )
            seen[slo.name] = path
            slos.append(slo)
    return slos
