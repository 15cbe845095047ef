"""POST /api/alerts/webhook: Alertmanager delivers notifications to the console here.

With ``security.auth`` the request must carry the home's alert-webhook-token as a bearer token
(Alertmanager reads it from HOME/secrets/alert-webhook-token); nothing else is accepted, not
even a console user's password, so the token opens this one door only.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from agentwatch.catalog.http_paths import CONSOLE_WEBHOOK_PATH
from agentwatch.security import AuthFailure

from ._access import NotAuthenticatedError
from ._metrics import Rejection
from ._notifications import NotificationError, parse_notification
from ._state import Console, console_of

__all__ = ["router"]

router = APIRouter()
_BEARER = "bearer "


def _authorize(console: Console, request: Request) -> None:
    if console.webhook_token is None:
        return  # auth off: the console listens on loopback only (spec validation)
    header = request.headers.get("authorization")
    if not header:
        failure = AuthFailure.MISSING
    elif not header.lower().startswith(_BEARER):
        failure = AuthFailure.MALFORMED
    elif hmac.compare_digest(header[len(_BEARER) :].encode(), console.webhook_token.encode()):
        return
    else:
        failure = AuthFailure.INVALID
    console.metrics.auth_failure(failure)
    raise NotAuthenticatedError(failure, header_sent=True)


@router.post(CONSOLE_WEBHOOK_PATH, include_in_schema=False)
async def receive(request: Request) -> Response:
    console = console_of(request)
    _authorize(console, request)
    try:
        notification = parse_notification(await request.body(), console.clock())
    except NotificationError as exc:
        console.metrics.reject(Rejection.MALFORMED)
        return JSONResponse({"error": f"not an Alertmanager notification: {exc}"}, 400)
    console.notifications.add(notification)
    console.metrics.notification(notification.receiver, notification.status)
    return JSONResponse({"received": len(notification.alerts)})
