"""Reading a framework tree: one walk, glob matching on relative paths, text files read with
every problem reported (never raised), YAML front matter split off the Markdown body."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ._model import FileProblem, ProblemKind

__all__ = [
    "TextFile",
    "Tree",
    "glob_regex",
    "headings",
    "load_markdown",
    "matches",
    "placeholders",
    "prose",
    "read_text",
    "sniff_binary",
    "walk",
    "words",
]


@lru_cache(maxsize=256)
def glob_regex(glob: str) -> re.Pattern[str]:
    """A glob over '/'-separated relative paths: ``*`` and ``?`` stay within one directory,
    a ``**`` segment spans any number of them (zero included), ``[...]`` is a class."""
    parts = glob.split("/")
    out: list[str] = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            out.append(".*" if last else "(?:[^/]*/)*")
            continue
        i = 0
        while i < len(part):
            ch = part[i]
            if ch == "*":
                out.append("[^/]*")
            elif ch == "?":
                out.append("[^/]")
            elif ch == "[" and "]" in part[i + 2 :]:
                end = part.index("]", i + 2)
                body = part[i + 1 : end]
                out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
                i = end
            else:
                out.append(re.escape(ch))
            i += 1
        if not last:
            out.append("/")
    return re.compile("".join(out))


def matches(path: str, globs: Iterable[str]) -> bool:
    return any(glob_regex(g).fullmatch(path) for g in globs)


@dataclass(frozen=True, slots=True)
class Tree:
    """Files (and directories) under a root, as '/'-separated paths relative to it."""

    files: tuple[str, ...]
    dirs: tuple[str, ...]
    problems: tuple[FileProblem, ...]


def walk(root: Path, exclude_dirs: Iterable[str], prefix: str = "") -> Tree:
    """Every file below ``root``, sorted. Symlinked directories are not followed (no loops);
    a dangling symlink is listed as a file and reported when read. A directory that cannot
    be listed is a problem, and the walk goes on."""
    excluded = set(exclude_dirs)
    files: list[str] = []
    dirs: list[str] = []
    problems: list[FileProblem] = []

    def relative(path: str) -> str:
        rel = Path(path).relative_to(root).as_posix()
        return prefix + ("" if rel == "." else rel)

    def on_error(exc: OSError) -> None:
        where = relative(exc.filename) if exc.filename else prefix or "."
        problems.append(
            FileProblem(where, ProblemKind.UNREADABLE, f"cannot list directory: {exc.strerror}")
        )

    for current, dirnames, filenames in os.walk(root, onerror=on_error):
        dirnames[:] = sorted(d for d in dirnames if d not in excluded)
        base = relative(current)
        base = base + "/" if base and not base.endswith("/") else base
        dirs.extend(base + d for d in dirnames)
        files.extend(base + f for f in filenames)
    return Tree(tuple(sorted(files)), tuple(sorted(dirs)), tuple(problems))


def _unreadable(rel: str, path: Path, exc: OSError) -> FileProblem:
    if path.is_symlink() and not path.exists():
        return FileProblem(rel, ProblemKind.UNREADABLE, "dangling symlink: its target is missing")
    return FileProblem(rel, ProblemKind.UNREADABLE, f"cannot read: {exc.strerror or exc}")


def _regular(rel: str, path: Path) -> tuple[os.stat_result | None, FileProblem | None]:
    try:
        info = path.stat()
    except OSError as exc:
        return None, _unreadable(rel, path, exc)
    if stat.S_ISDIR(info.st_mode):
        return None, FileProblem(rel, ProblemKind.NOT_A_FILE, "is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        # FIFOs and devices are never opened: reading one could block the scan.
        return None, FileProblem(rel, ProblemKind.NOT_A_FILE, "not a regular file")
    return info, None


def sniff_binary(root: Path, rel: str) -> FileProblem | None:
    """A problem when ``rel`` is binary (a NUL byte in its first 8 KiB) or unreadable."""
    path = root / rel
    _, problem = _regular(rel, path)
    if problem is not None:
        return problem
    try:
        with path.open("rb") as handle:
            head = handle.read(8192)
    except OSError as exc:
        return _unreadable(rel, path, exc)
    if b"\x00" in head:
        return FileProblem(rel, ProblemKind.BINARY, "binary file (NUL bytes), not text")
    return None


def read_text(root: Path, rel: str, max_bytes: int) -> tuple[str | None, FileProblem | None]:
    """The file's text (UTF-8, a BOM allowed), or None and the reason it cannot be used."""
    path = root / rel
    info, problem = _regular(rel, path)
    if info is None:
        return None, problem
    if info.st_size > max_bytes:
        return None, FileProblem(
            rel, ProblemKind.TOO_LARGE, f"{info.st_size} bytes, more than the {max_bytes} read"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, _unreadable(rel, path, exc)
    if b"\x00" in data:
        return None, FileProblem(rel, ProblemKind.BINARY, "binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, FileProblem(
            rel,
            ProblemKind.NOT_UTF8,
            f"not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start}",
            line,
        )


@dataclass(frozen=True, slots=True)
class TextFile:
    path: str
    # None: the file has no front matter block (it does not start with a '---' line).
    front_matter: dict[Any, Any] | None
    body: str
    text: str


def _yaml_problem(rel: str, exc: yaml.YAMLError) -> FileProblem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    parts = [getattr(exc, "context", None), getattr(exc, "problem", None)]
    message = "; ".join(str(p) for p in parts if p) or str(exc)
    if mark is None:
        return FileProblem(rel, ProblemKind.MALFORMED_FRONT_MATTER, f"invalid YAML: {message}")
    # The block starts on the file's second line; marks count from 0.
    return FileProblem(
        rel,
        ProblemKind.MALFORMED_FRONT_MATTER,
        f"invalid YAML: {message} (column {mark.column + 1})",
        mark.line + 2,
    )


def load_markdown(rel: str, text: str) -> tuple[TextFile | None, FileProblem | None]:
    """Split front matter (``---`` ... ``---``, parsed with yaml.safe_load) from the body."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return TextFile(rel, None, text, text), None
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        return None, FileProblem(
            rel,
            ProblemKind.MALFORMED_FRONT_MATTER,
            "front matter opened with '---' on line 1 is never closed",
            1,
        )
    try:
        data = yaml.safe_load("".join(lines[1:end]))
    except yaml.YAMLError as exc:
        return None, _yaml_problem(rel, exc)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, FileProblem(
            rel,
            ProblemKind.MALFORMED_FRONT_MATTER,
            f"front matter is a YAML {type(data).__name__}, expected 'key: value' lines",
            2,
        )
    return TextFile(rel, data, "".join(lines[end + 1 :]), text), None


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")


def prose(markdown: str) -> str:
    """The Markdown without fenced code blocks and inline code (lines kept, so line numbers
    still count): placeholders, headings and links are looked for in prose only."""
    out: list[str] = []
    fence: str | None = None
    for line in markdown.split("\n"):
        opening = _FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)[0] * len(opening.group(1))
            out.append("")
        elif fence is not None:
            if line.strip().startswith(fence):
                fence = None
            out.append("")
        else:
            out.append(_INLINE_CODE.sub("", line))
    return "\n".join(out)


_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def headings(markdown: str) -> list[str]:
    return [m.group(1) for m in _HEADING.finditer(prose(markdown))]


def placeholders(markdown: str) -> list[str]:
    """``{{ name }}`` placeholders in the prose, in order of appearance."""
    return [m.group(1) for m in PLACEHOLDER.finditer(prose(markdown))]


def words(text: str) -> list[str]:
    return _WORD.findall(text)
