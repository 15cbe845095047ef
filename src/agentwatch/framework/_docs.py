"""The documentation checks: every agent is mentioned in the docs, every agent the docs list
in an agent table exists and is described as its front matter describes it, and every
relative link resolves."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from agentwatch.spec import DocumentationRules

from ._files import TextFile, prose, words
from ._model import Check, CheckKind

__all__ = ["documentation_checks"]

Q = CheckKind.QUALITY
_INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'(][^)]*)?\)")
_REFERENCE_LINK = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_CELL_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def _links(doc: TextFile) -> list[tuple[int, str]]:
    found = []
    for number, line in enumerate(prose(doc.text).split("\n"), start=1):
        targets = [m.group(1) for m in _INLINE_LINK.finditer(line)]
        reference = _REFERENCE_LINK.match(line)
        if reference:
            targets.append(reference.group(1))
        found += [(number, t) for t in targets]
    return found


def _link_check(root: Path, doc: TextFile, line: int, target: str) -> Check | None:
    if _SCHEME.match(target) or target.startswith(("#", "//")):
        return None  # URLs and in-page anchors: nothing on disk to resolve
    local = unquote(target.split("#", 1)[0].split("?", 1)[0])
    if not local:
        return None
    base = root if local.startswith("/") else root / PurePosixPath(doc.path).parent
    if (base / local.lstrip("/")).exists():
        return Check("link_resolves", Q, True)
    return Check("link_resolves", Q, False, f"{doc.path}:{line}: link {target!r} does not resolve")


def _cells(line: str) -> list[str]:
    inner = line.strip().removeprefix("|").removesuffix("|")
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", inner)]


def _plain(cell: str) -> str:
    cell = _CELL_LINK.sub(r"\1", cell)
    return cell.strip().strip("*_`").strip().removeprefix("@")


_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _agent_rows(doc: TextFile, rules: DocumentationRules) -> list[tuple[int, str, str | None]]:
    """(line, agent name, description or None) for each row of each agent table."""
    lines = doc.text.split("\n")
    rows: list[tuple[int, str, str | None]] = []
    i = 0
    while i + 1 < len(lines):
        header, separator = lines[i], lines[i + 1]
        if "|" not in header or not _SEPARATOR.match(separator):
            i += 1
            continue
        names = [_plain(c).casefold() for c in _cells(header)]
        i += 2
        if rules.agent_column.casefold() not in names:
            continue
        agent_at = names.index(rules.agent_column.casefold())
        text_at = (
            names.index(rules.description_column.casefold())
            if rules.description_column.casefold() in names
            else None
        )
        while i < len(lines) and "|" in lines[i] and lines[i].strip():
            cells = _cells(lines[i])
            if agent_at < len(cells) and _plain(cells[agent_at]):
                description = None
                if text_at is not None:
                    description = _plain(cells[text_at]) if text_at < len(cells) else ""
                rows.append((i + 1, _plain(cells[agent_at]), description))
            i += 1
    return rows


def _overlap(documented: str, defined: str) -> float:
    doc_words = {w.casefold() for w in words(documented)}
    if not doc_words:
        return 0.0
    return len(doc_words & {w.casefold() for w in words(defined)}) / len(doc_words)


def documentation_checks(
    root: Path,
    docs: Sequence[TextFile],
    agents: Mapping[str, str | None],
    rules: DocumentationRules,
) -> tuple[Check, ...]:
    """``agents`` maps each loaded agent's name to its description (None if not text)."""
    checks: list[Check] = []
    for name in sorted(agents):
        mention = re.compile(rf"(?<![A-Za-z0-9_-]){re.escape(name)}(?![A-Za-z0-9_-])")
        documented = any(mention.search(doc.text) for doc in docs)
        checks.append(
            Check(
                "agent_documented",
                Q,
                documented,
                "" if documented else f"agent {name!r} is not mentioned in any doc",
            )
        )
    for doc in docs:
        for line, name, description in _agent_rows(doc, rules):
            where = f"{doc.path}:{line}"
            if name not in agents:
                checks.append(
                    Check(
                        "listed_agent_exists",
                        Q,
                        False,
                        f"{where}: lists agent {name!r}, which no agent file defines",
                    )
                )
                continue
            checks.append(Check("listed_agent_exists", Q, True))
            defined = agents[name]
            if description is None or defined is None:
                continue
            share = _overlap(description, defined)
            ok = share >= rules.description_overlap_min
            checks.append(
                Check(
                    "description_consistent",
                    Q,
                    ok,
                    ""
                    if ok
                    else (
                        f"{where}: description of {name!r} shares {share:.0%} of its words "
                        f"with the front matter's "
                        f"(at least {rules.description_overlap_min:.0%} expected)"
                    ),
                )
            )
        for line, target in _links(doc):
            check = _link_check(root, doc, line, target)
            if check is not None:
                checks.append(check)
    return tuple(checks)
