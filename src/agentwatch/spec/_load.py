"""Reading agentwatch.yaml into a validated Spec, with errors that name file, field and fix."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ._errors import SpecError, shown
from ._model import Spec
from ._yaml import read_yaml

__all__ = ["SpecError", "load_spec", "parse_spec"]


_MAX_MESSAGE = 300
# A key written as is in a field path; any other key (a space, a newline, a dot) is quoted.
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _field_path(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        if part == "[key]":
            continue  # pydantic's mark of an error in the key just before it
        if isinstance(part, int):
            path += f"[{part}]"
        elif not _PLAIN_KEY.fullmatch(part):
            path += f"[{part!r}]"
        else:
            path += f".{part}" if path else part
    return path


def _describe(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key (check the spelling; agentwatch.yaml accepts no extra keys)"
    if kind == "missing":
        return "required key is missing"
    given = error.get("input")
    message = str(error["msg"]).removeprefix("Value error, ")
    if len(message) > _MAX_MESSAGE:
        # A validator's message may quote the whole value it refused.
        message = message[: _MAX_MESSAGE - 3] + "..."
    if isinstance(given, dict | list):
        return message
    return f"{message} (got {shown(given)})"


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
    documents = read_yaml(path)
    if len(documents) > 1:
        raise SpecError(str(path), [("", f"expected one YAML document, got {len(documents)}")])
    return parse_spec(documents[0] if documents else None, str(path))
