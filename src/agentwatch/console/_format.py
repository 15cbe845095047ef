"""How numbers read on the page. Each is shown rounded; the exact value Prometheus answered
travels beside it in a ``data-value`` attribute."""

from __future__ import annotations

import datetime as dt
import math

__all__ = ["exact", "fmt_duration", "fmt_number", "fmt_percent", "fmt_rate", "fmt_time"]

NO_DATA = "–"
# Percentages below this are shown as "<0.01%": more digits would only be noise on a page.
_SMALLEST_PERCENT = 0.01


def exact(value: float | None) -> str:
    """The value as Python reads it back exactly (``repr``), or "NaN"."""
    if value is None or math.isnan(value):
        return "NaN"
    return repr(float(value))


def fmt_number(value: float | None, digits: int = 3) -> str:
    """``digits`` significant digits, thousands as k/M/G."""
    if value is None or math.isnan(value):
        return NO_DATA
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    # Rounded first, so 999.7 becomes 1k rather than "1e+03".
    size = abs(float(f"{value:.{digits}g}"))
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if size >= limit:
            return f"{value / limit:.{digits}g}{suffix}"
    return f"{value:.{digits}g}"


def fmt_rate(value: float | None) -> str:
    text = fmt_number(value)
    return text if text == NO_DATA else f"{text}/s"


def fmt_percent(value: float | None, digits: int = 4) -> str:
    """A ratio as a percentage, never in exponent form: an overspent budget reads
    "-19,900%", not "-1.99e+04%"; a share too small for ``digits`` reads "<0.01%"."""
    if value is None or math.isnan(value):
        return NO_DATA
    if math.isinf(value):
        return "∞%" if value > 0 else "-∞%"
    percent = 100 * value
    if abs(percent) >= 10 ** (digits - 1):
        return f"{percent:,.0f}%"
    if 0 < abs(percent) < _SMALLEST_PERCENT:
        return f"{'>-' if percent < 0 else '<'}{_SMALLEST_PERCENT:g}%"
    return f"{percent:.{digits}g}%"


def fmt_duration(seconds: float | None) -> str:
    if seconds is None or math.isnan(seconds):
        return NO_DATA
    if math.isinf(seconds):
        return "∞"
    if seconds < 1:
        return f"{seconds * 1000:.3g} ms"
    return f"{seconds:.3g} s"


def fmt_time(unix: float | None) -> str:
    if unix is None or math.isnan(unix):
        return NO_DATA
    return dt.datetime.fromtimestamp(unix, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
