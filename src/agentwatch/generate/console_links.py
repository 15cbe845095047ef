"""URLs of the console that generated files point at: the web hook Alertmanager delivers to,
and the runbook page every alert's ``runbook_url`` opens (unless the spec names others)."""

from __future__ import annotations

from agentwatch.catalog.http_paths import CONSOLE_RUNBOOKS_PATH, CONSOLE_WEBHOOK_PATH
from agentwatch.catalog.scrape import connect_host, host_port
from agentwatch.spec import Spec

__all__ = ["console_url", "console_webhook_url", "runbook_url"]


def console_url(spec: Spec, path: str) -> str:
    """``path`` on the console ``spec`` runs (listen_address and ports.console)."""
    return f"http://{host_port(connect_host(spec.listen_address), spec.ports.console)}{path}"


def console_webhook_url(spec: Spec) -> str:
    """Where the console receives Alertmanager's notifications (the default receiver)."""
    return console_url(spec, CONSOLE_WEBHOOK_PATH)


def runbook_url(spec: Spec, alertname: str) -> str:
    """The alert's runbook: its section of ``alerting.runbook_base_url``, by default the
    console's runbook page. The anchor is the alert name lower-cased, GitHub's heading anchor,
    so the same fragment works for docs/runbooks.md published anywhere."""
    base = spec.alerting.runbook_base_url or console_url(spec, CONSOLE_RUNBOOKS_PATH)
    return f"{base}#{alertname.lower()}"
