"""The home's secrets: generated once, kept in HOME/secrets with mode 0600, never printed.

Nothing here has a default value. The first ``agentwatch up`` creates every password, token
and key from the operating system's random source; later starts read the same file, so the
users' passwords stay valid across restarts.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from agentwatch.render import write_text

from ._roles import Role

__all__ = [
    "ALERT_WEBHOOK_TOKEN_FILE",
    "SECRETS_ENV",
    "SERVICE_USER",
    "Account",
    "Secrets",
    "SecretsError",
    "SecretsFiles",
    "ensure_secrets",
    "find_secrets",
    "load_secrets",
    "write_private",
]

#: A child process of the stack (or a command run by hand) finds the secrets file here.
SECRETS_ENV = "AGENTWATCH_SECRETS"
#: HOME/secrets/<this>: the token Alertmanager sends to the console's notification web hook.
ALERT_WEBHOOK_TOKEN_FILE = "alert-webhook-token"
#: The account Prometheus, Alertmanager and the stack's own clients use.
SERVICE_USER = "agentwatch"
_PRIVATE_FILE = 0o600
_PRIVATE_DIR = 0o700


class SecretsError(RuntimeError):
    """The secrets file is missing a field, unreadable, or readable by others."""


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    role: Role


@dataclass(frozen=True)
class Secrets:
    # The stack's own account: basic auth on Prometheus and Alertmanager, and what the
    # analytics service and console send to them.
    service: Account
    # What Prometheus sends to every exporter and the OTLP receiver (a bearer token).
    scrape_token: str
    # Console users, one per role.
    users: tuple[Account, ...]
    # The HMAC key for personal label values (agentwatch.security.Pseudonymizer).
    pii_key: str
    # The compose stack's Grafana admin password (GF_SECURITY_ADMIN_PASSWORD).
    grafana_admin_password: str
    # Signs the console's session cookies and CSRF tokens.
    session_key: str
    # What Alertmanager sends (a bearer token) to deliver notifications to the console.
    alert_webhook_token: str

    @classmethod
    def generate(cls) -> Secrets:
        return cls(
            service=Account(SERVICE_USER, _password(), Role.SERVICE),
            scrape_token=_token(),
            users=tuple(
                Account(role.value, _password(), role)
                for role in (Role.EXECUTIVE, Role.TECHNICAL, Role.ADMIN)
            ),
            pii_key=secrets.token_hex(32),
            grafana_admin_password=_password(),
            session_key=secrets.token_hex(32),
            alert_webhook_token=_token(),
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], source: str) -> Secrets:
        try:
            return cls(
                service=_account(data["service"]),
                scrape_token=str(data["scrape_token"]),
                users=tuple(_account(user) for user in data["users"]),
                pii_key=str(data["pii_key"]),
                grafana_admin_password=str(data["grafana_admin_password"]),
                session_key=str(data["session_key"]),
                alert_webhook_token=str(data["alert_webhook_token"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SecretsError(
                f"{source}: not an agentwatch secrets file ({type(exc).__name__}: {exc}); "
                "move it away and run `agentwatch up` to generate a new one"
            ) from None

    def accounts(self) -> tuple[Account, ...]:
        return (self.service, *self.users)


def _password() -> str:
    return secrets.token_urlsafe(18)


def _token() -> str:
    return secrets.token_urlsafe(32)


# Secrets added after a home's secrets file was first written: `agentwatch up` adds them to an
# older file (the values already there stay, so every password keeps working).
_ADDED_LATER = {"alert_webhook_token": _token}


def _account(data: Mapping[str, Any]) -> Account:
    return Account(str(data["username"]), str(data["password"]), Role(data["role"]))


@dataclass(frozen=True)
class SecretsFiles:
    """HOME/secrets: the JSON file, and the single-value files Prometheus reads by path (so
    that its configuration names a file, never a password)."""

    directory: Path

    @property
    def secrets_json(self) -> Path:
        return self.directory / "secrets.json"

    @property
    def service_password(self) -> Path:
        return self.directory / "service-password"

    @property
    def scrape_token(self) -> Path:
        return self.directory / "scrape-token"

    @property
    def alert_webhook_token(self) -> Path:
        """Alertmanager's bearer token for the console's notification web hook."""
        return self.directory / ALERT_WEBHOOK_TOKEN_FILE

    @property
    def web_config(self) -> Path:
        """Prometheus' and Alertmanager's --web.config.file (bcrypt hashes only)."""
        return self.directory / "web.yml"


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by this user only: a temporary file created with
    0600 from the first byte, so there is no moment where another user could read it, then
    renamed over ``path``, so a full disk leaves the old file whole rather than truncated."""
    write_text(path, text, mode=_PRIVATE_FILE)


def load_secrets(path: Path) -> Secrets:
    return Secrets.from_json(_read_json(path), str(path))


def _read_json(path: Path) -> dict[str, Any]:
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SecretsError(f"{path}: cannot read the secrets file: {exc.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretsError(
            f"{path}: other users can read it (mode {stat.S_IMODE(mode):o}); run `chmod 600 {path}`"
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SecretsError(f"{path}: line {exc.lineno}: not JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise SecretsError(f"{path}: expected a JSON object")
    return data


def ensure_secrets(home: Path) -> tuple[Secrets, SecretsFiles, bool]:
    """The home's secrets, generated on first use; True when they were just created."""
    files = SecretsFiles(home / "secrets")
    files.directory.mkdir(parents=True, exist_ok=True)
    os.chmod(files.directory, _PRIVATE_DIR)
    created = not files.secrets_json.exists()
    if created:
        found = Secrets.generate()
        write_private(files.secrets_json, json.dumps(found.to_json(), indent=2) + "\n")
    else:
        found = _load_adding_new_secrets(files.secrets_json)
    # Rewritten each time from the JSON file, which stays the one source.
    write_private(files.service_password, found.service.password)
    write_private(files.scrape_token, found.scrape_token)
    write_private(files.alert_webhook_token, found.alert_webhook_token)
    return found, files, created


def _load_adding_new_secrets(path: Path) -> Secrets:
    data = _read_json(path)
    missing = {key: make() for key, make in _ADDED_LATER.items() if key not in data}
    if missing:
        data.update(missing)
        write_private(path, json.dumps(data, indent=2) + "\n")
    return Secrets.from_json(data, str(path))


def find_secrets(home: Path | None) -> Secrets | None:
    """$AGENTWATCH_SECRETS, else ``home``'s secrets file; None when neither exists."""
    named = os.environ.get(SECRETS_ENV)
    if named:
        return load_secrets(Path(named))
    if home is None:
        return None
    path = SecretsFiles(home / "secrets").secrets_json
    return load_secrets(path) if path.exists() else None
