"""The thin command line: parse arguments, call the library, print with rich."""

from . import (
    _docs,  # noqa: F401  (each module registers its commands)
    _generate,  # noqa: F401
    _simulate,  # noqa: F401
    _slo,  # noqa: F401
    _stack,  # noqa: F401
)
from ._app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
