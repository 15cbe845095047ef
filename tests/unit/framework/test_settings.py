"""The framework: section validates with messages that name the field and the fix."""

import pytest

from agentwatch.spec import SpecError, parse_spec
from agentwatch.spec._framework import FrameworkSettings


def problems(framework: dict[str, object]) -> list[tuple[str, str]]:
    with pytest.raises(SpecError) as caught:
        parse_spec({"framework": framework})
    return caught.value.problems


def test_defaults_are_claude_codes_sub_agent_format() -> None:
    settings = parse_spec({}).framework
    assert settings.template.required_front_matter == ("name", "description")
    assert settings.template.optional_front_matter == ("tools", "model")
    assert settings.template.model_aliases == ("sonnet", "opus", "haiku", "inherit")
    assert settings.agents_dir == ".claude/agents"
    assert settings.rescan_seconds == 5.0


@pytest.mark.parametrize(
    ("framework", "field", "says"),
    [
        (
            {"template": {"name_pattern": "[a-z"}},
            "framework.template.name_pattern",
            "regular expression",
        ),
        ({"agent_glob": "/abs/*.md"}, "framework.agent_glob", "relative"),
        ({"agents_dir": "../agents"}, "framework.agents_dir", "'..'"),
        ({"agents_dir": "agents/*"}, "framework.agents_dir", "not a glob"),
        (
            {
                "weights": {
                    "framework_integrity": 0,
                    "agent_quality": 0,
                    "prompt_quality": 0,
                    "code_quality": 0,
                    "documentation": 0,
                }
            },
            "framework.weights",
            "above 0",
        ),
        (
            {"weights": {"agent_quality": -1}},
            "framework.weights.agent_quality",
            "greater than or equal",
        ),
        ({"rescan_interval": "0s"}, "framework.rescan_interval", "positive duration"),
        (
            {"template": {"optional_front_matter": ["name"]}},
            "framework.template",
            "both required and optional",
        ),
        ({"tempalte": {}}, "framework.tempalte", "unknown key"),
    ],
)
def test_bad_settings_name_field_and_expectation(
    framework: dict[str, object], field: str, says: str
) -> None:
    found = problems(framework)
    assert any(path == field and says in message for path, message in found), found


def test_settings_are_frozen() -> None:
    settings = FrameworkSettings()
    with pytest.raises(ValueError, match="frozen"):
        settings.agents_dir = "x"  # type: ignore[misc]
