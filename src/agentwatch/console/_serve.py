"""Running the console: bind its port first (so a taken port is a clear error, not a
uvicorn traceback), then serve the app with uvicorn on that socket until SIGINT/SIGTERM."""

from __future__ import annotations

import errno
import signal
import socket
import threading
from types import FrameType

import uvicorn

from agentwatch.exporters import PortInUseError

from ._guard import AsgiApp

__all__ = ["listen", "serve"]


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; PortInUseError names the port when it is taken.
    Port 0 takes a free one (``sock.getsockname()[1]`` says which)."""
    bare = host.strip("[]")
    sock = socket.socket(socket.AF_INET6 if ":" in bare else socket.AF_INET, socket.SOCK_STREAM)
    # As Prometheus and the exporters: a port held only by TIME_WAIT connections is free.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((bare, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUseError(host, port, "console") from None
        raise
    return sock


def _stopped(signum: int, frame: FrameType | None) -> None:
    """uvicorn re-raises the signal that stopped it once it has shut down cleanly; this
    handler (the one it restores) takes it, so the process then exits 0 instead of dying of
    the signal."""


def serve(app: AsgiApp, sock: socket.socket, *, log_level: str = "warning") -> None:
    """Serve until SIGINT or SIGTERM (uvicorn's own handlers), then return."""
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, _stopped)
    config = uvicorn.Config(
        app,
        log_level=log_level,
        access_log=False,
        # X-Forwarded-For is not trusted: the failed-login throttle keys on the peer address,
        # which a client must not be able to choose.
        proxy_headers=False,
        server_header=False,
        lifespan="on",
    )
    uvicorn.Server(config).run(sockets=[sock])
