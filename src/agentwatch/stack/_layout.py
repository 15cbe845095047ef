"""Where the local stack keeps its files inside the home directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agentwatch.security import SecretsFiles

__all__ = ["StackHome"]


@dataclass(frozen=True)
class StackHome:
    """Paths under the home directory. Data survives ``down``; only ``run/`` is transient."""

    root: Path

    @property
    def config_dir(self) -> Path:
        return self.root / "config"

    @property
    def prometheus_config(self) -> Path:
        return self.config_dir / "prometheus.yml"

    @property
    def prometheus_2_config(self) -> Path:
        """The second Prometheus' config (ha.prometheus_replicas): its own replica label."""
        return self.config_dir / "prometheus-2.yml"

    @property
    def alertmanager_config(self) -> Path:
        return self.config_dir / "alertmanager.yml"

    @property
    def secrets(self) -> SecretsFiles:
        """Generated passwords, tokens and keys (mode 0600), and Alertmanager's own keys."""
        return SecretsFiles(self.root / "secrets")

    @property
    def audit_log(self) -> Path:
        return self.root / "audit.log"

    @property
    def rules_dir(self) -> Path:
        return self.root / "rules"

    @property
    def rules_glob(self) -> str:
        # Absolute, so it does not depend on where Prometheus resolves relative paths from.
        return str(self.rules_dir / "*.yml")

    @property
    def prometheus_data(self) -> Path:
        return self.root / "data" / "prometheus"

    @property
    def alertmanager_data(self) -> Path:
        return self.root / "data" / "alertmanager"

    # The second Alertmanager and Prometheus (ha: in the spec) keep their own state: two
    # processes must never share a TSDB or a notification log file.
    @property
    def alertmanager_2_data(self) -> Path:
        return self.root / "data" / "alertmanager-2"

    @property
    def prometheus_2_data(self) -> Path:
        return self.root / "data" / "prometheus-2"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def run_dir(self) -> Path:
        return self.root / "run"

    @property
    def supervisor_pid_file(self) -> Path:
        """Holds the supervisor's pid and its lock: the lock, not the pid, says it is alive."""
        return self.run_dir / "supervisor.pid"

    @property
    def state_file(self) -> Path:
        return self.run_dir / "stack.json"

    def log_file(self, component: str) -> Path:
        return self.logs_dir / f"{component}.log"

    def pid_file(self, component: str) -> Path:
        return self.run_dir / f"{component}.pid"

    def create(self) -> None:
        for directory in (
            self.config_dir,
            self.rules_dir,
            self.prometheus_data,
            self.alertmanager_data,
            self.logs_dir,
            self.run_dir,
        ):
            directory.mkdir(parents=True, exist_ok=True)
