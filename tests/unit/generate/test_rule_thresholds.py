"""Thresholds the seeds do not give still come from the spec, never from the rule code."""

import pytest

from agentwatch.generate.rules import alerts
from agentwatch.spec import Spec, Thresholds


@pytest.mark.parametrize(
    ("field", "value", "alert"),
    [
        ("anomaly_score_max", 0.7, "AnomalousMessagePattern"),
        ("emergency_message_rate_max", 7, "EmergencyMessageFlood"),
        ("voice_auth_failure_ratio_max", 0.25, "VoiceBiometricAuthFailures"),
        ("audio_capture_anomaly_rate_max", 0.3, "AudioCaptureAnomaly"),
        ("voice_false_positive_ratio_max", 0.02, "VoiceRecognitionFalsePositives"),
    ],
)
def test_threshold_reaches_its_alert(field: str, value: float, alert: str) -> None:
    spec = Spec(thresholds=Thresholds(**{field: value}))
    expr = next(a for a in alerts(spec) if a.name == alert).expr
    assert expr.rstrip().endswith(str(value)), expr
