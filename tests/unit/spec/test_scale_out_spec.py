"""storage.remote_write and scrape.shards: valid settings load, bad ones name their field."""

from pathlib import Path

from agentwatch.spec import Spec, load_spec


def _load(tmp_path: Path, text: str) -> Spec:
    path = tmp_path / "agentwatch.yaml"
    path.write_text(text)
    return load_spec(path)


def test_the_defaults_write_nowhere_and_run_one_server() -> None:
    spec = Spec()
    assert spec.storage.remote_write == []
    assert spec.scrape.shards == 1


def test_a_remote_write_with_basic_auth_by_file_loads(tmp_path: Path) -> None:
    spec = _load(
        tmp_path,
        "storage:\n  remote_write:\n"
        "    - name: vm\n      url: http://127.0.0.1:8428/api/v1/write\n"
        "      basic_auth: {username: writer, password_file: /etc/prometheus/vm_password}\n"
        "scrape:\n  shards: 2\n",
    )
    (target,) = spec.storage.remote_write
    assert target.url == "http://127.0.0.1:8428/api/v1/write"
    assert target.basic_auth is not None
    assert target.basic_auth.password_file == "/etc/prometheus/vm_password"
    assert spec.scrape.shards == 2
