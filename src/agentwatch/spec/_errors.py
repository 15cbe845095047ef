"""The error every reader of config and SLO files raises."""

from __future__ import annotations

__all__ = ["SpecError", "shown"]


class SpecError(ValueError):
    """A config file that cannot be used. ``problems`` lists ``(field path, message)``."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        lines = [f"{source}: {path or '(top level)'}: {message}" for path, message in problems]
        super().__init__("\n".join(lines))


def shown(value: object, limit: int = 80) -> str:
    """``repr(value)`` cut to ``limit`` characters: a message quotes what it refuses, but a
    hostile file's megabyte-long value would bury the message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
