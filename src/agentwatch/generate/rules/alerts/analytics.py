"""Analytics alerts: none yet.

The analytics' findings that page are about agents and security, and route to those teams:
AgentFailurePredicted (agents.py) and AnomalousMessagePattern (security.py). An alert on the
analytics service itself goes here (its rules would go to alerts-analytics.yml).
"""

from __future__ import annotations

from ._definition import AlertDefinition, Category

__all__ = ["ALERTS", "CATEGORY"]

CATEGORY: Category = "analytics"

ALERTS: tuple[AlertDefinition, ...] = ()
