"""storage.remote_write and scrape.shards: valid settings load, bad ones name their field."""

from pathlib import Path

import pytest

from agentwatch.spec import Spec, SpecError, load_spec


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


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        (
            "storage:\n  remote_write:\n    - {name: vm, url: 'vm:8428/api/v1/write'}\n",
            "storage.remote_write[0].url",
            "http://",
        ),
        (
            "storage:\n  remote_write:\n    - {url: 'http://vm:8428/api/v1/write'}\n",
            "storage.remote_write[0].name",
            "required",
        ),
        (
            # A literal password has no field to go in: the credential lives in a file.
            "storage:\n  remote_write:\n    - name: vm\n      url: http://vm:8428/api/v1/write\n"
            "      basic_auth: {username: w, password: hunter2}\n",
            "storage.remote_write[0].basic_auth.password",
            "unknown key",
        ),
        (
            "storage:\n  remote_write:\n    - name: vm\n      url: http://vm:8428/api/v1/write\n"
            "      basic_auth: {username: w, password_file: /p}\n"
            "      bearer_token_file: /t\n",
            "storage.remote_write[0]",
            "not both",
        ),
        (
            "storage:\n  remote_write:\n    - name: vm\n      url: http://vm:8428/api/v1/write\n"
            "      headers: {Authorization: Basic x}\n",
            "storage.remote_write[0]",
            "set by Prometheus itself",
        ),
        (
            "storage:\n  remote_write:\n    - {name: vm, url: 'http://a/api/v1/write'}\n"
            "    - {name: vm, url: 'http://b/api/v1/write'}\n",
            "storage.remote_write",
            "'vm' is given twice",
        ),
        ("scrape:\n  shards: 0\n", "scrape.shards", "greater than or equal to 1"),
        ("scrape:\n  shards: two\n", "scrape.shards", "integer"),
    ],
)
def test_bad_scale_out_settings_name_the_field(
    tmp_path: Path, text: str, field: str, message: str
) -> None:
    with pytest.raises(SpecError) as caught:
        _load(tmp_path, text)
    rendered = str(caught.value)
    assert field in rendered, rendered
    assert message in rendered, rendered
