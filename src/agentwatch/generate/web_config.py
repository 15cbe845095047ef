"""The --web.config.file that Prometheus and Alertmanager share (exporter-toolkit format).

Pure: bcrypt hashes in, a plain dict out. The hashes are made by the caller (the stack), so
this module never sees a password.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["web_config"]


def web_config(users: Mapping[str, str]) -> dict[str, Any]:
    """``users`` maps user names to bcrypt hashes."""
    return {"basic_auth_users": dict(sorted(users.items()))}
