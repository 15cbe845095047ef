"""The kinds of fault the simulated system knows, apart from how they act on it (numpy): the
CLI lists them in `agentwatch fault --help` without loading the simulation."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["FaultKind"]


class FaultKind(StrEnum):
    CRASH = "crash"
    SLOWDOWN = "slowdown"
    MEMORY_LEAK = "memory_leak"
    QUEUE_BACKUP = "queue_backup"
    EMERGENCY_FLOOD = "emergency_flood"
    UNAUTHORIZED_ACCESS = "unauthorized_access"
    VOICE_AUTH_FAILURES = "voice_auth_failures"
    AUDIO_CAPTURE_ANOMALY = "audio_capture_anomaly"
