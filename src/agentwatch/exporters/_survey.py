"""Developer survey scores, the optional half of claude_developer_satisfaction.

``agentwatch survey record SCORE`` appends one JSON line per response to HOME/survey.jsonl;
the framework exporter serves the mean of the last 30 days. Scores are 1-5 (a Likert scale)
and are served mapped to 0-100, the scale of the edit acceptance they are averaged with.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from prometheus_client.metrics_core import Metric

from agentwatch import catalog
from agentwatch.catalog.prometheus import gauge
from agentwatch.render import append_text

__all__ = ["MAX_SCORE", "MIN_SCORE", "SurveyCollector", "SurveyLog", "SurveyResponse"]

MIN_SCORE, MAX_SCORE = 1, 5
WINDOW_SECONDS = 30 * 86400
FILE_NAME = "survey.jsonl"


@dataclass(frozen=True, slots=True)
class SurveyResponse:
    time: float
    score: int
    comment: str = ""

    @property
    def percent(self) -> float:
        return 100.0 * (self.score - MIN_SCORE) / (MAX_SCORE - MIN_SCORE)


class SurveyLog:
    """The responses kept in ``home``. Lines that cannot be read are skipped and counted, so
    one bad hand edit does not hide every other answer."""

    def __init__(self, home: Path) -> None:
        self.path = home / FILE_NAME
        self.unreadable_lines = 0

    def record(self, score: int, comment: str = "", *, at: float | None = None) -> SurveyResponse:
        if not MIN_SCORE <= score <= MAX_SCORE:
            raise ValueError(f"a survey score is {MIN_SCORE} to {MAX_SCORE}, not {score}")
        response = SurveyResponse(time.time() if at is None else at, score, comment)
        line = {"time": response.time, "score": score, "comment": comment}
        # All or nothing: on a full disk a torn line would swallow the next answer too.
        append_text(self.path, json.dumps(line) + "\n", mode=0o644)
        return response

    def responses(self, *, since: float | None = None) -> list[SurveyResponse]:
        if not self.path.exists():
            return []
        kept: list[SurveyResponse] = []
        self.unreadable_lines = 0
        for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                entry = json.loads(line)
                response = SurveyResponse(
                    float(entry["time"]), int(entry["score"]), str(entry.get("comment", ""))
                )
            except (ValueError, TypeError, KeyError):
                self.unreadable_lines += 1
                continue
            if not MIN_SCORE <= response.score <= MAX_SCORE:
                self.unreadable_lines += 1
                continue
            if since is None or response.time >= since:
                kept.append(response)
        return kept

    def recent(self, now: float | None = None) -> list[SurveyResponse]:
        return self.responses(since=(time.time() if now is None else now) - WINDOW_SECONDS)


class SurveyCollector:
    def __init__(self, log: SurveyLog) -> None:
        self._log = log

    def collect(self) -> Iterator[Metric]:
        recent = self._log.recent()
        responses = gauge(catalog.DEVELOPER_SURVEY_RESPONSES)
        responses.add_metric([], len(recent))
        yield responses
        if recent:  # no answers: no score, rather than a made-up one
            score = gauge(catalog.DEVELOPER_SURVEY_SCORE)
            score.add_metric([], sum(r.percent for r in recent) / len(recent))
            yield score
