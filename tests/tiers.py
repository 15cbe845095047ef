"""Which tier a test belongs to, decided from where it lives and which binaries it takes.

A test never declares its tier. tests/conftest.py marks every collected test with exactly one
of ``unit``, ``tool``, ``integration``, ``browser`` or ``fuzz``:

- ``fuzz``: everything under tests/fuzz/ (pure Python, but thousands of inputs per target);
- otherwise the highest tier among the binaries the test takes as fixtures (directly or through
  other fixtures): ``promtool``, ``amtool`` and ``docker_compose`` make it ``tool``; the
  servers (``prometheus_binary``, ``alertmanager_binary``, ``victoria_metrics_binary``) make it
  ``integration``; ``chromium`` makes it ``browser``;
- otherwise everything under tests/integration/ is ``integration`` (it runs real servers
  through the ``agentwatch`` CLI) and the rest is ``unit``: pure Python.

A binary is reached only through its fixture, and a test that starts one its tier does not
allow fails with the name of the fixture to take (see ``TierGuard``), so the marks stay true
without anyone remembering them. `make check` runs the unit tier; `make test` runs them all.
"""

from __future__ import annotations

import enum
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Protocol, TypeVar

__all__ = [
    "BINARIES",
    "GUARD",
    "Binary",
    "Tier",
    "TierGuard",
    "binary_started",
    "slowest_modules_first",
    "tier_of",
]

INSTALL_SCRIPT = "scripts/install-system-deps.sh"


class Tier(enum.IntEnum):
    """Ordered by what a test needs: each tier may run what the ones below it run."""

    UNIT = 0
    FUZZ = 1
    TOOL = 2
    INTEGRATION = 3
    BROWSER = 4

    @property
    def marker(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Binary:
    """A program outside Python that some tests run, and the fixture that provides it."""

    fixture: str
    # Names the program may be started as: upstream's first, then a distribution's.
    names: tuple[str, ...]
    package: str
    tier: Tier

    def path(self) -> Path:
        """Where it is installed; a missing binary fails the test, it is never skipped."""
        for name in self.names:
            found = shutil.which(name)
            if found is not None:
                return Path(found)
        raise LookupError(
            f"{self.names[0]} is not installed (Debian package {self.package}): "
            f"run {INSTALL_SCRIPT}, which `make test` runs"
        )


BINARIES: tuple[Binary, ...] = (
    Binary("promtool", ("promtool",), "prometheus", Tier.TOOL),
    Binary("amtool", ("amtool",), "prometheus-alertmanager", Tier.TOOL),
    Binary("docker_compose", ("docker-compose",), "docker-compose", Tier.TOOL),
    Binary("prometheus_binary", ("prometheus",), "prometheus", Tier.INTEGRATION),
    Binary(
        "alertmanager_binary",
        ("alertmanager", "prometheus-alertmanager"),
        "prometheus-alertmanager",
        Tier.INTEGRATION,
    ),
    Binary("victoria_metrics_binary", ("victoria-metrics",), "victoria-metrics", Tier.INTEGRATION),
    Binary("chromium", ("chromium",), "chromium", Tier.BROWSER),
)
_BY_PROGRAM = {name: binary for binary in BINARIES for name in binary.names}


class _InModule(Protocol):
    @property
    def path(self) -> Path: ...


_T = TypeVar("_T", bound=_InModule)


def tier_of(path: PurePath, fixtures: Iterable[str]) -> Tier:
    """The tier of a test in ``path`` (relative to tests/) taking ``fixtures``."""
    if path.parts[:1] == ("fuzz",):
        return Tier.FUZZ
    by_place = Tier.INTEGRATION if path.parts[:1] == ("integration",) else Tier.UNIT
    return max([by_place, *(binary.tier for binary in BINARIES if binary.fixture in fixtures)])


def slowest_modules_first(items: Sequence[_T], tier: Callable[[_T], Tier]) -> list[_T]:
    """``items`` with whole modules ordered by their highest tier, highest first, and in
    collection order otherwise; a module's tests stay together and in their order.

    pytest-xdist (``--dist loadfile``) hands out modules in this order as workers free up, so
    the integration modules, which mostly wait on scrape and evaluation intervals, start at
    once and the quick unit modules fill the gaps; the reverse leaves one long module running
    alone at the end. Keeping a module together keeps its module-scoped fixtures set up once.
    """
    modules: dict[Path, list[_T]] = {}
    for item in items:
        modules.setdefault(item.path, []).append(item)
    ordered = sorted(modules.values(), key=lambda module: -max(tier(i) for i in module))
    return [item for module in ordered for item in module]


def binary_started(event: str, args: Sequence[object]) -> Binary | None:
    """The known binary an audit event starts, if it starts one.

    ``subprocess.Popen`` is audited with (executable, args, cwd, env), ``os.posix_spawn`` and
    ``os.exec`` with (path, argv, env); a program run through a shell is not looked into.
    """
    if event == "subprocess.Popen":
        executable, argv = args[0], args[1]
        if executable is None and isinstance(argv, Sequence) and not isinstance(argv, str | bytes):
            executable = argv[0] if argv else None
    elif event in ("os.posix_spawn", "os.exec"):
        executable = args[0]
    else:
        return None
    if not isinstance(executable, str | bytes | PurePath):
        return None
    name = Path(executable.decode() if isinstance(executable, bytes) else executable).name
    return _BY_PROGRAM.get(name)


class TierGuard:
    """Refuses, while a test runs, to start a binary its tier does not allow.

    Installed as an audit hook (sys.addaudithook) so that it sees every process started in the
    test process, by the test or by the library under test, whatever path it is started by.
    The refusal raises in the caller and is kept, so a caller that swallows the error still
    fails the test (see tests/conftest.py).
    """

    AUDITED = frozenset({"subprocess.Popen", "os.posix_spawn", "os.exec"})

    def __init__(self) -> None:
        self.test: str | None = None
        self.tier = Tier.BROWSER
        self.refused: list[str] = []

    def enter(self, test: str, tier: Tier) -> None:
        self.test, self.tier, self.refused = test, tier, []

    def leave(self) -> None:
        self.test, self.tier = None, Tier.BROWSER

    def __call__(self, event: str, args: tuple[object, ...]) -> None:
        if event not in self.AUDITED or self.test is None:
            return
        binary = binary_started(event, args)
        if binary is None or binary.tier <= self.tier:
            return
        message = (
            f"{self.test} is a {self.tier.marker} test but started {binary.names[0]}: "
            f"take the `{binary.fixture}` fixture for its path, which makes the test "
            f"{binary.tier.marker} tier (tests/tiers.py)"
        )
        self.refused.append(message)
        raise PermissionError(message)


# The one guard of this process: tests/conftest.py installs it and tells it which test runs.
GUARD = TierGuard()
