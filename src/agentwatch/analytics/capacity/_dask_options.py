"""What the Dask backend needs installed and how long it waits for a scheduler: the CLI
declares `agentwatch capacity --dask` with them before it loads statsforecast and pandas."""

from __future__ import annotations

from typing import Final

__all__ = ["CONNECT_TIMEOUT", "INSTALL_HINT"]

INSTALL_HINT: Final = "pip install 'agentwatch[dask]'"
# Seconds to wait for a remote scheduler before giving up on it.
CONNECT_TIMEOUT: Final = 10.0
