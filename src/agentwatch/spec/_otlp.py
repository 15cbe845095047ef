"""The ``otlp_receiver:`` section: limits of the OTLP/HTTP metrics receiver (ports.otlp_http)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["DEFAULT_DROPPED_ATTRIBUTES", "OtlpReceiverSettings"]

_MIB = 1024 * 1024

# Claude Code's identity attributes (code.claude.com/docs/en/monitoring-usage, "Standard
# attributes") that no label reads: one value per session, account id or organisation, which
# would only make a series per session or put identifiers in Prometheus. user.account_uuid,
# user.id and user.email are not dropped: they feed the `user` label, and the receiver hashes
# them on arrival (privacy.hashed_labels; docs/privacy.md). A key both dropped and hashed is
# dropped: dropping keeps less, so the two lists never contradict each other.
DEFAULT_DROPPED_ATTRIBUTES: tuple[str, ...] = (
    "session.id",
    "user.account_id",
    "organization.id",
)

_ATTRIBUTE_KEY = re.compile(r"\S+")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OtlpReceiverSettings(_Strict):
    enabled: bool = True
    # A request body as sent (compressed or not); the OTLP spec recommends 20 MiB. Checked
    # from Content-Length before the body is read.
    max_body_bytes: Annotated[int, Field(ge=1024, le=1024 * _MIB)] = 20 * _MIB
    # A gzip body once decompressed; checked while decompressing, so a zip bomb stops here.
    max_decompressed_bytes: Annotated[int, Field(ge=1024, le=1024 * _MIB)] = 20 * _MIB
    # Series served over all the receiver's families; points for new series beyond it are
    # refused and counted (series_limit).
    max_series: Annotated[int, Field(ge=1, le=1_000_000)] = 10_000
    # Cumulative streams the receiver remembers (one per exporting process and attribute set)
    # to turn running totals into increases; beyond it, points of new streams are refused
    # (stream_limit).
    max_streams: Annotated[int, Field(ge=1, le=10_000_000)] = 100_000
    # A cumulative stream not updated for this long is forgotten (an SDK exporting
    # cumulatively sends every stream at every export, so silence means the process ended).
    stream_idle_seconds: Annotated[float, Field(gt=0, le=30 * 86400)] = 3600.0
    # A label value longer than this refuses the point (label_too_long).
    max_label_value_chars: Annotated[int, Field(ge=1, le=65536)] = 256
    # Attributes never served as labels nor kept in memory (cumulative streams are told apart
    # by a keyed hash of all their attributes). A dropped attribute that feeds a label leaves
    # it "" (or the next attribute it is read from).
    drop_attributes: tuple[str, ...] = DEFAULT_DROPPED_ATTRIBUTES

    @field_validator("drop_attributes")
    @classmethod
    def _attribute_keys(cls, keys: tuple[str, ...]) -> tuple[str, ...]:
        for key in keys:
            if not _ATTRIBUTE_KEY.fullmatch(key):
                raise ValueError(
                    f"{key!r} is not an attribute key: expected a non-empty name without "
                    "spaces, such as 'user.email'"
                )
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise ValueError(f"attribute keys listed more than once: {', '.join(duplicates)}")
        return keys

    @model_validator(mode="after")
    def _limits_agree(self) -> OtlpReceiverSettings:
        if self.max_decompressed_bytes < self.max_body_bytes:
            raise ValueError(
                f"max_decompressed_bytes ({self.max_decompressed_bytes}) is smaller than "
                f"max_body_bytes ({self.max_body_bytes}): an uncompressed body that passes "
                "the first limit would be refused by the second"
            )
        return self
