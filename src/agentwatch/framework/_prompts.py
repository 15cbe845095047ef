"""The prompt_quality checks: final prompts have no unresolved placeholders; templates
declare the ``{{placeholders}}`` they use, in front matter ``variables:``, and use them all."""

from __future__ import annotations

import re
from typing import Any

from ._files import TextFile, placeholders, prose, words
from ._model import Check, CheckKind, FileProblem, PromptResult

__all__ = ["check_prompt", "check_template"]

Q = CheckKind.QUALITY
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def _failed_load(path: str, kind: str, problem: FileProblem | None) -> PromptResult:
    reason = problem.message if problem is not None else "could not be read"
    return PromptResult(path, kind, (Check("loads", Q, False, reason),))


def _non_empty(body: str, min_words: int) -> Check:
    count = len(words(PLACEHOLDER_FREE.sub(" ", prose(body))))
    if count >= max(min_words, 1):
        return Check("non_empty", Q, True)
    return Check("non_empty", Q, False, f"{count} words of text, fewer than {max(min_words, 1)}")


PLACEHOLDER_FREE = re.compile(r"\{\{[^{}]*\}\}")


def _braces(names: list[str]) -> str:
    return ", ".join("{{" + n + "}}" for n in names)


def check_prompt(
    path: str, loaded: TextFile | None, problem: FileProblem | None, min_words: int
) -> PromptResult:
    if loaded is None:
        return _failed_load(path, "prompt", problem)
    unresolved = sorted(set(placeholders(loaded.body)))
    return PromptResult(
        path,
        "prompt",
        (
            Check("loads", Q, True),
            _non_empty(loaded.body, min_words),
            Check(
                "no_placeholders",
                Q,
                not unresolved,
                f"unresolved placeholder(s): {_braces(unresolved)}" if unresolved else "",
            ),
        ),
    )


def _declared(front: dict[Any, Any] | None) -> tuple[list[str] | None, str]:
    if front is None or "variables" not in front:
        return None, "no 'variables:' in front matter declaring the placeholders"
    value = front["variables"]
    if isinstance(value, dict):
        value = list(value)
    if not isinstance(value, list):
        return None, f"'variables' must be a list of names, got a {type(value).__name__}"
    bad = [repr(v) for v in value if not isinstance(v, str) or not _IDENTIFIER.match(v)]
    if bad:
        return None, f"'variables' has entries that are not names: {', '.join(bad)}"
    return [str(v) for v in value], ""


def check_template(
    path: str, loaded: TextFile | None, problem: FileProblem | None, min_words: int
) -> PromptResult:
    if loaded is None:
        return _failed_load(path, "template", problem)
    used = sorted(set(placeholders(loaded.body)))
    declared, why = _declared(loaded.front_matter)
    checks = [Check("loads", Q, True), _non_empty(loaded.body, min_words)]
    checks.append(Check("declares_variables", Q, declared is not None, why))
    if declared is None:
        checks.append(Check("placeholders_declared", Q, False, "nothing declared to check against"))
        checks.append(Check("variables_used", Q, False, "nothing declared to check against"))
    else:
        undeclared = [u for u in used if u not in declared]
        unused = [d for d in declared if d not in used]
        checks.append(
            Check(
                "placeholders_declared",
                Q,
                not undeclared,
                f"placeholder(s) used but not declared: {_braces(undeclared)}"
                if undeclared
                else "",
            )
        )
        checks.append(
            Check(
                "variables_used",
                Q,
                not unused,
                f"declared but never used: {', '.join(unused)}" if unused else "",
            )
        )
    return PromptResult(path, "template", tuple(checks))
