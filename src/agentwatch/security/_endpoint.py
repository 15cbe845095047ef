"""Whether an agentwatch endpoint asks for credentials, decided once from the spec and the
secrets, the same way for every exporter, the OTLP receiver and the console."""

from __future__ import annotations

from pathlib import Path

from agentwatch.spec import Spec, is_loopback

from ._auth import Authenticator
from ._secrets import SECRETS_ENV, SecretsError, find_secrets

__all__ = ["NO_SECRETS_WARNING", "endpoint_authenticator"]

NO_SECRETS_WARNING = (
    "security.auth is on but no secrets were found (${env} unset and no HOME/secrets): "
    "serving without authentication, on loopback only. `agentwatch up` generates them."
).replace("${env}", SECRETS_ENV)


def endpoint_authenticator(spec: Spec, home: Path | None = None) -> Authenticator | None:
    """The authenticator an endpoint checks requests with; None means open.

    Open happens only when auth is off (the spec then refuses non-loopback addresses) or
    when no secrets exist and the endpoint listens on loopback (a process run by hand; the
    caller warns with NO_SECRETS_WARNING). Beyond loopback without secrets: SecretsError.
    """
    if not spec.security.auth:
        return None
    secrets = find_secrets(home)
    if secrets is not None:
        return Authenticator(secrets)
    if not is_loopback(spec.listen_address):
        raise SecretsError(
            f"listen_address {spec.listen_address!r} reaches beyond this machine and no "
            f"secrets were found to authenticate requests with: run `agentwatch up` once to "
            f"generate them, or set {SECRETS_ENV} to a secrets file"
        )
    return None
