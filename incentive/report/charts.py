"""Charts for the report pages: matplotlib figures as inline SVG, and the polars aggregation behind them.

* Chart data is aggregated with polars first (histogram bins, quantiles per
  band or group, sums), so matplotlib only ever draws a few dozen shapes: a
  page for a million people costs well under a second of plotting.
* Figures are ``matplotlib.figure.Figure`` objects saved straight to SVG: no
  pyplot and no backend selection, so rendering a page from Python leaves
  matplotlib's process-wide state (backend, rcParams) as it found it; the
  settings below apply inside ``drawing()`` only (``rc_context``).
* Text stays text (``svg.fonttype: none``) and the page's CSS gives it a
  font list with CJK fonts, so Chinese labels render in the reader's
  browser; matplotlib's own math text is off (a ``$`` in a label is a
  dollar sign).
* Output bytes are deterministic for the same results: a fixed SVG hash
  salt per chart, no dates in the SVG metadata, and every SVG id prefixed
  per chart so several charts on a page never share an id.

matplotlib is imported only when a page is drawn, so the CLI starts fast.
Charts are drawn from float copies of the exact decimals -- a picture needs
no more precision; the tables on the page show the exact amounts.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Sequence

import polars as pl

from incentive.compare.diff import NONE_BAND
from incentive.report.page import FONTS, page_text

if TYPE_CHECKING:  # matplotlib is imported only when a page is drawn (see above)
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

BAND_COLORS = ["#2e7d32", "#1565c0", "#ef6c00", "#6a1b9a", "#00838f", "#ad1457", "#5d4037", "#827717"]
UNRANKED_COLOR = "#9e9e9e"
OLD_COLOR, NEW_COLOR = "#90a4ae", "#1565c0"
BINS = 30
#: categories drawn in one box-plot chart; the largest groups are kept
MAX_BOXES = 12


@contextmanager
def drawing() -> Iterator[ModuleType]:
    """matplotlib with the settings that keep SVG text as text and output bytes stable."""
    import matplotlib

    rc: dict[RcKeyType, Any] = {
        "svg.fonttype": "none",
        "svg.hashsalt": "incentive",
        "font.family": ["sans-serif"],
        "font.sans-serif": FONTS[:-1],
        "font.size": 9,
        "text.parse_math": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": "#eeeeee",
        "axes.axisbelow": True,
        "legend.frameon": False,
        "path.simplify": True,
    }
    with matplotlib.rc_context(rc), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing-glyph warnings: the browser draws CJK text, not matplotlib
        font_log = logging.getLogger("matplotlib.font_manager")
        level = font_log.level
        font_log.setLevel(logging.ERROR)
        try:
            yield matplotlib
        finally:
            font_log.setLevel(level)


def figure(width: float = 7.6, height: float = 3.2) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


_SVG_START = re.compile(r"^.*?(?=<svg)", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_IDS = re.compile(r'(\bid="|url\(#|href="#)([^")]+)')


def svg(fig: Figure, key: str) -> str:
    """The figure as an inline ``<svg>``: no XML prolog, no metadata, no namespace URLs, ids prefixed by ``key``."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": f"incentive-{key}"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = _SVG_START.sub("", buf.getvalue(), count=1)
    text = _METADATA.sub("", text)
    text = _XMLNS.sub("", text)
    text = _IDS.sub(lambda m: f"{m.group(1)}{key}-{m.group(2)}", text)
    return text.strip()


def histogram(frame: pl.DataFrame, col: str, by: str | None = None, bins: int = BINS,
               span: tuple[float, float] | None = None) -> tuple[list[float], dict[str | None, list[int]]]:
    """Equal-width bins over the float column ``col`` (counts per value of ``by``, a text column such as the
    band; all under None without ``by``), computed by polars."""
    x = pl.col(col)
    if span is None:
        lo, hi = frame.select(x.min().alias("lo"), x.max().alias("hi")).row(0)
    else:
        lo, hi = span
    if lo is None or hi is None:
        return [], {}
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    width = (hi - lo) / bins
    edges = [lo + i * width for i in range(bins)] + [hi]
    idx = ((x - lo) / width).floor().clip(0, bins - 1).cast(pl.Int64).alias("__bin")
    keys = ["__bin"] + ([by] if by else [])
    parts = frame.select(idx, *([pl.col(by)] if by else [])).drop_nulls("__bin").group_by(keys).len()
    counts: dict[str | None, list[int]] = {}
    for row in parts.iter_rows(named=True):
        k = row[by] if by else None
        counts.setdefault(k, [0] * bins)[row["__bin"]] += row["len"]
    return edges, counts


def box_stats(frame: pl.DataFrame, col: str, by: str, order: Sequence[object],
              labels: Mapping[object, str]) -> list[tuple[object, dict[str, object]]]:
    """(category, quantiles of the float column ``col``) for ``Axes.bxp``, whiskers at the 10th / 90th
    percentile; empty categories left out."""
    x = pl.col(col)
    q = (frame.group_by(by).agg(x.quantile(0.10, "nearest").alias("lo"), x.quantile(0.25, "nearest").alias("q1"),
                                x.quantile(0.50, "nearest").alias("med"), x.quantile(0.75, "nearest").alias("q3"),
                                x.quantile(0.90, "nearest").alias("hi"), pl.len().alias("n")))
    rows = {r[by]: r for r in q.iter_rows(named=True)}
    stats = []
    for key in order:
        r = rows.get(key)
        if r is None or r["med"] is None:
            continue
        stats.append((key, {"label": f"{short(labels.get(key, key))}\n(n={r['n']:,})", "whislo": r["lo"],
                            "q1": r["q1"], "med": r["med"], "q3": r["q3"], "whishi": r["hi"], "fliers": []}))
    return stats


def short(text: object, n: int = 18) -> str:
    s = "" if text is None else str(text)
    return s if len(s) <= n else s[: n - 1] + "…"


def money_axis(ax: Axes, axis: str = "y") -> None:
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _: f"{v:,.0f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def number_axis(ax: Axes, axis: str = "y") -> None:
    """Thousands separators on a count or score axis too (12,000, not 12000)."""
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _: f"{v:,.0f}" if float(v).is_integer() else f"{v:,g}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def band_colors(bands: Sequence[str]) -> dict[object, str]:
    colors: dict[object, str] = {b: BAND_COLORS[i % len(BAND_COLORS)] for i, b in enumerate(bands)}
    colors[None] = UNRANKED_COLOR
    colors[NONE_BAND] = UNRANKED_COLOR
    return colors


def chart_headcount(bands: Sequence[str], series: Sequence[tuple[str, Sequence[int], str | Sequence[str]]], key: str,
                    lang: str) -> str:
    """Bars of people per band; one series per policy (a colour or a colour per band)."""
    fig = figure(height=2.8)
    ax = fig.add_subplot()
    k = len(series)
    width = 0.8 / k
    for j, (label, counts, color) in enumerate(series):
        xs = [i + (j - (k - 1) / 2) * width for i in range(len(bands))]
        bars = ax.bar(xs, counts, width=width * 0.95, color=color, label=label if k > 1 else None)
        ax.bar_label(bars, labels=[f"{c:,}" for c in counts], fontsize=8, padding=2)
    ax.set_xticks(range(len(bands)), [page_text(lang, "not_ranked") if b == NONE_BAND else b for b in bands])
    ax.set_ylabel(page_text(lang, "count"))
    number_axis(ax, "y")
    ax.margins(y=0.15)
    if k > 1:
        ax.legend()
    return svg(fig, key)
