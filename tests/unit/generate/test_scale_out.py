"""remote_write and hashmod sharding in the generated prometheus.yml, judged by promtool too."""

from pathlib import Path
from typing import Any

import pytest

from agentwatch.catalog.scrape import EXPORTER_JOBS
from agentwatch.generate.prometheus import prometheus_config
from agentwatch.generate.tree import PROMETHEUS_CONFIG, PROMETHEUS_SHARD_CONFIGS, monitoring_tree
from agentwatch.render import serialise
from agentwatch.spec import Spec
from tests.integration.support import prometheus_hashmod
from tests.unit.tools import run


def _spec(**overrides: Any) -> Spec:
    return Spec.model_validate(overrides)


def _jobs(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {job["job_name"]: job for job in config["scrape_configs"]}


def test_no_remote_write_and_no_shard_label_by_default() -> None:
    config = prometheus_config(Spec(), rule_files=[], demo=True)
    assert "remote_write" not in config
    assert config["global"]["external_labels"] == {"cluster": Spec().cluster}
    assert all("relabel_configs" not in job for job in config["scrape_configs"])


def test_remote_write_carries_the_url_and_the_credential_files_only() -> None:
    spec = _spec(
        storage={
            "remote_write": [
                {
                    "name": "vm",
                    "url": "http://vm:8428/api/v1/write",
                    "basic_auth": {"username": "writer", "password_file": "secrets/vm"},
                },
                {
                    "name": "mimir",
                    "url": "https://mimir.example/api/v1/push",
                    "bearer_token_file": "/run/secrets/mimir",
                    "headers": {"X-Scope-OrgID": "agents"},
                },
            ]
        }
    )
    assert prometheus_config(spec, rule_files=[], demo=False)["remote_write"] == [
        {
            "name": "vm",
            "url": "http://vm:8428/api/v1/write",
            "basic_auth": {"username": "writer", "password_file": "secrets/vm"},
        },
        {
            "name": "mimir",
            "url": "https://mimir.example/api/v1/push",
            "authorization": {"type": "Bearer", "credentials_file": "/run/secrets/mimir"},
            "headers": {"X-Scope-OrgID": "agents"},
        },
    ]


def test_a_sharded_spec_needs_a_shard_in_range() -> None:
    spec = _spec(scrape={"shards": 2})
    with pytest.raises(ValueError, match=r"scrape.shards is 2: say which shard \(0..1\)"):
        prometheus_config(spec, rule_files=[], demo=True)
    with pytest.raises(ValueError, match=r"shard 2 is outside 0..1"):
        prometheus_config(spec, rule_files=[], demo=True, shard=2)


def test_each_shard_keeps_its_hashmod_share_of_the_exporters_and_shard_0_the_rest() -> None:
    spec = _spec(scrape={"shards": 3})
    configs = [prometheus_config(spec, rule_files=[], demo=True, shard=i) for i in range(3)]
    for shard, config in enumerate(configs):
        assert config["global"]["external_labels"]["shard"] == str(shard)
        jobs = _jobs(config)
        for name in EXPORTER_JOBS:
            hashmod, keep = jobs[name]["relabel_configs"]
            assert hashmod == {
                "source_labels": ["__address__"],
                "modulus": 3,
                "target_label": "__tmp_hashmod",
                "action": "hashmod",
            }
            assert keep == {
                "source_labels": ["__tmp_hashmod"],
                "regex": str(shard),
                "action": "keep",
            }
    infrastructure = set(_jobs(configs[0])) - set(EXPORTER_JOBS)
    assert {"prometheus", "alertmanager"} <= infrastructure
    for config in configs[1:]:
        assert set(_jobs(config)) == set(EXPORTER_JOBS)


def test_the_tree_writes_one_config_per_shard_and_prometheus_yml_is_shard_0() -> None:
    tree = monitoring_tree(_spec(scrape={"shards": 2}))
    shard_files = sorted(path for path in tree if "prometheus-shard-" in path)
    assert shard_files == [PROMETHEUS_SHARD_CONFIGS.format(shard=i) for i in range(2)]
    assert tree[PROMETHEUS_CONFIG] == tree[PROMETHEUS_SHARD_CONFIGS.format(shard=0)]
    assert not any("prometheus-shard-" in path for path in monitoring_tree(Spec()))


def test_the_shards_partition_the_exporter_targets() -> None:
    spec = _spec(scrape={"shards": 2})
    owners: dict[str, list[int]] = {}
    for shard in range(2):
        for job in prometheus_config(spec, rule_files=[], demo=True, shard=shard)["scrape_configs"]:
            if job["job_name"] in EXPORTER_JOBS:
                (target,) = job["static_configs"][0]["targets"]
                if prometheus_hashmod(target, 2) == int(job["relabel_configs"][1]["regex"]):
                    owners.setdefault(target, []).append(shard)
    assert len(owners) == len(EXPORTER_JOBS)
    assert all(len(shards) == 1 for shards in owners.values()), owners


def test_promtool_accepts_every_shard_with_remote_write(tmp_path: Path, promtool: Path) -> None:
    (tmp_path / "vm_password").write_text("not-a-real-password\n")
    spec = _spec(
        scrape={"shards": 2},
        storage={
            "remote_write": [
                {
                    "name": "vm",
                    "url": "http://127.0.0.1:8428/api/v1/write",
                    "basic_auth": {"username": "writer", "password_file": "vm_password"},
                }
            ]
        },
    )
    for shard in range(2):
        path = tmp_path / f"prometheus-shard-{shard}.yml"
        path.write_text(
            serialise(path.name, prometheus_config(spec, rule_files=[], demo=True, shard=shard))
        )
        checked = run(promtool, "check", "config", path.name, cwd=tmp_path)
        assert checked.returncode == 0, checked.stdout + checked.stderr
