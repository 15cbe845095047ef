"""Reading agentwatch.yaml into a validated Spec, with errors that name file, field and fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ._model import Spec

__all__ = ["SpecError", "load_spec", "parse_spec"]


class SpecError(ValueError):
    """A config file that cannot be used. ``problems`` lists ``(field path, message)``."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        lines = [f"{source}: {path or '(top level)'}: {message}" for path, message in problems]
        super().__init__("\n".join(lines))


def _field_path(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _describe(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key (check the spelling; agentwatch.yaml accepts no extra keys)"
    if kind == "missing":
        return "required key is missing"
    given = error.get("input")
    message = str(error["msg"]).removeprefix("Value error, ")
    if isinstance(given, dict | list):
        return message
    return f"{message} (got {given!r})"


def parse_spec(data: object, source: str = "<spec>") -> Spec:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SpecError(
            source, [("", f"expected a mapping of settings, got {type(data).__name__}")]
        )
    try:
        return Spec.model_validate(data)
    except ValidationError as exc:
        problems = [(_field_path(e["loc"]), _describe(e)) for e in exc.errors()]
        raise SpecError(source, problems) from None


def load_spec(path: Path | None) -> Spec:
    """The spec in ``path``, or the seed defaults when ``path`` is None."""
    if path is None:
        return Spec()
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(source, [("", f"cannot read the file: {exc.strerror}")]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SpecError(source, [(where, f"not valid YAML: {exc}")]) from None
    return parse_spec(data, source)
