"""The server-side SVG charts and number formats: round ticks, gaps kept as gaps, labels
escaped, and numbers shown as they read."""

from __future__ import annotations

import math
import re

import pytest

from agentwatch.analytics.flow import Edge
from agentwatch.console import _format as fmt
from agentwatch.console import _svg as svg


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (0, 1, [0, 0.5, 1.0]),
        (0, 37, [0, 10, 20, 30, 40]),
        (0.0012, 0.0049, [0.001, 0.002, 0.003, 0.004, 0.005]),
        (5, 5, [4, 6, 8, 10]),
    ],
)
def test_ticks_are_round_and_cover_the_range(low: float, high: float, ticks: list[float]) -> None:
    found = svg.nice_ticks(low, high)
    assert found == pytest.approx(ticks)
    assert found[0] <= low
    assert found[-1] >= high


def test_time_ticks_fall_on_round_utc_boundaries() -> None:
    start = 1_700_000_123.0
    ticks = svg.time_ticks(start, start + 86400)
    assert 3 <= len(ticks) <= 6
    assert all(t % 14400 == 0 or t % 21600 == 0 for t in ticks)
    assert all(start <= t <= start + 86400 for t in ticks)


def test_a_gap_in_the_data_is_a_gap_in_the_line() -> None:
    times = [0.0, 60.0, 120.0, 180.0, 240.0]
    values = [1.0, 2.0, math.nan, 3.0, 4.0]
    chart = svg.time_chart("t", [svg.Line(times, values, "history", "h")], start=0, end=240)
    assert chart.count('class="line history"') == 2


def test_a_lone_point_is_drawn_as_a_dot() -> None:
    chart = svg.time_chart(
        "t", [svg.Line([0.0, 60.0], [1.0, math.nan], "history", "h")], start=0, end=60
    )
    assert chart.count('class="dot history"') == 1


def test_a_chart_without_any_value_says_no_data() -> None:
    chart = svg.time_chart("t", [svg.Line([0.0], [math.nan], "history", "h")], start=0, end=1)
    assert "no data" in chart


def test_labels_in_charts_are_escaped() -> None:
    edges = [Edge("<script>x</script>", 'a"b', "t&t", 1.0)]
    graph = svg.flow_graph(edges, rate_format=fmt.fmt_rate)
    assert "<script>" not in graph
    assert "&lt;script&gt;" in graph
    assert "a&#34;b" in graph
    chart = svg.time_chart("<img src=x>", [], start=0, end=1)
    assert "<img" not in chart


def test_edge_width_grows_with_the_rate() -> None:
    edges = [Edge("a", "b", "t", 100.0), Edge("a", "c", "t", 1.0)]
    widths = [
        float(w)
        for w in re.findall(
            r'stroke-width="([\d.]+)"', svg.flow_graph(edges, rate_format=fmt.fmt_rate)
        )
    ]
    assert sorted(widths) == pytest.approx([1.6, 7.0])


@pytest.mark.parametrize(
    ("value", "shown"),
    [(1234.5, "1.23k"), (999.7, "1k"), (0.5, "0.5"), (4.2e6, "4.2M"), (math.nan, "–")],
)
def test_numbers_read_with_three_significant_digits(value: float, shown: str) -> None:
    assert fmt.fmt_number(value) == shown


def test_durations_percentages_and_exact_values() -> None:
    assert fmt.fmt_duration(0.0421) == "42.1 ms"
    assert fmt.fmt_duration(2.5) == "2.5 s"
    assert fmt.fmt_percent(0.99875) == "99.88%"
    assert fmt.exact(0.1 + 0.2) == "0.30000000000000004"
    assert float(fmt.exact(0.1 + 0.2)) == 0.1 + 0.2
    assert fmt.exact(math.nan) == "NaN"
    assert fmt.fmt_time(0) == "1970-01-01 00:00:00 UTC"


@pytest.mark.parametrize(
    ("ratio", "shown"),
    [
        (-199.0, "-19,900%"),  # the overspent throughput budget, once -1.99e+04%
        (12.5, "1,250%"),
        (0.0, "0%"),
        (1e-7, "<0.01%"),
        (-1e-7, ">-0.01%"),
        (0.5, "50%"),
        (math.nan, "–"),
        (None, "–"),
    ],
)
def test_percentages_never_read_in_exponent_form(ratio: float | None, shown: str) -> None:
    assert fmt.fmt_percent(ratio) == shown
