"""The tiers the suite is split into (tests/tiers.py): what decides a test's tier, and the
guard that keeps a test from starting a binary its tier does not allow."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePath

import pytest

from tests.tiers import (
    BINARIES,
    GUARD,
    Tier,
    TierGuard,
    binary_started,
    slowest_modules_first,
    tier_of,
)


@pytest.mark.parametrize(
    ("path", "fixtures", "tier"),
    [
        ("unit/spec/test_spec.py", ["tmp_path"], Tier.UNIT),
        ("unit/generate/test_rules_promtool.py", ["promtool", "tmp_path"], Tier.TOOL),
        ("unit/generate/test_compose.py", ["docker_compose"], Tier.TOOL),
        ("unit/benchmarks/test_smoke.py", ["prometheus_binary", "amtool"], Tier.INTEGRATION),
        ("integration/test_stack.py", ["tmp_path"], Tier.INTEGRATION),
        ("integration/test_end_to_end.py", ["promtool"], Tier.INTEGRATION),
        ("integration/test_console_browser.py", ["chromium", "promtool"], Tier.BROWSER),
        ("fuzz/test_spec_loader.py", ["scratch_dir"], Tier.FUZZ),
    ],
)
def test_a_tier_comes_from_the_place_and_the_binaries_taken(
    path: str, fixtures: list[str], tier: Tier
) -> None:
    assert tier_of(PurePath(path), fixtures) is tier


def test_every_binary_has_a_fixture_in_the_conftest() -> None:
    conftest = (Path(__file__).parents[1] / "conftest.py").read_text()
    for binary in BINARIES:
        assert f"def {binary.fixture}() -> Path:" in conftest, binary.fixture


@pytest.mark.parametrize(
    ("event", "args", "started"),
    [
        ("subprocess.Popen", (None, ["/usr/bin/promtool", "check"], None, None), "promtool"),
        ("subprocess.Popen", ("/usr/bin/amtool", ["amtool"], None, None), "amtool"),
        ("subprocess.Popen", (None, ["prometheus-alertmanager"], None, None), "alertmanager"),
        ("subprocess.Popen", (None, [Path("/bin/docker-compose")], None, None), "docker-compose"),
        ("os.posix_spawn", (b"/usr/bin/prometheus", [b"prometheus"], {}), "prometheus"),
        ("os.exec", ("/usr/bin/chromium", ["chromium"], {}), "chromium"),
        # Not a binary of a tier: Python itself, a stand-in script, a shell command line.
        ("subprocess.Popen", (None, [sys.executable, "-m", "agentwatch"], None, None), None),
        ("subprocess.Popen", (None, ["/tmp/promtool-stand-in"], None, None), None),
        ("subprocess.Popen", ("/bin/sh", ["/bin/sh", "-c", "promtool"], None, None), None),
        ("open", ("/usr/bin/promtool", "r", 0), None),
    ],
)
def test_the_binary_an_audit_event_starts(
    event: str, args: tuple[object, ...], started: str | None
) -> None:
    binary = binary_started(event, args)
    assert (binary.names[0] if binary else None) == started


def test_the_guard_refuses_a_binary_above_the_tier_and_remembers() -> None:
    guard = TierGuard()
    popen = (None, ["/usr/bin/amtool", "check-config"], None, None)
    guard.enter("tests/unit/x.py::test_y", Tier.UNIT)
    with pytest.raises(PermissionError, match=r"x.py::test_y is a unit test but started amtool"):
        guard("subprocess.Popen", popen)
    assert len(guard.refused) == 1
    assert "take the `amtool` fixture" in guard.refused[0]
    guard.enter("tests/unit/x.py::test_z", Tier.TOOL)
    guard("subprocess.Popen", popen)  # a tool test may
    with pytest.raises(PermissionError, match="integration"):
        guard("subprocess.Popen", (None, ["prometheus"], None, None))
    guard.leave()
    guard("subprocess.Popen", (None, ["prometheus"], None, None))  # between tests: not judged


def test_the_guard_is_installed_in_this_process() -> None:
    # This test is unit tier: the conftest's audit hook refuses amtool before it starts.
    with pytest.raises(PermissionError, match="take the `amtool` fixture"):
        subprocess.run(["amtool", "--version"], capture_output=True, check=False)
    # Refused as it should be: forget it, or the conftest fails this test for it.
    assert len(GUARD.refused) == 1
    GUARD.refused.clear()


@dataclass(frozen=True)
class _Item:
    path: Path
    name: str
    tier: Tier


def test_modules_are_ordered_by_their_highest_tier_and_kept_whole() -> None:
    a1, a2 = _Item(Path("a.py"), "1", Tier.UNIT), _Item(Path("a.py"), "2", Tier.TOOL)
    b1 = _Item(Path("b.py"), "1", Tier.UNIT)
    c1, c2 = _Item(Path("c.py"), "1", Tier.INTEGRATION), _Item(Path("c.py"), "2", Tier.UNIT)
    ordered = slowest_modules_first([a1, b1, a2, c1, c2], lambda item: item.tier)
    assert ordered == [c1, c2, a1, a2, b1]
