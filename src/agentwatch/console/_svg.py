"""Charts drawn on the server as inline SVG: a time chart (history, forecast and interval
band, threshold), a meter for ratios, and the message-flow graph.

Colours come from CSS classes in console.css, so the charts follow the page's theme and need
no inline style (the Content-Security-Policy allows none).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from agentwatch.analytics.flow import Edge

__all__ = ["Band", "Line", "flow_graph", "meter", "nice_ticks", "time_chart", "time_ticks"]

Formatter = Callable[[float], str]

_W, _H = 640.0, 220.0
_LEFT, _RIGHT, _TOP, _BOTTOM = 60.0, 14.0, 12.0, 30.0
_TIME_STEPS = (300, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800)


@dataclass(frozen=True)
class Line:
    times: Sequence[float]
    values: Sequence[float]
    css: str  # a class in console.css: history, forecast, ...
    label: str
    dots: bool = False


@dataclass(frozen=True)
class Band:
    times: Sequence[float]
    lower: Sequence[float]
    upper: Sequence[float]
    css: str
    label: str


@dataclass
class _Scale:
    x0: float
    x1: float
    y0: float
    y1: float
    width: float = field(default=_W)
    height: float = field(default=_H)

    def x(self, t: float) -> float:
        span = self.x1 - self.x0 or 1.0
        return _LEFT + (t - self.x0) / span * (self.width - _LEFT - _RIGHT)

    def y(self, v: float) -> float:
        span = self.y1 - self.y0 or 1.0
        return self.height - _BOTTOM - (v - self.y0) / span * (self.height - _TOP - _BOTTOM)


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten) covering ``low``..``high``."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return []
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    return [round(i * step, 12) for i in range(first, last + 1)]


def time_ticks(start: float, end: float, count: int = 6) -> list[float]:
    """Tick times on round UTC boundaries, about ``count`` of them."""
    span = max(end - start, 1.0)
    step = next((s for s in _TIME_STEPS if span / s <= count), _TIME_STEPS[-1])
    first = math.ceil(start / step) * step
    return [float(t) for t in range(int(first), int(end) + 1, step)]


def _time_label(t: float, span: float) -> str:
    moment = dt.datetime.fromtimestamp(t, dt.UTC)
    return moment.strftime("%a %H:%M" if span > 86400 else "%H:%M")


def _path(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(points))


def _segments(times: Sequence[float], values: Sequence[float]) -> list[list[tuple[float, float]]]:
    """Runs of finite points: a gap in the data is a gap in the line."""
    runs: list[list[tuple[float, float]]] = [[]]
    for t, v in zip(times, values, strict=True):
        if math.isfinite(v):
            runs[-1].append((float(t), float(v)))
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def time_chart(
    title: str,
    lines: Sequence[Line],
    *,
    bands: Sequence[Band] = (),
    start: float,
    end: float,
    now: float | None = None,
    threshold: tuple[float, str] | None = None,
    y_format: Formatter = lambda v: f"{v:g}",
    y_from_zero: bool = True,
) -> Markup:
    """A chart of values over time from ``start`` to ``end`` (unix seconds, UTC labels)."""
    value_range = _value_range(lines, bands, threshold, y_from_zero=y_from_zero)
    if value_range is None:
        return _empty(title)
    low, high = value_range
    ticks = nice_ticks(low, high)
    scale = _Scale(start, end, min(ticks[0], low), max(ticks[-1], high))
    parts = [
        f'<svg class="chart" viewBox="0 0 {_W:.0f} {_H:.0f}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
        *_value_grid(scale, ticks, y_format),
        *_time_grid(scale, start, end),
        *_band_areas(scale, bands),
    ]
    if threshold is not None:
        parts.append(_threshold_line(scale, *threshold))
    if now is not None and start <= now <= end:
        parts.append(_now_line(scale, now))
    parts += _line_paths(scale, lines)
    parts.append("</svg>")
    return Markup("".join(parts))


def _value_range(
    lines: Sequence[Line],
    bands: Sequence[Band],
    threshold: tuple[float, str] | None,
    *,
    y_from_zero: bool,
) -> tuple[float, float] | None:
    """The lowest and highest value the chart must show; None if there is none."""
    finite = [
        v
        for series in (
            *(ln.values for ln in lines),
            *(b.lower for b in bands),
            *(b.upper for b in bands),
        )
        for v in series
        if math.isfinite(v)
    ]
    if threshold is not None:
        finite.append(threshold[0])
    if not finite:
        return None
    low = min(0.0, *finite) if y_from_zero else min(finite)
    return low, max(finite)


def _value_grid(scale: _Scale, ticks: Sequence[float], y_format: Formatter) -> list[str]:
    """A horizontal grid line for each value tick, labelled on the left."""
    parts = []
    for tick in ticks:
        y = scale.y(tick)
        parts.append(
            f'<line class="grid" x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(y_format(tick))}</text>"
        )
    return parts


def _time_grid(scale: _Scale, start: float, end: float) -> list[str]:
    """A vertical grid line for each time tick, labelled below."""
    parts = []
    span = end - start
    for t in time_ticks(start, end):
        x = scale.x(t)
        parts.append(
            f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{_TOP}" y2="{_H - _BOTTOM}"/>'
            f'<text class="tick" x="{x:.1f}" y="{_H - 10}" text-anchor="middle">'
            f"{escape(_time_label(t, span))}</text>"
        )
    return parts


def _band_areas(scale: _Scale, bands: Sequence[Band]) -> list[str]:
    """Each band as a filled area, drawn only where all of it is finite."""
    parts = []
    for band in bands:
        upper = [(scale.x(t), scale.y(u)) for t, u in zip(band.times, band.upper, strict=True)]
        lower = [(scale.x(t), scale.y(lo)) for t, lo in zip(band.times, band.lower, strict=True)]
        if all(math.isfinite(v) for v in (*band.lower, *band.upper)) and upper:
            parts.append(
                f'<path class="{escape(band.css)}" d="{_path([*upper, *reversed(lower)])} Z">'
                f"<title>{escape(band.label)}</title></path>"
            )
    return parts


def _threshold_line(scale: _Scale, value: float, label: str) -> str:
    y = scale.y(value)
    return (
        f'<line class="threshold" x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}">'
        f"<title>{escape(label)}</title></line>"
    )


def _now_line(scale: _Scale, now: float) -> str:
    x = scale.x(now)
    return (
        f'<line class="now" x1="{x:.1f}" x2="{x:.1f}" y1="{_TOP}" y2="{_H - _BOTTOM}">'
        "<title>now</title></line>"
    )


def _line_paths(scale: _Scale, lines: Sequence[Line]) -> list[str]:
    """Each line as a path per run of finite points, with its dots if it asks for them."""
    parts = []
    for line in lines:
        for run in _segments(line.times, line.values):
            points = [(scale.x(t), scale.y(v)) for t, v in run]
            parts.append(
                f'<path class="line {escape(line.css)}" d="{_path(points)}">'
                f"<title>{escape(line.label)}</title></path>"
            )
            if line.dots or len(points) == 1:  # a lone point has no line to show it
                parts += [
                    f'<circle class="dot {escape(line.css)}" cx="{x:.1f}" cy="{y:.1f}" r="3"/>'
                    for x, y in points
                ]
    return parts


def _empty(title: str) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {_W:.0f} 60" role="img" aria-label="{escape(title)}">'
        f'<title>{escape(title)}</title><text class="tick" x="{_W / 2:.0f}" y="34" '
        'text-anchor="middle">no data</text></svg>'
    )


def meter(value: float, *, maximum: float = 1.0, css: str = "meter", label: str = "") -> Markup:
    """A horizontal bar for ``value`` out of ``maximum`` (a negative value shows as empty)."""
    if not math.isfinite(value):
        share = 0.0
    else:
        share = min(max(value / maximum, 0.0), 1.0) if maximum > 0 else 0.0
    return Markup(
        f'<svg class="meter {escape(css)}" viewBox="0 0 100 8" preserveAspectRatio="none" '
        f'role="img" aria-label="{escape(label)}"><title>{escape(label)}</title>'
        '<rect class="meter-track" x="0" y="0" width="100" height="8"/>'
        f'<rect class="meter-fill" x="0" y="0" width="{100 * share:.2f}" height="8"/></svg>'
    )


def flow_graph(edges: Sequence[Edge], *, rate_format: Formatter, limit: int = 40) -> Markup:
    """Senders on the left, receivers on the right, one curve per edge (the busiest ``limit``),
    its width growing with the message rate."""
    shown = list(edges[:limit])
    if not shown:
        return _empty("message flow")
    out_rate: dict[str, float] = {}
    in_rate: dict[str, float] = {}
    for e in shown:
        out_rate[e.source] = out_rate.get(e.source, 0.0) + e.rate
        in_rate[e.target] = in_rate.get(e.target, 0.0) + e.rate
    senders = sorted(out_rate, key=lambda k: (-out_rate[k], k))
    receivers = sorted(in_rate, key=lambda k: (-in_rate[k], k))
    row = 22.0
    height = max(len(senders), len(receivers)) * row + 20
    width, left_x, right_x = 640.0, 170.0, 470.0

    def ys(names: list[str]) -> dict[str, float]:
        offset = (height - len(names) * row) / 2 + row / 2
        return {name: offset + i * row for i, name in enumerate(names)}

    left, right = ys(senders), ys(receivers)
    busiest = max(e.rate for e in shown) or 1.0
    parts = [
        f'<svg class="flow" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        'aria-label="message flow between agent types"><title>message flow</title>'
    ]
    for e in reversed(shown):  # busiest drawn last, on top
        y0, y1 = left[e.source], right[e.target]
        stroke = 1 + 6 * math.sqrt(e.rate / busiest)
        mid = (left_x + right_x) / 2
        label = f"{e.source} → {e.target} ({e.message_type}): {rate_format(e.rate)}"
        parts.append(
            f'<path class="edge" stroke-width="{stroke:.2f}" '
            f'd="M{left_x},{y0:.1f} C{mid},{y0:.1f} {mid},{y1:.1f} {right_x},{y1:.1f}">'
            f"<title>{escape(label)}</title></path>"
        )
    for name, y in left.items():
        parts.append(
            f'<circle class="node" cx="{left_x}" cy="{y:.1f}" r="4"/>'
            f'<text class="label" x="{left_x - 8}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(name)}</text>"
        )
    for name, y in right.items():
        parts.append(
            f'<circle class="node" cx="{right_x}" cy="{y:.1f}" r="4"/>'
            f'<text class="label" x="{right_x + 8}" y="{y + 4:.1f}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
