"""The versioned agentwatch.yaml configuration, validated into a frozen model."""

from ._cardinality import CardinalityLimits
from ._framework import AgentTemplate, FrameworkSettings
from ._importers import (
    SloFormat,
    detect_slo_format,
    import_openslo,
    import_slo_file,
    import_slo_files,
    import_sloth,
)
from ._load import SpecError, load_spec, parse_spec
from ._model import (
    DEFAULT_AGENT_TYPES,
    Business,
    HighAvailability,
    Ports,
    RemoteWrite,
    RemoteWriteBasicAuth,
    ScrapeJob,
    Scraping,
    Simulation,
    Slo,
    SloAlerting,
    SloSli,
    Spec,
    Storage,
    Thresholds,
    Tracing,
    duration_seconds,
)
from ._otlp import OtlpReceiverSettings
from ._security import DEFAULT_HASHED_LABELS, Privacy, Security, is_loopback

__all__ = [
    "DEFAULT_AGENT_TYPES",
    "DEFAULT_HASHED_LABELS",
    "AgentTemplate",
    "Business",
    "CardinalityLimits",
    "FrameworkSettings",
    "HighAvailability",
    "OtlpReceiverSettings",
    "Ports",
    "Privacy",
    "RemoteWrite",
    "RemoteWriteBasicAuth",
    "ScrapeJob",
    "Scraping",
    "Security",
    "Simulation",
    "Slo",
    "SloAlerting",
    "SloFormat",
    "SloSli",
    "Spec",
    "SpecError",
    "Storage",
    "Thresholds",
    "Tracing",
    "detect_slo_format",
    "duration_seconds",
    "import_openslo",
    "import_slo_file",
    "import_slo_files",
    "import_sloth",
    "is_loopback",
    "load_spec",
    "parse_spec",
]
