"""The ways the local stack fails, each carrying the exit code the CLI should use."""

from __future__ import annotations

from agentwatch.exit_codes import EXIT_BAD_INPUT, EXIT_RUNTIME

__all__ = [
    "AlreadyRunningError",
    "BinaryNotFoundError",
    "ConfigInvalidError",
    "PortInUseError",
    "StackError",
    "StartupFailedError",
    "StopRequestedError",
]


class StackError(Exception):
    """A failure with a message written for the user; ``exit_code`` is what the CLI exits with."""

    exit_code = EXIT_RUNTIME

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        return str(self.args[0])


class BinaryNotFoundError(StackError):
    """Prometheus, Alertmanager or their check tools are not installed."""


class PortInUseError(StackError):
    """A port the stack needs is taken. The fix is configuration (another port), hence exit 2."""

    exit_code = EXIT_BAD_INPUT


class AlreadyRunningError(StackError):
    """A supervisor already holds the home directory."""


class ConfigInvalidError(StackError):
    """promtool or amtool rejected a rendered configuration file."""


class StartupFailedError(StackError):
    """A component died or never became ready while the stack was starting."""


class StopRequestedError(StackError):
    """SIGINT or SIGTERM arrived before the stack was up; everything started has been stopped."""
