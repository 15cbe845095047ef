"""Tiers for every test (tests/tiers.py), and the fixtures that hand out the binaries."""

from __future__ import annotations

import sys
from collections.abc import Generator
from pathlib import Path

import pytest

from tests.tiers import BINARIES, GUARD, Binary, Tier, slowest_modules_first, tier_of

_TESTS = Path(__file__).resolve().parent
_TIER = pytest.StashKey[Tier]()


def pytest_configure(config: pytest.Config) -> None:
    for tier in Tier:
        config.addinivalue_line("markers", f"{tier.marker}: set by tests/tiers.py")
    # Audit hooks cannot be removed; one per process (each xdist worker configures its own).
    if not getattr(sys, "_agentwatch_tier_guard", False):
        sys.addaudithook(GUARD)
        sys._agentwatch_tier_guard = True  # type: ignore[attr-defined]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        tier = tier_of(item.path.relative_to(_TESTS), getattr(item, "fixturenames", ()))
        item.stash[_TIER] = tier
        item.add_marker(tier.marker)
    items[:] = slowest_modules_first(items, lambda item: item.stash[_TIER])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    GUARD.enter(item.nodeid, item.stash.get(_TIER, Tier.UNIT))
    try:
        return (yield)
    finally:
        GUARD.leave()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    # A refused start the code under test caught and carried on from still fails the test.
    if report.passed and GUARD.refused and report.when == "call":
        report.outcome = "failed"
        report.longrepr = "\n".join(GUARD.refused)
    return report


def _binary(fixture: str) -> Path:
    binary: Binary = next(b for b in BINARIES if b.fixture == fixture)
    try:
        return binary.path()
    except LookupError as missing:
        pytest.fail(str(missing))


@pytest.fixture(scope="session")
def promtool() -> Path:
    return _binary("promtool")


@pytest.fixture(scope="session")
def amtool() -> Path:
    return _binary("amtool")


@pytest.fixture(scope="session")
def docker_compose() -> Path:
    return _binary("docker_compose")


@pytest.fixture(scope="session")
def prometheus_binary() -> Path:
    return _binary("prometheus_binary")


@pytest.fixture(scope="session")
def alertmanager_binary() -> Path:
    return _binary("alertmanager_binary")


@pytest.fixture(scope="session")
def victoria_metrics_binary() -> Path:
    return _binary("victoria_metrics_binary")


@pytest.fixture(scope="session")
def chromium() -> Path:
    return _binary("chromium")
