"""Fixtures of the fuzz targets (their Hypothesis settings: tests/hypothesis_profiles.py)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_SHM = Path("/dev/shm")


@pytest.fixture(scope="module")
def scratch_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Where each input is written for the parser to read: in memory (/dev/shm) where there
    is one, since rewriting a file on disk 10,000 times costs more than the parsing."""
    if _SHM.is_dir():
        path = Path(tempfile.mkdtemp(prefix="agentwatch-fuzz-", dir=_SHM))
        yield path
        shutil.rmtree(path, ignore_errors=True)
    else:
        yield tmp_path_factory.mktemp("fuzz")
