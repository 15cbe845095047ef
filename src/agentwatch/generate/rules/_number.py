"""Numbers as PromQL and people read them, in expressions, annotations and test inputs."""

from __future__ import annotations

__all__ = ["num"]


def num(value: float) -> str:
    """A threshold as PromQL and people read it: ``4000000``, ``0.999``, never ``4e+06``."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))
