"""The versioned agentwatch.yaml configuration, validated into a frozen model."""

from ._load import SpecError, load_spec, parse_spec
from ._model import (
    DEFAULT_AGENT_TYPES,
    Ports,
    ScrapeJob,
    Scraping,
    Simulation,
    Slo,
    SloAlerting,
    SloSli,
    Spec,
    Storage,
    Thresholds,
    duration_seconds,
)

__all__ = [
    "DEFAULT_AGENT_TYPES",
    "Ports",
    "ScrapeJob",
    "Scraping",
    "Simulation",
    "Slo",
    "SloAlerting",
    "SloSli",
    "Spec",
    "SpecError",
    "Storage",
    "Thresholds",
    "duration_seconds",
    "load_spec",
    "parse_spec",
]
