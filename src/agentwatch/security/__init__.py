"""Secrets, authentication and roles, personal-data pseudonyms, and the audit log: shared by
the stack, the exporters, the OTLP receiver, the SDK and the console (docs/security.md)."""

from ._audit import AuditAction, AuditLog, AuditWriteError
from ._auth import Authenticator, AuthFailure, Principal, WsgiAuth, basic_header
from ._endpoint import NO_SECRETS_WARNING, endpoint_authenticator
from ._pii import PSEUDONYM_PREFIX, Pseudonymizer, pseudonymizer_for
from ._roles import ROLE_PERMISSIONS, Permission, Role
from ._secrets import (
    ALERT_WEBHOOK_TOKEN_FILE,
    SECRETS_ENV,
    SERVICE_USER,
    Account,
    Secrets,
    SecretsError,
    SecretsFiles,
    ensure_secrets,
    find_secrets,
    load_secrets,
    write_private,
)

__all__ = [
    "ALERT_WEBHOOK_TOKEN_FILE",
    "NO_SECRETS_WARNING",
    "PSEUDONYM_PREFIX",
    "ROLE_PERMISSIONS",
    "SECRETS_ENV",
    "SERVICE_USER",
    "Account",
    "AuditAction",
    "AuditLog",
    "AuditWriteError",
    "AuthFailure",
    "Authenticator",
    "Permission",
    "Principal",
    "Pseudonymizer",
    "Role",
    "Secrets",
    "SecretsError",
    "SecretsFiles",
    "WsgiAuth",
    "basic_header",
    "endpoint_authenticator",
    "ensure_secrets",
    "find_secrets",
    "load_secrets",
    "pseudonymizer_for",
    "write_private",
]
