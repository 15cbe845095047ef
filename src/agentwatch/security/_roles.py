"""Who may do what. The seeds assign the views: executives see the business and SLO views,
technical staff see everything read-only, admins may also silence alerts and change config."""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

__all__ = ["ROLE_PERMISSIONS", "Permission", "Role"]


class Role(StrEnum):
    EXECUTIVE = "executive"
    TECHNICAL = "technical"
    ADMIN = "admin"
    # The stack itself: Prometheus scraping, the analytics service reading Prometheus.
    SERVICE = "service"


class Permission(StrEnum):
    BUSINESS = "business"  # ROI, adoption, quality views
    SLO = "slo"  # SLOs, budgets, burn rates
    OPERATIONS = "operations"  # agent health, alerts, capacity, flow, traces
    METRICS = "metrics"  # exporters' /metrics and JSON APIs, the OTLP receiver
    SILENCE = "silence"  # create and expire silences, acknowledge alerts
    CONFIG = "config"  # view and change the configuration


_READ = frozenset({Permission.BUSINESS, Permission.SLO, Permission.OPERATIONS, Permission.METRICS})

ROLE_PERMISSIONS: MappingProxyType[Role, frozenset[Permission]] = MappingProxyType(
    {
        Role.EXECUTIVE: frozenset({Permission.BUSINESS, Permission.SLO}),
        Role.TECHNICAL: _READ,
        Role.ADMIN: _READ | {Permission.SILENCE, Permission.CONFIG},
        Role.SERVICE: frozenset({Permission.METRICS, Permission.OPERATIONS}),
    }
)
