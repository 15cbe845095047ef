"""Voice alerts: biometric authentication, audio capture and recognition go wrong."""

from __future__ import annotations

from agentwatch import catalog
from agentwatch.catalog import MetricFamily
from agentwatch.catalog import recorded as rec
from agentwatch.spec import Spec

from .._number import num
from .._promtool_series import Series, counter
from ._definition import Alert, AlertDefinition, Case, Category, Runbook, fires, metrics_url, silent

__all__ = ["ALERTS", "CATEGORY"]

CATEGORY: Category = "voice"


def _share_cases(
    fam: MetricFamily, label: str, bad: str, good: str, limit: float
) -> tuple[Case, Case]:
    """A share of ``bad`` outcomes well above ``limit`` fires; half of it stays silent."""
    total_per_s = 10.0

    def outcomes(share: float) -> list[Series]:
        return [
            counter(fam, total_per_s * share, **{label: bad}),
            counter(fam, total_per_s * (1 - share), **{label: good}),
        ]

    high = min(2 * limit, (1 + limit) / 2)
    return fires(outcomes(high), {}, high), silent(outcomes(limit / 2))


def _voice_exporter(spec: Spec) -> str:
    return f"voice exporter {metrics_url(spec.ports.voice_exporter)}."


def voice_biometric_auth_failures(spec: Spec) -> Alert:
    limit = spec.thresholds.voice_auth_failure_ratio_max
    return Alert(
        name="VoiceBiometricAuthFailures",
        category=CATEGORY,
        severity="warning",
        expr=f"{rec.VOICE_AUTH_FAILURE_RATIO} > {num(limit)}",
        summary="Voice biometric authentication fails often",
        description="{value} of voice biometric authentications failed over 5 minutes"
        f" (limit {num(limit)}).",
        value_format="%.3f",
        runbook=Runbook(
            meaning=f"More than {num(limit)} of voice biometric authentications failed "
            "over 5 minutes.",
            queries=(f"{rec.VOICE_AUTH_FAILURE_RATIO}", f"{rec.VOICE_AUDIO_ANOMALY_RATE}"),
            where=_voice_exporter(spec),
            actions=(
                "If audio capture anomalies rose too, fix the capture path first.",
                "Otherwise suspect spoofing attempts: involve security.",
            ),
        ),
        cases=_share_cases(
            catalog.VOICE_BIOMETRIC_AUTH_TOTAL, "result", "failure", "success", limit
        ),
    )


def audio_capture_anomaly(spec: Spec) -> Alert:
    limit = spec.thresholds.audio_capture_anomaly_rate_max
    fam = catalog.VOICE_AUDIO_CAPTURE_ANOMALIES_TOTAL
    return Alert(
        name="AudioCaptureAnomaly",
        category=CATEGORY,
        severity="warning",
        expr=f"{rec.VOICE_AUDIO_ANOMALY_RATE} > {num(limit)}",
        summary="Audio capture anomalies are frequent",
        description="{value} {labels[kind]} anomalies/s in audio capture"
        f" (limit {num(limit)}).",
        value_format="%.3f",
        runbook=Runbook(
            meaning="Audio capture anomalies (clipping, silence, dropout) happen more than "
            f"{num(limit)} times per second.",
            queries=(f"{rec.VOICE_AUDIO_ANOMALY_RATE}",),
            where=_voice_exporter(spec),
            actions=(
                "Clipping: lower the input gain. Silence or dropout: check the device and "
                "its driver.",
            ),
        ),
        cases=(
            fires([counter(fam, 2 * limit, kind="clipping")], {"kind": "clipping"}, 2 * limit),
            silent([counter(fam, limit / 2, kind="clipping")]),
        ),
    )


def voice_recognition_false_positives(spec: Spec) -> Alert:
    limit = spec.thresholds.voice_false_positive_ratio_max
    return Alert(
        name="VoiceRecognitionFalsePositives",
        category=CATEGORY,
        severity="warning",
        expr=f"{rec.VOICE_FALSE_POSITIVE_RATIO} > {num(limit)}",
        summary="Voice recognition accepts phrases nobody said",
        description="{value} of voice recognitions were false positives over 5 minutes"
        f" (limit {num(limit)}).",
        value_format="%.3f",
        runbook=Runbook(
            meaning=f"More than {num(limit)} of voice recognitions accepted a phrase nobody said.",
            queries=(f"{rec.VOICE_FALSE_POSITIVE_RATIO}", f"{rec.VOICE_AUDIO_ANOMALY_RATE}"),
            where=_voice_exporter(spec),
            actions=(
                "Raise the recognition acceptance threshold; check for audio anomalies.",
                "A false positive runs a command: review what was executed.",
            ),
        ),
        cases=_share_cases(
            catalog.VOICE_RECOGNITION_TOTAL, "outcome", "false_positive", "correct", limit
        ),
    )


# In the order of their rules in alerts-voice.yml.
ALERTS: tuple[AlertDefinition, ...] = (
    voice_biometric_auth_failures,
    audio_capture_anomaly,
    voice_recognition_false_positives,
)
