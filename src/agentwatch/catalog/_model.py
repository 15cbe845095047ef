"""The shape of one catalog entry."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["MetricFamily", "MetricType", "Origin"]


class MetricType(StrEnum):
    COUNTER = "counter"
    GAUGE = "gauge"
    HISTOGRAM = "histogram"


class Origin(StrEnum):
    """What produces a family. Exporters carry their default port in the spec."""

    AGENT_EXPORTER = "agent exporter"
    TRANSPORT_EXPORTER = "transport exporter"
    VOICE_EXPORTER = "voice exporter"
    FRAMEWORK_EXPORTER = "framework exporter"
    ANALYTICS_EXPORTER = "analytics exporter"
    OTLP_RECEIVER = "OTLP receiver"
    # The SDK's adaptive trace sampler; served beside the transport exporter's families.
    TRACE_SAMPLER = "trace sampler"
    # Every endpoint that asks for credentials serves its refusals (security.auth).
    AUTHENTICATION = "authenticated endpoints"
    # The SDK's cardinality guard; served beside the agent, transport and voice exporters'
    # families, each counting the folds of the families it serves.
    CARDINALITY_GUARD = "cardinality guard"
    CONSOLE = "console"
    RECORDING_RULE = "recording rule"


@dataclass(frozen=True, slots=True)
class MetricFamily:
    """One metric family, described once.

    ``name`` is the name users query. For counters that is the ``_total`` sample name;
    ``family`` gives the OpenMetrics family name without the suffix.
    ``planned_in`` names the issue that will produce a family nothing emits yet, so the
    catalog can list every seed metric without pretending it exists.
    """

    name: str
    type: MetricType
    unit: str
    labels: tuple[str, ...]
    help: str
    origin: Origin
    buckets: tuple[float, ...] | None = None
    seed: str | None = None
    planned_in: int | None = None

    @property
    def family(self) -> str:
        if self.type is MetricType.COUNTER:
            return self.name.removesuffix("_total")
        return self.name

    @property
    def implemented(self) -> bool:
        return self.planned_in is None
