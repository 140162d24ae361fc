"""A scoring rule drawn small: points by value, clamped at both ends, as SVG (HTML inline, PDF image).

Drawn with the report charts' settings (``report.charts.drawing``: text
stays text, fixed hash salt, no dates), so the same policy gives the same
bytes. The chart is a picture of the table beside it; the table is what
counts.
"""

from __future__ import annotations

from incentive.documents.plan.model import Chart
from incentive.report import charts

#: how far past the first and last point the clamped ends are drawn (share of the value range)
MARGIN = 0.15


#: the namespaces ``report.charts.svg`` strips for inline HTML; an SVG image file (PDF) needs them
NAMESPACES = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def scoring_svg(chart: Chart, standalone: bool = False) -> str:
    """``chart`` as an inline ``<svg>`` (``standalone``: with its namespaces, as an image file):
    the curve (or steps), flat beyond the end points."""
    xs = [float(x) for x, _ in chart.points]
    ys = [float(y) for _, y in chart.points]
    span = (xs[-1] - xs[0]) or 1.0
    # a curve is clamped at both ends (drawn flat past them); steps start at their first threshold
    lo, hi = (xs[0] if chart.step else xs[0] - MARGIN * span), xs[-1] + MARGIN * span
    with charts.drawing():
        fig = charts.figure(width=3.6, height=1.9)
        ax = fig.add_subplot()
        if chart.step:
            ax.step([*xs, hi], [*ys, ys[-1]], where="post", color=charts.BAND_COLORS[1], linewidth=1.6)
        else:
            ax.plot([lo, *xs, hi], [ys[0], *ys, ys[-1]], color=charts.BAND_COLORS[1], linewidth=1.6)
        ax.plot(xs, ys, "o", color=charts.BAND_COLORS[1], markersize=3.5)
        ax.set_xlim(lo, hi)
        ax.set_xlabel(charts.short(chart.x_label, 30), fontsize=8)
        ax.set_ylabel(chart.y_label, fontsize=8)
        ax.tick_params(labelsize=7)
        charts.number_axis(ax, "y")
        text = charts.svg(fig, chart.key)
    return text.replace("<svg", f"<svg {NAMESPACES}", 1) if standalone else text
