"""The local stack's Prometheus and Alertmanager configs, as exact data."""

from __future__ import annotations

import pytest

from agentwatch.catalog.scrape import connect_host, host_port
from agentwatch.generate.prometheus import prometheus_config
from agentwatch.spec import Spec, parse_spec

RULES = ["/home/me/.agentwatch/rules/*.yml"]


# What the stack scrapes with or without the simulated system (default spec).
STACK_JOBS = [
    {"job_name": "prometheus", "static_configs": [{"targets": ["127.0.0.1:9090"]}]},
    {"job_name": "alertmanager", "static_configs": [{"targets": ["127.0.0.1:9093"]}]},
    {
        "job_name": "analytics",
        "scrape_interval": "15s",
        "static_configs": [{"targets": ["127.0.0.1:8003"]}],
    },
    {
        "job_name": "claude-framework",
        "scrape_interval": "10s",
        "static_configs": [{"targets": ["127.0.0.1:8002"]}],
    },
    {"job_name": "console", "static_configs": [{"targets": ["127.0.0.1:8080"]}]},
]


def test_prometheus_config_with_the_demo() -> None:
    assert prometheus_config(Spec(), rule_files=RULES, demo=True) == {
        "global": {
            "scrape_interval": "15s",
            "evaluation_interval": "15s",
            "external_labels": {"cluster": "local"},
        },
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": ["127.0.0.1:9093"]}]}]},
        "rule_files": ["/home/me/.agentwatch/rules/*.yml"],
        "scrape_configs": [
            *STACK_JOBS,
            {
                "job_name": "agents",
                "scrape_interval": "15s",
                "static_configs": [{"targets": ["127.0.0.1:8000"]}],
            },
            {
                "job_name": "transport-layer",
                "scrape_interval": "1s",
                "scrape_timeout": "800ms",
                "static_configs": [{"targets": ["127.0.0.1:8001"]}],
            },
            {
                "job_name": "voice",
                "scrape_interval": "15s",
                "static_configs": [{"targets": ["127.0.0.1:8010"]}],
            },
        ],
    }


def test_prometheus_config_without_the_demo_scrapes_only_the_stack() -> None:
    config = prometheus_config(Spec(), rule_files=RULES, demo=False)
    assert config["scrape_configs"] == STACK_JOBS


def test_prometheus_config_follows_the_spec() -> None:
    spec = parse_spec(
        {
            "listen_address": "0.0.0.0",
            "ports": {"prometheus": 19090, "alertmanager": 19093, "agent_exporter": 18000},
            "scrape": {
                "interval": "30s",
                "evaluation_interval": "1m",
                "agents": {"interval": "5s", "timeout": "4s"},
            },
        }
    )
    config = prometheus_config(spec, rule_files=["rules/*.yml"], demo=True)
    assert config["global"] == {
        "scrape_interval": "30s",
        "evaluation_interval": "1m",
        "external_labels": {"cluster": "local"},
    }
    # A wildcard listen address is scraped through loopback.
    assert config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == [
        "127.0.0.1:19093"
    ]
    assert config["scrape_configs"][5] == {
        "job_name": "agents",
        "scrape_interval": "5s",
        "scrape_timeout": "4s",
        "static_configs": [{"targets": ["127.0.0.1:18000"]}],
    }
    assert config["rule_files"] == ["rules/*.yml"]


@pytest.mark.parametrize(
    ("listen", "host"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("0.0.0.0", "127.0.0.1"),
        ("", "127.0.0.1"),
        ("::", "::1"),
        ("[::]", "::1"),
        ("::1", "::1"),
        ("192.168.1.5", "192.168.1.5"),
    ],
)
def test_connect_host(listen: str, host: str) -> None:
    assert connect_host(listen) == host


def test_host_port_brackets_ipv6() -> None:
    assert host_port("127.0.0.1", 9090) == "127.0.0.1:9090"
    assert host_port("::1", 9090) == "[::1]:9090"
    assert host_port("[::1]", 9090) == "[::1]:9090"
