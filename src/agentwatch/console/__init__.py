"""The web console: system overview, alerts and silences, SLOs, capacity, message flow and
business views over Prometheus and Alertmanager, with logins, roles and an audit trail
(docs/console.md). ``create_app`` builds it; ``agentwatch console serve`` runs it."""

from ._app import ConsoleError, console_state, create_app
from ._guard import MAX_BODY_BYTES
from ._pages import VIEWS, View
from ._serve import listen, serve

__all__ = [
    "MAX_BODY_BYTES",
    "VIEWS",
    "ConsoleError",
    "View",
    "console_state",
    "create_app",
    "listen",
    "serve",
]
