"""The ``otlp_receiver:`` section: limits of the OTLP/HTTP metrics receiver (ports.otlp_http)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["OtlpReceiverSettings"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OtlpReceiverSettings(_Strict):
    enabled: bool = True
