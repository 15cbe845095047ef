"""The ``framework:`` section: which Claude Code framework directory the framework exporter
scans, and the unified agent template its agents are held to."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

__all__ = ["AgentTemplate", "FrameworkSettings"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AgentTemplate(_Strict):
    """The unified agent template. Default: Claude Code's sub-agent format."""

    required_front_matter: tuple[str, ...] = ("name", "description")
    optional_front_matter: tuple[str, ...] = ("tools", "model")
    required_sections: tuple[str, ...] = ()


class FrameworkSettings(_Strict):
    # The framework's root (the directory holding .claude/); unset: nothing is scanned.
    path: Path | None = None
    template: AgentTemplate = AgentTemplate()
