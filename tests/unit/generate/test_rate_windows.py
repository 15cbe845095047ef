"""Scrape intervals and the windows of the rates taken over their series are checked together:
a spec whose intervals the rules' 1m and 5m rates (and the analytics' 15 s grid) cannot serve
is refused, naming the field; every spec that is accepted gives each rate four scrapes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agentwatch.analytics.failure import STEP_SECONDS
from agentwatch.analytics.failure._signals import RATE_SAMPLES as PREDICTOR_RATE_SAMPLES
from agentwatch.catalog import recorded as rec
from agentwatch.cli import app
from agentwatch.generate.rules import recording_groups
from agentwatch.spec import (
    RATE_SAMPLES,
    RATE_WINDOW,
    SHORT_RATE_WINDOW,
    Spec,
    SpecError,
    duration_seconds,
    longest_scrape_interval,
    parse_spec,
)

# Each scrape interval of the spec, the window of the shortest rate over its series, and the
# longest interval that window serves (four scrapes in it).
FIELDS = [
    (("interval",), "5m", "75s"),
    (("agents", "interval"), "1m", "15s"),
    (("transport", "interval"), "1m", "15s"),
    (("voice", "interval"), "5m", "75s"),
    (("framework", "interval"), "5m", "75s"),
    (("analytics", "interval"), "5m", "75s"),
]


def _scrape(path: tuple[str, ...], value: str) -> dict[str, Any]:
    """``{"scrape": {...}}`` setting the field at ``path`` (under ``scrape``) to ``value``."""
    setting: dict[str, Any] = {path[-1]: value}
    for key in reversed(path[:-1]):
        setting = {key: setting}
    return {"scrape": setting}


def test_a_two_minute_scrape_interval_is_refused_naming_scrape_interval() -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec({"scrape": {"interval": "2m"}}, "agentwatch.yaml")
    [(field, message)] = caught.value.problems
    assert field == "scrape.interval"
    assert "longer than 75s" in message
    assert "rates over 5m" in message


def test_generate_exits_2_on_a_spec_it_cannot_serve(tmp_path: Path) -> None:
    config = tmp_path / "agentwatch.yaml"
    config.write_text("scrape:\n  interval: 2m\n")
    result = CliRunner().invoke(
        app, ["generate", "--config", str(config), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2, result.output
    assert "scrape.interval: longer than 75s" in " ".join(result.output.split())
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("path", "window", "longest"), FIELDS)
def test_each_interval_is_bounded_by_the_window_over_its_series(
    path: tuple[str, ...], window: str, longest: str
) -> None:
    assert duration_seconds(longest) == longest_scrape_interval(window)
    assert duration_seconds(window) == RATE_SAMPLES * duration_seconds(longest)
    parse_spec(_scrape(path, longest))
    too_long = f"{int(duration_seconds(longest)) + 1}s"
    with pytest.raises(SpecError) as caught:
        parse_spec(_scrape(path, too_long))
    [(field, message)] = caught.value.problems
    assert field == ".".join(("scrape", *path))
    assert f"rates over {window}" in message


def test_the_recorded_names_carry_the_windows_the_spec_bounds_intervals_by() -> None:
    assert rec.TRANSPORT_MESSAGES_RATE.endswith(f":rate{SHORT_RATE_WINDOW}")
    assert rec.TRANSPORT_BYTES_RATE.endswith(f":rate{SHORT_RATE_WINDOW}")
    assert all(name.endswith(f"_{SHORT_RATE_WINDOW}") for _, name in rec.TRANSPORT_LATENCY.values())
    assert rec.AGENT_PROCESSED_RATE.endswith(f":rate{RATE_WINDOW}")
    assert rec.AGENT_ERRORS_RATE.endswith(f":rate{RATE_WINDOW}")


def test_at_the_longest_intervals_every_recording_rule_rate_sees_four_scrapes() -> None:
    scrape: dict[str, Any] = {}
    for path, _, longest_interval in FIELDS:
        scrape.update(_scrape(path, longest_interval)["scrape"])
    spec = parse_spec({"scrape": scrape})
    longest = max(
        duration_seconds(spec.scrape.interval),
        *(duration_seconds(getattr(spec.scrape, job).interval) for job in ("agents", "voice")),
    )
    for group in recording_groups(spec):
        if group["name"] == "agentwatch-business.rules":
            continue  # over business.window (1h by default), a setting of its own
        for rule in group["rules"]:
            for window in re.findall(r"\[(\w+)\]", rule["expr"]):
                seconds = duration_seconds(window)
                if window == SHORT_RATE_WINDOW:
                    # Only over the transport's series, scraped at most every 15 s.
                    assert seconds >= RATE_SAMPLES * duration_seconds(
                        spec.scrape.transport.interval
                    )
                else:
                    assert seconds >= RATE_SAMPLES * longest, (rule["record"], window)


def test_the_failure_predictor_grid_is_the_longest_agents_interval() -> None:
    assert PREDICTOR_RATE_SAMPLES == RATE_SAMPLES
    assert STEP_SECONDS == longest_scrape_interval(SHORT_RATE_WINDOW) == 15.0
    assert duration_seconds(Spec().scrape.agents.interval) <= STEP_SECONDS
