import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from agentwatch.framework import EXAMPLE_FRAMEWORK

FIXTURE = EXAMPLE_FRAMEWORK

GOOD_BODY = (
    "You are the planner. Turn each request into an ordered plan of small tasks with "
    "owners, risks and acceptance criteria, read the code before planning, and hand the "
    "plan to the director with a short summary of what is unclear and what is left.\n"
)


def agent(
    name: str = "planner",
    description: str = "Plans features into ordered tasks. Use before large changes.",
    *,
    tools: str | None = "Read, Grep, Glob",
    model: str | None = "sonnet",
    body: str = GOOD_BODY,
    extra: str = "",
) -> str:
    lines = ["---", f"name: {name}", f"description: {description}"]
    if tools is not None:
        lines.append(f"tools: {tools}")
    if model is not None:
        lines.append(f"model: {model}")
    return "\n".join([*lines, *([extra] if extra else []), "---", "", body])


Write = Callable[[str, str | bytes], Path]


@pytest.fixture
def framework(tmp_path: Path) -> Path:
    root = tmp_path / "fw"
    (root / ".claude" / "agents").mkdir(parents=True)
    return root


@pytest.fixture
def write(framework: Path) -> Write:
    def _write(rel: str, content: str | bytes) -> Path:
        path = framework / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def fixture_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE, tmp_path / "copy", symlinks=True))
