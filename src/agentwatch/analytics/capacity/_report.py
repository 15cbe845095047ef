"""A self-contained HTML report: one inline SVG plot per resource, no scripts, no CDN."""

from __future__ import annotations

import html
import io
from datetime import UTC, datetime

import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot
import matplotlib.pyplot as plt
import numpy as np
from numpy.typing import NDArray

from ._forecast import LEVEL, Forecast
from ._plan import CapacityPlan, ResourcePlan
from ._text import format_recommendations

__all__ = ["render_report"]

# History drawn before the forecast: enough to see the weekly shape next to a 1w forecast.
HISTORY_SHOWN = 14 * 86_400.0
# A threshold more than this many times the highest value plotted switches to a symlog axis.
OFF_SCALE = 3.0


def _dates(seconds: NDArray[np.float64]) -> NDArray[np.datetime64]:
    return np.rint(seconds * 1000).astype(np.int64).astype("datetime64[ms]")


def _svg(resource: ResourcePlan) -> str:
    figure, axes = plt.subplots(figsize=(9, 3.2))
    forecasts = [f for f in (resource.coarse, resource.fine) if isinstance(f, Forecast)]
    if forecasts:
        # The hourly history reaches furthest back; the 5-minute one shows the last days.
        history = forecasts[0].history
        shown = history.timestamps >= history.end - HISTORY_SHOWN
        axes.plot(
            _dates(history.timestamps[shown]),
            history.values[shown],
            color="#444",
            lw=1,
            label="history",
        )
    for forecast, colour in ((resource.coarse, "#1f77b4"), (resource.fine, "#d62728")):
        if not isinstance(forecast, Forecast):
            continue
        when = _dates(forecast.timestamps)
        step = forecast.resolution.name
        axes.fill_between(
            when,
            forecast.lower,
            forecast.upper,
            color=colour,
            alpha=0.2,
            label=f"{LEVEL}% interval ({step})",
        )
        axes.plot(
            when, forecast.mean, color=colour, lw=1.5, label=f"forecast {step}: {forecast.model}"
        )
    top = max((float(np.max(f.upper)) for f in forecasts), default=0.0)
    if forecasts:
        top = max(top, float(np.max(forecasts[0].history.values)))
    threshold = resource.threshold
    if threshold is not None:
        axes.axhline(
            threshold,
            color="black",
            ls="--",
            lw=1,
            label=f"threshold: {resource.threshold_label}",
        )
        if top > 0 and threshold > OFF_SCALE * top:
            # On a linear axis a threshold far above the data flattens it; symlog (linear
            # near zero, logarithmic above) shows both.
            axes.set_yscale("symlog", linthresh=top / 10)
            axes.set_ylabel("symlog scale", fontsize=7)
    if not forecasts:
        reason = resource.fine if isinstance(resource.fine, Exception) else resource.coarse
        axes.text(
            0.5, 0.5, str(reason), ha="center", va="center", transform=axes.transAxes, wrap=True
        )
    axes.set_title(f"{resource.name} ({resource.unit})")
    axes.legend(loc="upper left", fontsize=7)
    figure.autofmt_xdate()
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _backtest_rows(plan: CapacityPlan) -> str:
    rows = []
    for resource in plan.resources.values():
        for forecast in (resource.fine, resource.coarse):
            if not isinstance(forecast, Forecast):
                continue
            b = forecast.backtest
            rows.append(
                "<tr>"
                + "".join(
                    f"<td>{html.escape(str(c))}</td>"
                    for c in (
                        resource.name,
                        forecast.resolution.name,
                        forecast.model,
                        b.origins,
                        f"{b.chosen_mase:.3f}",
                        f"{b.predict_linear_mase:.3f}",
                        f"{b.seasonal_naive_mase:.3f}",
                    )
                )
                + "</tr>"
            )
    return "\n".join(rows)


def _hours(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 3600:.1f} h"


def render_report(plan: CapacityPlan) -> str:
    when = datetime.fromtimestamp(plan.computed_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    plots = "\n".join(
        f"<section><h2>{html.escape(r.name)}</h2>\n{_svg(r)}</section>"
        for r in plan.resources.values()
    )
    bottlenecks = "\n".join(
        f"<tr><td>{html.escape(c)}</td><td>{s:.2f}</td><td>{_hours(plan.saturation_in.get(c))}"
        "</td></tr>"
        for c, s in sorted(plan.bottlenecks.items(), key=lambda kv: -kv[1])[:15]
    )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in plan.notes)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>agentwatch capacity report</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:auto}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:2px 6px}}</style>
</head><body>
<h1>Capacity report, {when}</h1>
<h2>Scaling recommendations</h2>
<pre>{html.escape(format_recommendations(plan.recommendations))}</pre>
<h2>Bottlenecks (severity = peak in 1d / saturation level)</h2>
<table><tr><th>component</th><th>severity</th><th>saturates in</th></tr>
{bottlenecks}</table>
<h2>Backtest (mean MASE over the origins; lower is better)</h2>
<table><tr><th>resource</th><th>step</th><th>chosen</th><th>origins</th><th>chosen</th>
<th>predict_linear</th><th>seasonal naive</th></tr>
{_backtest_rows(plan)}</table>
<h2>Notes</h2><ul>{notes}</ul>
{plots}
</body></html>
"""
