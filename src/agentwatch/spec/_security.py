"""The ``security:`` and ``privacy:`` sections: authentication, audit, and which label
values identify people (docs/security.md)."""

from __future__ import annotations

import ipaddress
import re

from pydantic import BaseModel, ConfigDict, field_validator

__all__ = ["DEFAULT_HASHED_LABELS", "Privacy", "Security", "is_loopback"]

# Label names and span attribute keys whose values name a person or a session. Their values
# are replaced by keyed hashes (HMAC-SHA-256 with the home's pii key) before they leave the
# process: the SDK, the traces and the OTLP receiver all use this one list.
DEFAULT_HASHED_LABELS: tuple[str, ...] = (
    "user",
    "user_id",
    "user_email",
    "email",
    "session_id",
    "user.id",
    "user.email",
    "enduser.id",
    "session.id",
)

_LABEL_OR_ATTRIBUTE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def is_loopback(address: str) -> bool:
    """True for an address only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    bare = address.strip("[]")
    if bare == "localhost":
        return True
    try:
        return ipaddress.ip_address(bare).is_loopback
    except ValueError:
        return False


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Security(_Strict):
    # On: the first `agentwatch up` generates secrets into HOME/secrets (mode 0600);
    # Prometheus and Alertmanager get a --web.config.file with bcrypt basic auth, and the
    # exporters, OTLP receiver and console ask for a bearer token or basic auth.
    auth: bool = True
    # HOME/audit.log, JSON lines: logins, failed logins, silences, config changes, backups.
    audit_log: bool = True


class Privacy(_Strict):
    # Label names (SDK, exporters) and attribute keys (spans, OTLP) whose values are hashed.
    hashed_labels: tuple[str, ...] = DEFAULT_HASHED_LABELS

    @field_validator("hashed_labels")
    @classmethod
    def _names(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        for name in names:
            if not _LABEL_OR_ATTRIBUTE.match(name):
                raise ValueError(
                    f"{name!r} is not a label name or attribute key (letters, digits, _ and .)"
                )
        return names
