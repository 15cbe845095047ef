"""Finding prometheus, promtool, alertmanager (or Debian's prometheus-alertmanager) and amtool."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentwatch.stack import BinaryNotFoundError, find_binaries


def _fake(directory: Path, *names: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = directory / name
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)


def test_finds_all_four(tmp_path: Path) -> None:
    _fake(tmp_path, "prometheus", "promtool", "alertmanager", "amtool")
    found = find_binaries(str(tmp_path))
    assert found.prometheus == tmp_path / "prometheus"
    assert found.promtool == tmp_path / "promtool"
    assert found.alertmanager == tmp_path / "alertmanager"
    assert found.amtool == tmp_path / "amtool"


def test_falls_back_to_the_debian_name_for_alertmanager(tmp_path: Path) -> None:
    _fake(tmp_path, "prometheus", "promtool", "prometheus-alertmanager", "amtool")
    assert find_binaries(str(tmp_path)).alertmanager == tmp_path / "prometheus-alertmanager"


def test_prefers_the_upstream_name(tmp_path: Path) -> None:
    _fake(tmp_path / "a", "prometheus-alertmanager")
    _fake(tmp_path / "b", "prometheus", "promtool", "alertmanager", "amtool")
    path = f"{tmp_path / 'a'}:{tmp_path / 'b'}"
    assert find_binaries(path).alertmanager == tmp_path / "b" / "alertmanager"


def test_missing_alertmanager_names_its_package_and_the_script(tmp_path: Path) -> None:
    _fake(tmp_path, "prometheus", "promtool")
    with pytest.raises(BinaryNotFoundError) as caught:
        find_binaries(str(tmp_path))
    message = caught.value.message
    assert "alertmanager not found" in message
    assert "amtool not found" in message
    assert "prometheus-alertmanager" in message
    assert "prometheus not found" not in message
    assert "apt-get install --no-install-recommends prometheus-alertmanager" in message
    assert "scripts/install-system-deps.sh" in message
    assert caught.value.exit_code == 1


def test_nothing_installed_names_both_packages(tmp_path: Path) -> None:
    with pytest.raises(BinaryNotFoundError) as caught:
        find_binaries(str(tmp_path))
    assert "install --no-install-recommends prometheus prometheus-alertmanager" in str(caught.value)


def test_non_executable_files_do_not_count(tmp_path: Path) -> None:
    _fake(tmp_path, "promtool", "alertmanager", "amtool")
    (tmp_path / "prometheus").write_text("not executable")
    with pytest.raises(BinaryNotFoundError, match="prometheus not found"):
        find_binaries(str(tmp_path))
