"""The credentials agentwatch's clients send: the stack's service account (basic auth), which
Prometheus, Alertmanager, the exporters and the fault control endpoint all accept, remembering
the secrets file it came from so that a refusal can say where to look."""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from agentwatch.security import SECRETS_ENV, Secrets, SecretsFiles, find_secrets, load_secrets

__all__ = [
    "SECRETS_LOOKUP",
    "ServiceAccount",
    "file_service_account",
    "home_service_account",
    "refused_credentials",
    "service_account",
]

#: Where a command looks for the secrets whose service account it sends (security.find_secrets).
SECRETS_LOOKUP = (
    f"${SECRETS_ENV}, else HOME/secrets/secrets.json of --home, $AGENTWATCH_HOME or ./.agentwatch"
)


class ServiceAccount(httpx.BasicAuth):
    """Basic auth with a secrets file's service account; ``source`` names the file."""

    def __init__(self, username: str, password: str, *, source: str) -> None:
        super().__init__(username, password)
        self.source = source


def service_account(secrets: Secrets, source: Path | str) -> ServiceAccount:
    """The service account of ``secrets``, read from ``source``."""
    return ServiceAccount(secrets.service.username, secrets.service.password, source=str(source))


def file_service_account(secrets_json: Path) -> ServiceAccount | None:
    """The service account of a home's secrets file; None when there is no such file."""
    if not secrets_json.exists():
        return None
    return service_account(load_secrets(secrets_json), secrets_json)


def home_service_account(home: Path | None) -> ServiceAccount | None:
    """The service account of $AGENTWATCH_SECRETS, else of ``home``'s secrets file; None when
    there are no secrets. Raises SecretsError when the file is unreadable or readable by
    others."""
    secrets = find_secrets(home)
    named = os.environ.get(SECRETS_ENV)
    if secrets is None:
        return None
    if named:
        return service_account(secrets, f"${SECRETS_ENV} ({named})")
    # Without $AGENTWATCH_SECRETS, find_secrets found them in the home.
    return service_account(secrets, SecretsFiles(Path(str(home)) / "secrets").secrets_json)


def refused_credentials(auth: httpx.Auth | None) -> str:
    """What to check when a server refused access: the credentials sent, and where they were
    looked for."""
    if auth is None:
        return (
            f"agentwatch sent no credentials, having found no secrets ({SECRETS_LOOKUP}): "
            "point one of them at the home `agentwatch up` used"
        )
    source = auth.source if isinstance(auth, ServiceAccount) else SECRETS_LOOKUP
    return (
        f"it refused the credentials agentwatch sent, the service account of {source}: "
        "is that the home `agentwatch up` used?"
    )
