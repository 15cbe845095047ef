"""No file agentwatch commits or generates holds a password: the code the seeds came from
shipped a literal Grafana admin password. Scans every tracked file and a freshly prepared
stack home (its configs, outside HOME/secrets)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from agentwatch.spec import Spec
from agentwatch.stack import Binaries, StackHome, build_plan
from agentwatch.stack._configs import render_configs

ROOT = Path(__file__).resolve().parents[3]

# Defaults people try first, and the literal from the seeds' original code.
_KNOWN_DEFAULTS = re.compile(
    r"claude-agents-2024|admin:admin|ADMIN_PASSWORD\s*[=:]\s*[\"']?(admin|changeme|password)\b"
    r"|\bpassword\s*[=:]\s*[\"']?(admin|changeme|secret|password|prom-operator)[\"']?\s*$",
    re.I | re.M,
)
# A password-like key given a literal value (not a *_file path, not a variable).
_LITERAL = re.compile(
    r"^[ \t]*[\"']?[A-Za-z_]*passw(?:or)?d[\"']?[ \t]*[:=][ \t]*[\"']?([^\s\"'${}/][^\s\"']*)",
    re.I | re.M,
)
# Files that may talk about passwords: tests (which build throwaway ones) and prose.
_EXEMPT_SUFFIXES = (".md", ".py", ".html", ".txt")


def _tracked_files() -> list[Path]:
    git = shutil.which("git")
    assert git is not None
    listed = subprocess.run(
        [git, "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    return [ROOT / name for name in listed.split("\0") if name]


def _problems(path: Path, text: str) -> list[str]:
    found = [f"{path}: known default {m.group(0)!r}" for m in _KNOWN_DEFAULTS.finditer(text)]
    if not path.name.endswith(_EXEMPT_SUFFIXES):
        found += [f"{path}: literal password {m.group(0)!r}" for m in _LITERAL.finditer(text)]
    return found


def test_the_scan_finds_what_it_looks_for(tmp_path: Path) -> None:
    path = tmp_path / "compose.yml"
    assert _problems(path, "GF_SECURITY_ADMIN_PASSWORD: admin\n")
    assert _problems(path, "  password: hunter2\n")
    assert not _problems(path, "  password_file: /run/secrets/x\n")
    assert not _problems(path, "  GF_SECURITY_ADMIN_PASSWORD__FILE: /run/secrets/x\n")


def test_no_committed_file_holds_a_password() -> None:
    files = _tracked_files()
    assert len(files) > 100
    problems: list[str] = []
    for path in files:
        if path == Path(__file__) or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # images
        problems += _problems(path.relative_to(ROOT), text)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("demo", [True, False])
def test_a_prepared_home_holds_passwords_only_in_its_secrets(tmp_path: Path, demo: bool) -> None:
    home = StackHome(tmp_path)
    fake = Binaries(Path("p"), Path("pt"), Path("a"), Path("at"))
    render_configs(build_plan(Spec(), home, fake, config_path=None, demo=demo))
    secrets_text = home.secrets.secrets_json.read_text()
    keys = "password|scrape_token|pii_key|session_key|alert_webhook_token"
    values = set(re.findall(rf'"(?:{keys})": "([^"]+)"', secrets_text))
    assert len(values) >= 6
    outside = [
        p for p in tmp_path.rglob("*") if p.is_file() and home.secrets.directory not in p.parents
    ]
    assert outside
    for path in outside:
        text = path.read_text()
        assert not _problems(path, text)
        assert not [v for v in values if v in text], path
