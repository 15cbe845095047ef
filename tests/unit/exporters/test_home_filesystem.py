"""agentwatch_home_filesystem_*: the kernel's statvfs numbers for the home's filesystem."""

from __future__ import annotations

import os
from pathlib import Path

from prometheus_client import generate_latest

from agentwatch import catalog
from agentwatch.exporters import (
    HomeFilesystemCollector,
    build_registry,
    filesystem_space,
    format_bytes,
)


def test_size_and_available_bytes_are_statvfs(tmp_path: Path) -> None:
    found = os.statvfs(tmp_path)
    space = filesystem_space(tmp_path)
    assert space.path == tmp_path
    assert space.size_bytes == found.f_blocks * found.f_frsize
    assert 0 <= space.avail_bytes <= space.size_bytes


def test_a_home_not_created_yet_measures_where_it_will_be(tmp_path: Path) -> None:
    assert filesystem_space(tmp_path / "not" / "yet").path == tmp_path


def test_collector_serves_both_families(tmp_path: Path) -> None:
    text = generate_latest(build_registry(HomeFilesystemCollector(tmp_path))).decode()
    size = os.statvfs(tmp_path).f_blocks * os.statvfs(tmp_path).f_frsize
    served = dict(
        line.split(" ") for line in text.splitlines() if line and not line.startswith("#")
    )
    assert float(served[catalog.HOME_FILESYSTEM_SIZE_BYTES.name]) == size
    assert 0 <= float(served[catalog.HOME_FILESYSTEM_AVAIL_BYTES.name]) <= size


def test_format_bytes() -> None:
    assert format_bytes(512) == "512 B"
    assert format_bytes(1536) == "1.5 KiB"
    assert format_bytes(64 * 2**20) == "64.0 MiB"
    assert format_bytes(3 * 2**40) == "3.0 TiB"
