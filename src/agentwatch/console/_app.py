"""``create_app``: the console as one ASGI application, built from the spec, the home's
secrets and the addresses of Prometheus, Alertmanager and (optionally) Grafana."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable
from importlib import resources
from pathlib import Path
from secrets import token_hex
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from prometheus_client.exposition import choose_encoder
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from agentwatch.catalog.http_paths import HEALTH_PATHS
from agentwatch.clients import SECRETS_LOOKUP, Transport, service_account
from agentwatch.clients.alertmanager import AlertmanagerAPI, AlertmanagerError
from agentwatch.clients.prometheus import PrometheusAPI, PrometheusError
from agentwatch.generate.alertmanager import alertmanager_config
from agentwatch.security import AuditLog, AuditWriteError, Authenticator, Permission, Secrets
from agentwatch.spec import Spec

from . import _actions, _login, _runbooks, _views, _webhook
from ._access import Access, ForbiddenError, NotAuthenticatedError, RefusedError
from ._guard import Guard
from ._metrics import ConsoleMetrics, Rejection
from ._notifications import NotificationLog
from ._pages import templates
from ._sessions import LoginThrottle, Sessions
from ._state import Console, console_of

__all__ = ["ConsoleError", "console_state", "create_app"]

#: Failed logins from one client within LOGIN_WINDOW seconds after which its logins get 429
#: until the oldest ages out. Twice RepeatedFailedLogins' default limit (10 in 5 minutes,
#: thresholds.failed_logins_max), so the alert fires before a guesser is slowed down.
LOGIN_LOCKOUT = 20
LOGIN_WINDOW = 300.0
#: Each page waits at most this long for a data source, retrying a failure once.
SOURCE_TIMEOUT = 5.0
_STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


class ConsoleError(ValueError):
    """The console cannot start with these settings; the message names the setting."""


def _check_url(option: str, url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConsoleError(f"{option}: expected an http:// or https:// URL, got {url!r}")
    return url


def _static_files() -> dict[str, tuple[bytes, str]]:
    """The console's own static files, read once: requests name a file, never a path."""
    found = {}
    for entry in resources.files("agentwatch.console").joinpath("static").iterdir():
        suffix = "." + entry.name.rpartition(".")[2]
        if entry.is_file() and suffix in _STATIC_TYPES:
            found[entry.name] = (entry.read_bytes(), _STATIC_TYPES[suffix])
    return found


def _console_file(home: Path | None, name: str) -> Path | None:
    """HOME/console/``name`` (the directory private to this user), or None without a home."""
    if home is None:
        return None
    directory = home / "console"
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    return directory / name


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/metrics"


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticatedError)
    async def not_authenticated(request: Request, exc: NotAuthenticatedError) -> Response:
        if exc.header_sent or _wants_json(request):
            return JSONResponse(
                {"error": f"unauthorized ({exc.failure.value}): log in, or send basic auth"},
                status_code=401,
                headers={"WWW-Authenticate": 'Basic realm="agentwatch console", charset="UTF-8"'},
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(ForbiddenError)
    async def forbidden(request: Request, exc: ForbiddenError) -> Response:
        role = exc.visitor.principal.role.value
        message = f"The {role} role may not see or do this ({exc.permission.value})."
        if _wants_json(request):
            return JSONResponse({"error": message}, status_code=403)
        return console_of(request).render(
            request,
            "error.html",
            visitor=exc.visitor,
            title="Forbidden",
            status=403,
            message=message,
        )

    @app.exception_handler(RefusedError)
    async def refused(request: Request, exc: RefusedError) -> Response:
        console_of(request).metrics.reject(exc.reason)
        if _wants_json(request):
            return JSONResponse({"error": exc.message, "reason": exc.reason.value}, exc.status)
        return PlainTextResponse(f"{exc.status}: {exc.message}\n", status_code=exc.status)

    @app.exception_handler(AuditWriteError)
    async def unaudited(request: Request, exc: AuditWriteError) -> Response:
        # Whatever the request did is not in the audit log: say so instead of a bare 500.
        message = f"{exc}: what this request did is not in the audit log; free space on the disk"
        if _wants_json(request):
            return JSONResponse({"error": message}, status_code=503)
        return PlainTextResponse(f"503: {message}\n", status_code=503)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        console_of(request).metrics.reject(Rejection.MALFORMED)
        return JSONResponse({"error": "malformed request", "reason": "malformed"}, 422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return PlainTextResponse(f"{exc.status_code}: {exc.detail}\n", exc.status_code)


def _plain_routes(app: FastAPI, static: dict[str, tuple[bytes, str]]) -> None:
    def healthz() -> Response:
        return PlainTextResponse("ok\n")

    for path in sorted(HEALTH_PATHS):
        app.add_api_route(path, healthz, methods=["GET"], include_in_schema=False)

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        console = console_of(request)
        console.access.require(request, Permission.METRICS)
        encoder, content_type = choose_encoder(request.headers.get("accept", ""))
        return Response(encoder(console.metrics.registry), media_type=content_type)

    @app.get("/static/{name}", include_in_schema=False)
    def static_file(name: str) -> Response:
        if name not in static:
            return PlainTextResponse("404: not found\n", status_code=404)
        body, media_type = static[name]
        return Response(body, media_type=media_type, headers={"Cache-Control": "max-age=3600"})


def create_app(
    spec: Spec,
    *,
    prometheus_url: str,
    alertmanager_url: str,
    secrets: Secrets | None,
    grafana_url: str | None = None,
    audit: AuditLog | None = None,
    home: Path | None = None,
    config_source: str = "the seed defaults (no --config)",
    prometheus_transport: Transport | None = None,
    alertmanager_transport: Transport | None = None,
    clock: Callable[[], float] = time.time,
) -> Guard:
    """The console. With ``spec.security.auth`` the home's ``secrets`` are required: they
    hold the console's accounts, the session key and the account for Prometheus and
    Alertmanager. ``home`` keeps the sessions logged out (HOME/console/, so a restart does not
    bring them back). ``*_transport`` exist for tests (stand-in servers)."""
    _check_settings(
        spec,
        secrets,
        prometheus_url=prometheus_url,
        alertmanager_url=alertmanager_url,
        grafana_url=grafana_url,
    )
    # The receivers of the Alertmanager config the spec makes: their counts exist from 0.
    receivers = [r["name"] for r in alertmanager_config(spec)["receivers"]]
    metrics = ConsoleMetrics(receivers)
    prometheus, alertmanager = _sources(
        prometheus_url,
        alertmanager_url,
        secrets,
        prometheus_transport=prometheus_transport,
        alertmanager_transport=alertmanager_transport,
    )
    console = Console(
        spec=spec,
        prometheus=prometheus,
        alertmanager=alertmanager,
        grafana_url=grafana_url,
        access=_access(spec, secrets, metrics, home=home, clock=clock),
        throttle=LoginThrottle(LOGIN_LOCKOUT, LOGIN_WINDOW),
        metrics=metrics,
        audit=audit if spec.security.audit_log else None,
        templates=templates(),
        config_source=config_source,
        clock=clock,
        notifications=NotificationLog(_console_file(home, "notifications.jsonl")),
        webhook_token=(
            secrets.alert_webhook_token if spec.security.auth and secrets is not None else None
        ),
    )
    return Guard(_application(console, prometheus, alertmanager), metrics)


def _check_settings(
    spec: Spec,
    secrets: Secrets | None,
    *,
    prometheus_url: str,
    alertmanager_url: str,
    grafana_url: str | None,
) -> None:
    """Raise ConsoleError, naming the setting, for a bad URL or auth without secrets."""
    _check_url("--prometheus", prometheus_url)
    _check_url("--alertmanager", alertmanager_url)
    if grafana_url is not None:
        _check_url("--grafana", grafana_url)
    if spec.security.auth and secrets is None:
        raise ConsoleError(
            "security.auth is on but there are no secrets: run `agentwatch up` once to "
            "generate HOME/secrets/secrets.json, or point $AGENTWATCH_SECRETS at it"
        )


def _sources(
    prometheus_url: str,
    alertmanager_url: str,
    secrets: Secrets | None,
    *,
    prometheus_transport: Transport | None,
    alertmanager_transport: Transport | None,
) -> tuple[PrometheusAPI, AlertmanagerAPI]:
    """The clients of Prometheus and Alertmanager, as the secrets' service account."""
    basic = service_account(secrets, SECRETS_LOOKUP) if secrets is not None else None
    try:
        prometheus = PrometheusAPI(
            prometheus_url,
            timeout=SOURCE_TIMEOUT,
            retries=1,
            auth=basic,
            transport=prometheus_transport,
        )
        alertmanager = AlertmanagerAPI(
            alertmanager_url, auth=basic, timeout=SOURCE_TIMEOUT, transport=alertmanager_transport
        )
    except (PrometheusError, AlertmanagerError) as exc:
        raise ConsoleError(str(exc)) from None
    return prometheus, alertmanager


def _access(
    spec: Spec,
    secrets: Secrets | None,
    metrics: ConsoleMetrics,
    *,
    home: Path | None,
    clock: Callable[[], float],
) -> Access:
    """Who may do what: the accounts and sessions when ``security.auth`` is on."""
    auth = spec.security.auth
    # Without secrets (auth off) nothing is signed that must outlive the process.
    key = secrets.session_key if secrets is not None else token_hex(32)
    return Access(
        enabled=auth,
        authenticator=Authenticator(secrets) if auth and secrets is not None else None,
        sessions=Sessions(key, clock=clock, revoked_file=_console_file(home, "revoked-sessions")),
        metrics=metrics,
        accounts={a.username: a.role for a in secrets.accounts()} if secrets else {},
    )


def _application(
    console: Console, prometheus: PrometheusAPI, alertmanager: AlertmanagerAPI
) -> FastAPI:
    """The FastAPI app serving ``console``; it closes the sources' clients on shutdown."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        prometheus.close()
        alertmanager.close()

    app = FastAPI(
        title="agentwatch console",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.console = console
    _handlers(app)
    _plain_routes(app, _static_files())
    app.include_router(_login.router)
    app.include_router(_actions.router)
    app.include_router(_views.router)
    app.include_router(_webhook.router)
    app.include_router(_runbooks.router)
    return app


def console_state(app: Any) -> Console:
    """The Console behind an app ``create_app`` made (for tests and embedding)."""
    inner = getattr(app, "app", None)
    found = getattr(getattr(inner, "state", None), "console", None)
    if not isinstance(found, Console):
        raise TypeError("not an app made by agentwatch.console.create_app")
    return found
