"""The exit codes of every `agentwatch` command, defined once: the commands exit with them,
and the library's errors carry the one a command should use (``StackError.exit_code``).

A module at the package root, outside the layers of docs/architecture.md: every layer may
import it, and it imports nothing.
"""

from __future__ import annotations

__all__ = ["EXIT_BAD_INPUT", "EXIT_RUNTIME"]

#: Something failed while running: a server unreachable, a process that died, a write refused.
EXIT_RUNTIME = 1
#: The input is wrong (arguments, the configuration file, an archive): the fix is the user's.
EXIT_BAD_INPUT = 2
