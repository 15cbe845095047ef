from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

__all__ = ["append_text", "dump_yaml", "write_text", "write_yaml"]


class _Dumper(yaml.SafeDumper):
    """Block style, keys in the order given, multi-line strings as literal blocks."""


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=100)


def _mode_for(path: Path) -> int:
    """The mode of the file being replaced, else what open() would give a new one."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def write_text(path: Path, text: str, *, mode: int | None = None) -> None:
    """Write atomically: a reader sees the old file or the new one, never half of either.

    Without ``mode``, the file keeps the mode it had, or gets the one open() would give it:
    a temporary file is always 0600, which would leave a config unreadable to a server running
    as another user (Prometheus in a container, say).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    final_mode = _mode_for(path) if mode is None else mode
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, final_mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_yaml(path: Path, data: Any, *, mode: int | None = None) -> None:
    write_text(path, dump_yaml(data), mode=mode)


def append_text(path: Path, text: str, *, mode: int = 0o600) -> None:
    """Append ``text`` in one ``write()`` on a file opened with O_APPEND, all or nothing.

    One write keeps lines from several processes from interleaving. A full disk makes the
    kernel write what fits and return a short count: those bytes are cut off again (when
    nothing was appended after them) and ENOSPC is raised, so the next append does not glue
    a good line onto half of this one. ``mode`` applies when the file is created.
    """
    data = text.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, mode)
    try:
        written = os.write(fd, data)
        if written < len(data):
            end = os.lseek(fd, 0, os.SEEK_CUR)
            if os.fstat(fd).st_size == end:
                os.ftruncate(fd, end - written)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
    finally:
        os.close(fd)
