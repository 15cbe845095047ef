"""alertmanager.yml from the spec: exact data, checked and routed by the real amtool."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from agentwatch.generate.alertmanager import (
    AGENT_ALERTS_SILENCED_BY_TRANSPORT_DOWN,
    alertmanager_config,
)
from agentwatch.render import dump_yaml, write_yaml
from agentwatch.security import ensure_secrets
from agentwatch.spec import Spec, SpecError, parse_spec
from tests.unit.tools import run

# Values no generated file may contain: they stand for the real secrets.
PAGERDUTY_KEY = "pd-routing-key-6f1c0ffee"
WEBHOOK_TOKEN = "webhook-token-b7e11e"
SECURITY_TOKEN = "security-token-5ec0"

FULL: dict[str, Any] = {
    "alerting": {
        "webhook_url": "http://127.0.0.1:9095/alerts",
        "webhook_token_file": "webhook_token",
        "security_webhook_url": "https://security.example.com/hooks/alerts",
        "security_webhook_token_file": "security_webhook_token",
        "voice_webhook_url": "http://voice.example.com:8080/alerts",
        "pagerduty": True,
        "pagerduty_url": "http://127.0.0.1:9096/v2/enqueue",
        "business_hours_location": "Europe/Berlin",
        "business_hours_start": "08:30",
        "business_hours_end": "18:00",
    }
}


def _full_spec() -> Spec:
    return parse_spec(FULL)


def _secrets(tmp_path: Path) -> Path:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    for name, value in (
        ("pagerduty_routing_key", PAGERDUTY_KEY),
        ("webhook_token", WEBHOOK_TOKEN),
        ("security_webhook_token", SECURITY_TOKEN),
    ):
        (secrets / name).write_text(value + "\n")
        (secrets / name).chmod(0o600)
    return secrets


def _write(tmp_path: Path, config: dict[str, Any], name: str = "alertmanager.yml") -> Path:
    path = tmp_path / name
    write_yaml(path, config)
    return path


def _receiver_for(amtool: Path, config_file: Path, labels: str) -> str:
    result = run(
        amtool, "config", "routes", "test", f"--config.file={config_file}", *labels.split()
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


def _file_keys(node: Any, path: str = "") -> dict[str, str]:
    """Every ``*_file`` key in ``node``, by dotted path."""
    found: dict[str, str] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if str(key).endswith("_file"):
                found[here] = value
            found |= _file_keys(value, here)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found |= _file_keys(value, f"{path}[{index}]")
    return found


def test_default_config() -> None:
    # The default receiver is the console's web hook, which keeps the notification log.
    webhook = {
        "url": "http://127.0.0.1:8080/api/alerts/webhook",
        "send_resolved": True,
        "max_alerts": 20,
        "http_config": {
            "authorization": {
                "type": "Bearer",
                "credentials_file": "/etc/alertmanager/secrets/alert-webhook-token",
            }
        },
    }
    assert alertmanager_config(Spec()) == {
        "route": {
            "receiver": "web.hook",
            "group_by": ["alertname", "cluster"],
            "group_wait": "10s",
            "group_interval": "10s",
            "repeat_interval": "1h",
            "routes": [
                {"matchers": ['category="security"'], "receiver": "security"},
                {"matchers": ['category="voice"'], "receiver": "voice"},
                {"matchers": ['category="business"'], "receiver": "executive"},
                {
                    "matchers": ['category="slo"'],
                    "receiver": "web.hook",
                    "routes": [
                        {"matchers": ['severity="critical"'], "receiver": "web.hook"},
                        {
                            "matchers": ['severity="warning"'],
                            "receiver": "web.hook",
                            "active_time_intervals": ["business-hours"],
                        },
                    ],
                },
            ],
        },
        "inhibit_rules": [
            {
                "source_matchers": ['alertname="TransportDown"'],
                "target_matchers": [
                    'alertname=~"AgentHealthLow|AgentPerformanceDegradation|HighLatencyP99'
                    '|QueueBackup|TransportThroughputLow"'
                ],
                "equal": ["cluster"],
            },
            {
                "source_matchers": ['severity="critical"'],
                "target_matchers": ['severity="warning"'],
                "equal": ["alertname", "cluster", "slo"],
            },
        ],
        "receivers": [
            {"name": "web.hook", "webhook_configs": [webhook]},
            {"name": "security", "webhook_configs": [webhook]},
            {"name": "voice", "webhook_configs": [webhook]},
            {"name": "executive", "webhook_configs": [webhook]},
        ],
        "time_intervals": [
            {
                "name": "business-hours",
                "time_intervals": [
                    {
                        "weekdays": ["monday:friday"],
                        "times": [{"start_time": "09:00", "end_time": "17:00"}],
                        "location": "UTC",
                    }
                ],
            }
        ],
    }


def test_default_config_names_only_the_secret_every_home_has(tmp_path: Path) -> None:
    # Nothing may point at a file that is missing: the one file the default names is the
    # console's web-hook token, which every home's secrets hold from the first `agentwatch up`.
    _, files, _ = ensure_secrets(tmp_path)
    named = _file_keys(alertmanager_config(Spec(), secrets_dir=str(files.directory)))
    assert set(named.values()) == {str(files.alert_webhook_token)}
    assert files.alert_webhook_token.read_text()


def test_the_same_spec_gives_the_same_bytes() -> None:
    first = dump_yaml(alertmanager_config(_full_spec(), secrets_dir="/run/secrets"))
    assert first == dump_yaml(alertmanager_config(_full_spec(), secrets_dir="/run/secrets"))
    # No anchors or aliases: every receiver is spelled out.
    assert "&id" not in first
    assert "*id" not in first


def test_secret_files_live_in_the_secrets_dir() -> None:
    production = _file_keys(alertmanager_config(_full_spec()))
    local = _file_keys(
        alertmanager_config(_full_spec(), secrets_dir="/home/me/.agentwatch/secrets")
    )
    assert set(production.values()) == {
        "/etc/alertmanager/secrets/pagerduty_routing_key",
        "/etc/alertmanager/secrets/webhook_token",
        "/etc/alertmanager/secrets/security_webhook_token",
    }
    assert set(local.values()) == {
        "/home/me/.agentwatch/secrets/pagerduty_routing_key",
        "/home/me/.agentwatch/secrets/webhook_token",
        "/home/me/.agentwatch/secrets/security_webhook_token",
    }


def test_no_generated_file_holds_a_secret(tmp_path: Path) -> None:
    secrets = _secrets(tmp_path)
    text = dump_yaml(alertmanager_config(_full_spec(), secrets_dir=str(secrets)))
    for secret in (PAGERDUTY_KEY, WEBHOOK_TOKEN, SECURITY_TOKEN):
        assert secret not in text
    # Only the *_file forms of Alertmanager's secret fields are used.
    config = yaml.safe_load(text)
    inline = {"routing_key", "service_key", "credentials", "password", "bearer_token"}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            assert not inline & set(node), node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(config)
    assert _file_keys(config)


def test_amtool_accepts_the_default_config(tmp_path: Path, amtool: Path) -> None:
    path = _write(tmp_path, alertmanager_config(Spec()))
    result = run(amtool, "check-config", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    # web.hook, security, voice and executive (business-impact alerts).
    assert "4 receivers" in result.stdout


def test_amtool_accepts_everything_enabled(tmp_path: Path, amtool: Path) -> None:
    secrets = _secrets(tmp_path)
    config = alertmanager_config(_full_spec(), secrets_dir=str(secrets))
    for path in _file_keys(config).values():
        assert Path(path).is_file(), path
    result = run(amtool, "check-config", str(_write(tmp_path, config)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "7 receivers" in result.stdout
    assert "2 inhibit rules" in result.stdout


ROUTING = [
    # labels, receiver with PagerDuty on, receiver with the defaults (PagerDuty off)
    ("alertname=TransportDown severity=critical category=transport", "pagerduty", "web.hook"),
    ("alertname=AgentHealthLow severity=warning category=agents", "web.hook", "web.hook"),
    ("alertname=ExporterDown severity=critical category=system", "pagerduty", "web.hook"),
    (
        "alertname=UnauthorizedAgentAccess severity=critical category=security",
        "security-pagerduty",
        "security",
    ),
    (
        "alertname=AnomalousMessagePattern severity=warning category=security",
        "security",
        "security",
    ),
    ("alertname=AudioCaptureAnomaly severity=warning category=voice", "voice", "voice"),
    (
        "alertname=VoiceBiometricAuthFailures severity=critical category=voice",
        "voice-pagerduty",
        "voice",
    ),
    ("alertname=SLOErrorBudgetBurn severity=critical category=slo", "pagerduty", "web.hook"),
    ("alertname=SLOErrorBudgetBurn severity=warning category=slo", "pagerduty", "web.hook"),
]


@pytest.mark.parametrize(("labels", "enabled", "default"), ROUTING)
def test_routing(tmp_path: Path, labels: str, enabled: str, default: str, amtool: Path) -> None:
    full = _write(
        tmp_path,
        alertmanager_config(_full_spec(), secrets_dir=str(_secrets(tmp_path))),
        "full.yml",
    )
    defaults = _write(tmp_path, alertmanager_config(Spec()), "defaults.yml")
    assert _receiver_for(amtool, full, labels) == enabled
    assert _receiver_for(amtool, defaults, labels) == default


@pytest.mark.parametrize("spec", [Spec(), _full_spec()], ids=["defaults", "pagerduty"])
def test_slow_burn_pages_only_in_business_hours(tmp_path: Path, spec: Spec, amtool: Path) -> None:
    config = alertmanager_config(spec, secrets_dir=str(tmp_path))
    path = _write(tmp_path, config)

    def matched(severity: str) -> str:
        result = run(
            amtool,
            "config",
            "routes",
            "test",
            "--tree",
            f"--config.file={path}",
            "alertname=SLOErrorBudgetBurn",
            "category=slo",
            f"severity={severity}",
        )
        assert result.returncode == 0, result.stdout + result.stderr
        # The matching branch of the tree, then a blank line, then the receivers.
        tree = result.stdout.split("Matching routes:")[1].strip().split("\n\n")[0]
        return tree.splitlines()[-1].split("receiver:")[0].strip(" └─")

    # amtool shows which route matched; the dict shows what that route does.
    assert matched("critical") == '{severity="critical"}'
    assert matched("warning") == '{severity="warning"}'
    (slo,) = [r for r in config["route"]["routes"] if r["matchers"] == ['category="slo"']]
    fast, slow = slo["routes"]
    assert "active_time_intervals" not in fast
    assert slow["active_time_intervals"] == ["business-hours"]
    assert [i["name"] for i in config["time_intervals"]] == ["business-hours"]


def test_business_hours_come_from_the_spec() -> None:
    (interval,) = alertmanager_config(_full_spec())["time_intervals"]
    assert interval == {
        "name": "business-hours",
        "time_intervals": [
            {
                "weekdays": ["monday:friday"],
                "times": [{"start_time": "08:30", "end_time": "18:00"}],
                "location": "Europe/Berlin",
            }
        ],
    }


def test_transport_down_silences_the_agent_alerts_it_causes() -> None:
    (rule,) = [
        r
        for r in alertmanager_config(Spec())["inhibit_rules"]
        if r["source_matchers"] == ['alertname="TransportDown"']
    ]
    assert rule["equal"] == ["cluster"]
    (target,) = rule["target_matchers"]
    assert target.startswith('alertname=~"')
    silenced = set(target.removeprefix('alertname=~"').removesuffix('"').split("|"))
    assert silenced == set(AGENT_ALERTS_SILENCED_BY_TRANSPORT_DOWN)
    assert {"AgentHealthLow", "QueueBackup", "HighLatencyP99"} <= silenced
    # The cause itself, and alerts it does not cause, stay loud.
    assert not {"TransportDown", "ExporterDown", "UnauthorizedAgentAccess"} & silenced


def test_critical_silences_the_same_alerts_warning() -> None:
    rules = alertmanager_config(Spec())["inhibit_rules"]
    assert {
        "source_matchers": ['severity="critical"'],
        "target_matchers": ['severity="warning"'],
        "equal": ["alertname", "cluster", "slo"],
    } in rules


def test_pagerduty_url_is_optional() -> None:
    spec = parse_spec({"alerting": {"pagerduty": True}})
    (receiver,) = [r for r in alertmanager_config(spec)["receivers"] if r["name"] == "pagerduty"]
    assert receiver == {
        "name": "pagerduty",
        "pagerduty_configs": [
            {
                "routing_key_file": "/etc/alertmanager/secrets/pagerduty_routing_key",
                "send_resolved": True,
                "severity": "{{ .CommonLabels.severity }}",
            }
        ],
    }


def test_team_hooks_fall_back_to_the_default_hook_and_its_token() -> None:
    spec = parse_spec(
        {"alerting": {"webhook_url": "http://127.0.0.1:9095/alerts", "webhook_token_file": "tok"}}
    )
    receivers = {r["name"]: r for r in alertmanager_config(spec, secrets_dir="/s")["receivers"]}
    expected = [
        {
            "url": "http://127.0.0.1:9095/alerts",
            "send_resolved": True,
            "http_config": {"authorization": {"type": "Bearer", "credentials_file": "/s/tok"}},
        }
    ]
    for name in ("web.hook", "security", "voice"):
        assert receivers[name]["webhook_configs"] == expected


@pytest.mark.parametrize(
    ("alerting", "complaint"),
    [
        ({"business_hours_location": "Mars/Olympus"}, "IANA time zone"),
        ({"business_hours_start": "17:00", "business_hours_end": "09:00"}, "must be before"),
        ({"business_hours_start": "9:00"}, "pattern"),
        ({"webhook_url": "ftp://example.com/x"}, "http:// or https://"),
        ({"webhook_url": "http://h/x", "webhook_token_file": "../../etc/passwd"}, "pattern"),
        ({"webhook_token_file": "tok"}, "webhook_token_file is the token for webhook_url"),
        ({"pagerduty_routing_key_file": "/abs/key"}, "pattern"),
        ({"routing_key": "inline-secret"}, "unknown key"),
    ],
)
def test_bad_alerting_spec(alerting: dict[str, Any], complaint: str) -> None:
    with pytest.raises(SpecError, match=complaint) as info:
        parse_spec({"alerting": alerting})
    assert "alerting" in str(info.value)
