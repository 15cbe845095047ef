"""The voice agents' pipeline: capture, speaker authentication, transcription, understanding.

Each voice task the engine completes is one utterance. The simulator knows the ground truth
(whether the speaker really said a command), so it can tell a correct recognition from a
false positive, which a real system only learns from labelled data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._outbox import ANOMALY_KINDS, VOICE_STAGES, Outbox

__all__ = ["VoicePipeline"]

# Share of the processing time each stage takes on average (the rest of the split is noise).
_STAGE_SHARE = np.array([0.15, 0.10, 0.55, 0.20])
_STAGE_CONCENTRATION = 40.0
# Base rates in normal operation.
AUTH_FAILURE = 0.02
CAPTURE_ANOMALY = 0.003
COMMAND_SAID = 0.92  # utterances that really contain a command
ACCEPT_IF_SAID = 0.96
ACCEPT_IF_NOT_SAID = 0.01  # the false-positive rate
# A damaged capture makes authentication and recognition worse.
ANOMALY_AUTH_FAILURE = 0.5
ANOMALY_ACCEPT_IF_SAID = 0.6
ANOMALY_ACCEPT_IF_NOT_SAID = 0.08
_CORRECT, _REJECTED, _FALSE_POSITIVE = range(3)


@dataclass(frozen=True, slots=True)
class VoicePipeline:
    rng: np.random.Generator

    def run(
        self,
        seconds: NDArray[np.float64],
        auth_failure_ratio: NDArray[np.float64],
        anomaly_ratio: NDArray[np.float64],
        outbox: Outbox,
    ) -> NDArray[np.bool_]:
        """Process utterances that took ``seconds`` each; True where the request goes on.

        ``auth_failure_ratio`` and ``anomaly_ratio`` are the fault-driven extra failure shares
        of the agent that handled each utterance.
        """
        n = len(seconds)
        rng = self.rng
        # The stages split the processing time the agent really spent.
        shares = rng.dirichlet(_STAGE_SHARE * _STAGE_CONCENTRATION, size=n)
        stage_seconds = shares * seconds[:, None]
        for stage in range(len(VOICE_STAGES)):
            outbox.voice_stages[stage].append(stage_seconds[:, stage])

        anomaly = rng.random(n) < np.minimum(1.0, CAPTURE_ANOMALY + anomaly_ratio)
        kinds = rng.integers(0, len(ANOMALY_KINDS), size=n)
        outbox.voice_anomalies += np.bincount(kinds[anomaly], minlength=len(ANOMALY_KINDS))

        p_auth_fail = np.minimum(
            1.0, np.where(anomaly, ANOMALY_AUTH_FAILURE, AUTH_FAILURE) + auth_failure_ratio
        )
        authenticated = rng.random(n) >= p_auth_fail
        failures = int(n - authenticated.sum())
        outbox.voice_auth += (n - failures, failures)

        # Only authenticated speakers reach recognition.
        said = rng.random(n) < COMMAND_SAID
        p_accept = np.where(
            said,
            np.where(anomaly, ANOMALY_ACCEPT_IF_SAID, ACCEPT_IF_SAID),
            np.where(anomaly, ANOMALY_ACCEPT_IF_NOT_SAID, ACCEPT_IF_NOT_SAID),
        )
        accepted = rng.random(n) < p_accept
        outcome = np.where(accepted, np.where(said, _CORRECT, _FALSE_POSITIVE), _REJECTED)
        outbox.voice_recognition += np.bincount(outcome[authenticated], minlength=3)
        # A false positive goes on: the system believes it heard a command.
        result: NDArray[np.bool_] = authenticated & accepted
        return result
