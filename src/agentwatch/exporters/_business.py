"""The framework/business exporter (``agentwatch framework serve``): on ports.framework_exporter
the framework scanner's families (rescanned on change), the developer survey and the telemetry
the OTLP receiver took in on ports.otlp_http (Claude Code, GenAI clients), and the space left on
the home's filesystem. Prometheus scrapes it as the seed's ``claude-framework`` job; the
business recording rules read what it serves."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agentwatch.framework import FrameworkWatcher
from agentwatch.security import Authenticator, Pseudonymizer, find_secrets, pseudonymizer_for
from agentwatch.spec import Spec

from ._home import HomeFilesystemCollector
from ._server import Collector, MetricsServer
from ._survey import SurveyCollector, SurveyLog
from .otlp import OtlpCollector, OtlpReceiver, OtlpStore

__all__ = ["BusinessExporter", "ServedEndpoint", "home_pseudonymizer"]


def home_pseudonymizer(spec: Spec, home: Path | None) -> Pseudonymizer:
    """The spec's hashed names under the home's ``pii_key`` ($AGENTWATCH_SECRETS or
    HOME/secrets), so pseudonyms survive restarts; without secrets, a random key (values are
    still hashed, but their pseudonyms change per process). SecretsError when the secrets
    file is unreadable or readable by others."""
    found = find_secrets(home)
    return pseudonymizer_for(spec.privacy.hashed_labels, found.pii_key if found else None)


@dataclass(frozen=True, slots=True)
class ServedEndpoint:
    name: str
    url: str


class BusinessExporter:
    """Everything the framework/business exporter serves. ``framework`` is the directory to
    scan (None: no scanner families); ``home`` holds the survey answers and the secrets whose
    ``pii_key`` the OTLP receiver hashes personal attributes with (``pseudonymizer`` given:
    that one instead). With an ``authenticator`` both endpoints ask for credentials, and the
    receiver's refusals are served here as component "OTLP receiver"."""

    def __init__(
        self,
        spec: Spec,
        home: Path,
        framework: Path | None,
        *,
        pseudonymizer: Pseudonymizer | None = None,
        authenticator: Authenticator | None = None,
    ) -> None:
        self.spec = spec
        self.watcher = (
            FrameworkWatcher(framework, spec.framework) if framework is not None else None
        )
        self.store = OtlpStore(
            spec.otlp_receiver, pseudonymizer=pseudonymizer or home_pseudonymizer(spec, home)
        )
        self.survey = SurveyLog(home)
        collectors: list[Collector] = [
            SurveyCollector(self.survey),
            OtlpCollector(self.store),
            # Served here because this exporter always runs under the stack and knows the home.
            HomeFilesystemCollector(home),
        ]
        if self.watcher is not None:
            collectors.insert(0, self.watcher.collector())
        receiver_auth = authenticator.sibling() if authenticator is not None else None
        self.metrics = MetricsServer(
            *collectors,
            host=spec.listen_address,
            port=spec.ports.framework_exporter,
            name="framework exporter",
            authenticator=authenticator,
            also_authenticated=(
                {"OTLP receiver": receiver_auth}
                if receiver_auth is not None and spec.otlp_receiver.enabled
                else None
            ),
        )
        self.receiver = (
            OtlpReceiver(
                self.store,
                spec.otlp_receiver,
                host=spec.listen_address,
                port=spec.ports.otlp_http,
                authenticator=receiver_auth,
            )
            if spec.otlp_receiver.enabled
            else None
        )

    def start(self) -> list[ServedEndpoint]:
        """Scan once, then serve; PortInUseError names the port that is taken."""
        try:
            self.metrics.start()
            if self.receiver is not None:
                self.receiver.start()
        except BaseException:
            self.stop()
            raise
        if self.watcher is not None:
            self.watcher.start()
        endpoints = [ServedEndpoint("framework exporter", f"{self.metrics.url}/metrics")]
        if self.receiver is not None:
            endpoints.append(
                ServedEndpoint("OTLP/HTTP metrics receiver", self.receiver.metrics_url)
            )
        return endpoints

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        if self.receiver is not None:
            self.receiver.stop()
        self.metrics.stop()
