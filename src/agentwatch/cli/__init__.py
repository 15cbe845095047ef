"""The thin command line: parse arguments, call the library, print with rich."""

from . import (
    _agents,  # noqa: F401
    _analytics,  # noqa: F401
    _analytics_service,  # noqa: F401
    _anomaly,  # noqa: F401
    _backup,  # noqa: F401
    _capacity,  # noqa: F401
    _console,  # noqa: F401
    _docs,  # noqa: F401  (each module registers its commands)
    _flow,  # noqa: F401
    _framework,  # noqa: F401
    _generate,  # noqa: F401
    _query,  # noqa: F401
    _secrets,  # noqa: F401
    _simulate,  # noqa: F401
    _slo,  # noqa: F401
    _stack,  # noqa: F401
    _survey,  # noqa: F401
    _traces,  # noqa: F401
)
from ._app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
