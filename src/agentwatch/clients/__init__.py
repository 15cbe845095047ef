"""agentwatch's HTTP clients: every request to Prometheus, Alertmanager, a health URL or the
simulation's control endpoint goes through :func:`http_client` (no proxy from the environment,
no redirects, a timeout), with the stack's service account, and fails with an error naming the
URL and, for a refusal, where the credentials were looked for.

The clients of each server are public modules, imported when used: ``clients.prometheus`` (the
query API; it needs numpy), ``clients.prometheus_admin`` (TSDB snapshots) and
``clients.alertmanager``.
"""

from ._credentials import (
    SECRETS_LOOKUP,
    ServiceAccount,
    file_service_account,
    home_service_account,
    refused_credentials,
    service_account,
)
from ._errors import AlertmanagerError, BadQueryError, PrometheusError, ServiceError
from ._http import (
    Auth,
    HTTPService,
    PooledClient,
    Probe,
    Response,
    Transport,
    http_client,
    url_problem,
)

__all__ = [
    "SECRETS_LOOKUP",
    "AlertmanagerError",
    "Auth",
    "BadQueryError",
    "HTTPService",
    "PooledClient",
    "Probe",
    "PrometheusError",
    "Response",
    "ServiceAccount",
    "ServiceError",
    "Transport",
    "file_service_account",
    "home_service_account",
    "http_client",
    "refused_credentials",
    "service_account",
    "url_problem",
]
