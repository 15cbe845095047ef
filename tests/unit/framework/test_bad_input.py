"""Files that cannot be used are reported one by one; the scan goes on."""

import os
from pathlib import Path

import pytest

from agentwatch.framework import FrameworkError, Gate, ProblemKind, scan
from agentwatch.spec import FrameworkSettings

from .conftest import Write, agent

A = ".claude/agents/"


def problems_by_path(root: Path) -> dict[str, tuple[ProblemKind, str, int | None]]:
    return {p.path: (p.kind, p.message, p.line) for p in scan(root).problems}


def test_each_bad_file_is_reported_and_the_good_ones_are_still_scored(
    framework: Path, write: Write
) -> None:
    write(A + "good.md", agent("good"))
    write(A + "colon.md", "---\nname: colon\ndescription: Use it: always\n---\nbody\n")
    write(A + "open.md", "---\nname: open\ndescription: never closed\n")
    write(A + "list.md", "---\n- a\n- b\n---\nbody\n")
    write(A + "plain.md", "# Just Markdown\n\nNo front matter here.\n")
    write(A + "image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    write(A + "latin1.md", "---\nname: latin\n---\ncaf\xe9\n".encode("latin-1"))
    write(A + "logo.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    write(A + "notes.txt", "plain text is not an agent and is fine\n")
    (framework / A / "dangling.md").symlink_to(framework / "missing-target.md")
    (framework / A / "folder.md").mkdir()
    result = scan(framework)
    found = {p.path.removeprefix(A): (p.kind, p.line) for p in result.problems}
    assert found == {
        "colon.md": (ProblemKind.MALFORMED_FRONT_MATTER, 3),
        "open.md": (ProblemKind.MALFORMED_FRONT_MATTER, 1),
        "list.md": (ProblemKind.MALFORMED_FRONT_MATTER, 2),
        "plain.md": (ProblemKind.NO_FRONT_MATTER, None),
        "image.md": (ProblemKind.BINARY, None),
        "latin1.md": (ProblemKind.NOT_UTF8, 4),
        "logo.png": (ProblemKind.BINARY, None),
        "dangling.md": (ProblemKind.UNREADABLE, None),
        "folder.md": (ProblemKind.NOT_A_FILE, None),
    }
    messages = {p.path.removeprefix(A): p.message for p in result.problems}
    assert messages["colon.md"].startswith("invalid YAML: mapping values are not allowed here")
    assert messages["dangling.md"] == "dangling symlink: its target is missing"
    assert messages["latin1.md"] == "not UTF-8 text: byte 0xe9 at offset 23"
    # The 8 .md files are agents (folder.md is a directory, not one); only good.md passes.
    assert (result.standardized, result.agent_count) == (1, 8)
    assert [a.path for a in result.agents if a.standardized] == [A + "good.md"]
    # Integrity: 10 files in the agents dir (the folder is none), 8 of them with a problem.
    gate = result.gate(Gate.FRAMEWORK_INTEGRITY)
    assert (gate.passed, gate.total) == (2, 10)


def test_a_file_that_cannot_be_opened_is_reported(
    framework: Path, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root, so chmod 000 would not stop the read: refuse it here instead.
    write(A + "good.md", agent("good"))
    locked = write(A + "locked.md", agent("locked"))
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == locked:
            raise PermissionError(13, os.strerror(13), str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = scan(framework)
    assert [(p.path, p.kind, p.message) for p in result.problems] == [
        (A + "locked.md", ProblemKind.UNREADABLE, "cannot read: Permission denied")
    ]
    assert result.standardized == 1
    locked_result = next(a for a in result.agents if a.path == A + "locked.md")
    assert [(c.name, c.reason) for c in locked_result.failures] == [
        ("loads", "cannot read: Permission denied")
    ]


def test_duplicate_names_are_reported_for_each_file(framework: Path, write: Write) -> None:
    write(A + "core/planner.md", agent("planner"))
    write(A + "extra/planner-copy.md", agent("planner"))
    write(A + "coder.md", agent("coder"))
    result = scan(framework)
    duplicates = sorted(p.path for p in result.problems if p.kind is ProblemKind.DUPLICATE_NAME)
    assert duplicates == [A + "core/planner.md", A + "extra/planner-copy.md"]
    assert (result.standardized, result.agent_count) == (1, 3)
    failed = {a.path: [c.reason for c in a.failures] for a in result.failing_agents}
    assert failed[A + "core/planner.md"] == [
        f"name 'planner' is also used by {A}extra/planner-copy.md"
    ]


def test_an_oversized_file_is_reported_not_read(framework: Path, write: Write) -> None:
    write(A + "big.md", agent(body="word " * 400))
    result = scan(framework, FrameworkSettings(max_file_bytes=1000))
    assert [p.kind for p in result.problems] == [ProblemKind.TOO_LARGE]


def test_problems_in_prompts_and_docs_are_reported_too(framework: Path, write: Write) -> None:
    write(A + "good.md", agent("good"))
    write("prompts/broken.md", "---\nkey: [unclosed\n---\nSome prompt text.\n")
    write("docs/blob.md", b"\x00\x01\x02")
    result = scan(framework)
    assert {(p.path, p.kind) for p in result.problems} == {
        ("prompts/broken.md", ProblemKind.MALFORMED_FRONT_MATTER),
        ("docs/blob.md", ProblemKind.BINARY),
    }
    assert result.gate(Gate.PROMPT_QUALITY).passed == 0


@pytest.mark.parametrize("kind", ["missing", "file", "no_agents_dir"])
def test_no_framework_raises_naming_the_path(tmp_path: Path, kind: str) -> None:
    root = tmp_path / "root"
    if kind == "file":
        root.write_text("x")
    elif kind == "no_agents_dir":
        root.mkdir()
    with pytest.raises(FrameworkError, match=str(root)):
        scan(root)
