"""Self-contained HTML pages with charts: one evaluation (or close), or a diff.

A page is a single file that works offline: no scripts, no network
references, the CSS inline and every chart an inline SVG drawn by matplotlib
(imported only when a page is written, so the CLI starts fast). A comp
committee opens it in any browser, or prints it.

* Chart data is aggregated with polars first (histogram bins, quantiles per
  band or group, sums), so matplotlib only ever draws a few dozen shapes: a
  page for a million people costs well under a second of plotting.
* Text stays text (``svg.fonttype: none``) and the page's CSS gives it a
  font list with CJK fonts, so Chinese labels render in the reader's
  browser; matplotlib's own math text is off (a ``$`` in a label is a
  dollar sign).
* Output bytes are deterministic for the same results (the close's
  ``verify`` compares report.html's hash): a fixed SVG hash salt per chart,
  no dates in the SVG metadata, no timestamps on the page, and every SVG id
  prefixed per chart so several charts never share an id.
* Every text from a policy or a data file (labels, names, group values) is
  escaped (``html.escape`` on the page; matplotlib escapes what it draws).

Charts are drawn from float copies of the exact decimals -- a picture
needs no more precision; the tables on the page show the exact amounts.
"""

from __future__ import annotations

import html
import io
import logging
import re
import warnings
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Iterator, Sequence

import polars as pl

from incentive import __version__
from incentive.compare.diff import NONE_BAND, Diff
from incentive.engine.results import Results
from incentive.output.atomic import atomic_file
from incentive.policy.model import label_text

FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei",
         "Hiragino Sans GB", "DejaVu Sans", "Arial", "sans-serif"]
BAND_COLORS = ["#2e7d32", "#1565c0", "#ef6c00", "#6a1b9a", "#00838f", "#ad1457", "#5d4037", "#827717"]
UNRANKED_COLOR = "#9e9e9e"
OLD_COLOR, NEW_COLOR = "#90a4ae", "#1565c0"
BINS = 30
#: categories drawn in one box-plot chart; the largest groups are kept
MAX_BOXES = 12
#: rows of a group table on the page; the groups with the largest change (or cost) are kept
MAX_TABLE_ROWS = 40

_TEXT = {
    "en": {
        "evaluation": "Evaluation report", "diff": "Policy change report", "period": "period", "people": "people",
        "ranked": "ranked", "total_cost": "total cost", "score_dist": "Score distribution",
        "score_note": "Stacked by band; dashed lines mark the lowest score placed in each band (across groups).",
        "score": "score", "count": "people", "pay_band": "Total payout by band",
        "pay_group": "Total payout by {group}",
        "box_note": "Boxes: 25th–75th percentile, line: median, whiskers: 10th–90th percentile.",
        "cost": "Cost by component", "headcount": "Headcount per band", "not_ranked": "not ranked",
        "tables": "Tables", "lowest": "lowest {band}", "total_dist": "Total payout per person, before and after",
        "old": "old", "new": "new", "cost_cmp": "Cost by component, old vs new", "migration": "Band migration",
        "migration_note": "Rows: band under the old policy; columns: band under the new policy.",
        "band_cmp": "Headcount per band, old vs new", "amount": "amount", "no_score": "This policy has no score.",
        "no_ranking": "This policy has no ranking.", "more_groups": "{shown} of {total} groups shown.",
        "old_band": "old band", "new_band": "new band", "delta": "delta", "total_axis": "total ({currency})",
    },
    "zh": {
        "evaluation": "评估报告", "diff": "方案变更对比报告", "period": "期间", "people": "人数",
        "ranked": "参与排名", "total_cost": "总成本", "score_dist": "综合得分分布",
        "score_note": "按档位堆叠；虚线为各档位的最低得分（各组合并）。",
        "score": "得分", "count": "人数", "pay_band": "各档位总奖金分布",
        "pay_group": "按{group}的总奖金分布", "box_note": "箱体：第25–75百分位，中线：中位数，须线：第10–90百分位。",
        "cost": "各项成本", "headcount": "各档位人数", "not_ranked": "未排名",
        "tables": "明细表", "lowest": "{band} 档最低分", "total_dist": "人均总奖金分布（变更前后）",
        "old": "原方案", "new": "新方案", "cost_cmp": "各项成本对比", "migration": "档位迁移矩阵",
        "migration_note": "行：原方案档位；列：新方案档位。",
        "band_cmp": "各档位人数对比", "amount": "金额", "no_score": "该方案没有综合得分。",
        "no_ranking": "该方案没有排名。", "more_groups": "共 {total} 组，显示 {shown} 组。",
        "old_band": "原档位", "new_band": "新档位", "delta": "变化", "total_axis": "总额 ({currency})",
    },
}

_CSS = """
:root { color-scheme: light; }
body { font-family: %(fonts)s; margin: 0 auto; max-width: 1100px; padding: 24px; color: #212121; background: #fafafa; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.2em; margin: 28px 0 8px; border-bottom: 1px solid #e0e0e0; padding-bottom: 4px; }
h3 { font-size: 1em; margin: 18px 0 6px; }
.meta { color: #616161; margin: 0 0 16px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.card { background: #fff; border: 1px solid #e0e0e0; border-radius: 6px; padding: 10px 16px; min-width: 140px; }
.card .v { font-size: 1.35em; font-weight: 600; }
.card .k { color: #757575; font-size: 0.85em; }
.chart { background: #fff; border: 1px solid #e0e0e0; border-radius: 6px; padding: 8px; margin: 8px 0; }
.chart svg { max-width: 100%%; height: auto; display: block; margin: 0 auto; }
svg text { font-family: %(fonts)s !important; }
.note { color: #757575; font-size: 0.85em; margin: 4px 0; }
table { border-collapse: collapse; background: #fff; margin: 6px 0 14px; font-size: 0.9em; }
th, td { border: 1px solid #e0e0e0; padding: 4px 8px; text-align: right; white-space: nowrap; }
th { background: #f5f5f5; }
td:first-child, th:first-child { text-align: left; }
td.up { color: #2e7d32; } td.down { color: #c62828; }
td.diag { background: #e3f2fd; font-weight: 600; }
footer { color: #9e9e9e; font-size: 0.8em; margin-top: 32px; }
@media print { body { background: #fff; } .chart, .card { break-inside: avoid; } }
""" % {"fonts": ", ".join(f"'{f}'" if " " in f else f for f in FONTS)}


def _t(lang: str, key: str, **kw: object) -> str:
    text = _TEXT.get(lang, _TEXT["en"]).get(key) or _TEXT["en"][key]
    return text.format(**kw) if kw else text


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


# ---------------------------------------------------------------- matplotlib


@contextmanager
def _matplotlib() -> Iterator[object]:
    """matplotlib with the settings that keep SVG text as text and output bytes stable."""
    import matplotlib

    matplotlib.use("Agg", force=False)

    rc = {
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


def _figure(width: float = 7.6, height: float = 3.2):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


_SVG_START = re.compile(r"^.*?(?=<svg)", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_IDS = re.compile(r'(\bid="|url\(#|href="#)([^")]+)')


def _svg(fig, key: str) -> str:
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


def _histogram(frame: pl.DataFrame, col: str, by: str | None = None, bins: int = BINS,
               span: tuple[float, float] | None = None) -> tuple[list[float], dict[object, list[int]]]:
    """Equal-width bins over the float column ``col`` (counts per value of ``by``), computed by polars."""
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
    counts: dict[object, list[int]] = {}
    for row in parts.iter_rows(named=True):
        k = row[by] if by else None
        counts.setdefault(k, [0] * bins)[row["__bin"]] += row["len"]
    return edges, counts


def _box_stats(frame: pl.DataFrame, col: str, by: str, order: Sequence[object],
               labels: dict) -> list[tuple[object, dict]]:
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
        stats.append((key, {"label": f"{_short(labels.get(key, key))}\n(n={r['n']:,})", "whislo": r["lo"],
                            "q1": r["q1"], "med": r["med"], "q3": r["q3"], "whishi": r["hi"], "fliers": []}))
    return stats


def _short(text: object, n: int = 18) -> str:
    s = "" if text is None else str(text)
    return s if len(s) <= n else s[: n - 1] + "…"


def _money_axis(ax, axis: str = "y") -> None:
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _: f"{v:,.0f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _number_axis(ax, axis: str = "y") -> None:
    """Thousands separators on a count or score axis too (12,000, not 12000)."""
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _: f"{v:,.0f}" if float(v).is_integer() else f"{v:,g}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


# ---------------------------------------------------------------- evaluation charts


def _band_order(results: Results) -> list[str]:
    ranking = results.policy.policy.ranking
    return [b.id for b in ranking.bands] if ranking is not None else []


def _band_colors(bands: Sequence[str]) -> dict[object, str]:
    colors: dict[object, str] = {b: BAND_COLORS[i % len(BAND_COLORS)] for i, b in enumerate(bands)}
    colors[None] = UNRANKED_COLOR
    colors[NONE_BAND] = UNRANKED_COLOR
    return colors


def _plot_frame(results: Results) -> pl.DataFrame:
    """Float copies of score and total beside the band and group columns: what the charts aggregate.
    Cast once here -- casting inside each aggregation costs several times more."""
    policy = results.policy.policy
    frame = results.frame
    groups = list(policy.ranking.within) if policy.ranking is not None else []
    cols = [pl.col(c).cast(pl.Float64) for c in ("score", "total") if c in frame.columns]
    cols += [pl.col(c) for c in dict.fromkeys(["band", *groups]) if c in frame.columns]
    return frame.select(cols)


def _chart_score(frame: pl.DataFrame, bands: list[str], lang: str) -> str | None:
    if "score" not in frame.columns or frame.get_column("score").null_count() == frame.height:
        return None
    has_band = "band" in frame.columns
    edges, counts = _histogram(frame, "score", "band" if has_band else None)
    colors = _band_colors(bands)
    fig = _figure()
    ax = fig.add_subplot()
    centers = [(a + b) / 2 for a, b in zip(edges[:-1], edges[1:])]
    width = (edges[1] - edges[0]) * 0.95 if len(edges) > 1 else 1
    bottom = [0] * len(centers)
    order = bands + sorted(b for b in counts if b not in bands and b is not None) + [None]
    for band in order:
        if band not in counts:
            continue
        label = band if band is not None else _t(lang, "not_ranked")
        ax.bar(centers, counts[band], width=width, bottom=bottom, color=colors.get(band, UNRANKED_COLOR),
               label=str(label) if has_band else None)
        bottom = [a + b for a, b in zip(bottom, counts[band])]
    if has_band and bands:
        lows = dict(frame.filter(pl.col("band").is_not_null()).group_by("band").agg(pl.col("score").min()).iter_rows())
        for band in bands[:-1]:
            if lows.get(band) is not None:
                ax.axvline(lows[band], color=colors[band], linestyle="--", linewidth=1.2)
                ax.annotate(_t(lang, "lowest", band=band) + f" {lows[band]:g}", (lows[band], 1),
                            xycoords=("data", "axes fraction"), xytext=(3, -10), textcoords="offset points",
                            fontsize=8, color=colors[band])
    ax.set_xlabel(_t(lang, "score"))
    ax.set_ylabel(_t(lang, "count"))
    _number_axis(ax, "x")
    _number_axis(ax, "y")
    if has_band:
        ax.legend(ncols=min(6, len(counts)), loc="upper left", bbox_to_anchor=(0, -0.18))
    return _svg(fig, "score")


def _chart_boxes(frame: pl.DataFrame, by: str, bands: list[str], currency: str, key: str,
                 order: Sequence[object] | None = None, labels: dict | None = None, lang: str = "en") -> str | None:
    """Box plots of total payout per band, or per group (the largest ``MAX_BOXES`` groups)."""
    if by not in frame.columns or "total" not in frame.columns:
        return None
    if order is None:
        sizes = frame.group_by(by).len().sort(["len", by], descending=[True, False], nulls_last=True)
        order = sizes.get_column(by).head(MAX_BOXES).to_list()
    stats = _box_stats(frame, "total", by, order, labels or {})
    if not stats:
        return None
    fig = _figure(height=3.0 if len(stats) <= 6 else 3.6)
    ax = fig.add_subplot()
    parts = ax.bxp([stat for _, stat in stats], showmeans=False, patch_artist=True, widths=0.55)
    colors = _band_colors(bands) if by == "band" else {}
    for patch, (category, _) in zip(parts["boxes"], stats):
        patch.set_facecolor(colors.get(category, "#bbdefb"))
        patch.set_edgecolor("#424242")
    for median in parts["medians"]:
        median.set_color("#212121")
    _money_axis(ax)
    ax.set_ylabel(_t(lang, "total_axis", currency=currency))
    if len(stats) > 6:
        ax.tick_params(axis="x", labelrotation=30)
    return _svg(fig, key)


def _chart_cost(names: list[str], values: list[float], key: str, currency: str) -> str:
    fig = _figure(height=0.9 + 0.34 * len(names))
    ax = fig.add_subplot()
    ys = list(range(len(names)))[::-1]
    colors = ["#1565c0" if v >= 0 else "#c62828" for v in values]
    colors[-1] = "#37474f"
    ax.barh(ys, values, color=colors, height=0.6)
    ax.set_yticks(ys, [_short(n, 28) for n in names])
    span = max((abs(v) for v in values), default=0) or 1
    for y, v in zip(ys, values):
        ax.annotate(f"{v:,.0f}", (v, y), xytext=(4 if v >= 0 else -4, 0), textcoords="offset points",
                    ha="left" if v >= 0 else "right", va="center", fontsize=8)
    ax.set_xlim(min(0, min(values, default=0)) - span * 0.18, max(0, max(values, default=0)) + span * 0.22)
    ax.axvline(0, color="#424242", linewidth=0.8)
    _money_axis(ax, "x")
    ax.set_xlabel(currency)
    ax.grid(axis="y", visible=False)
    return _svg(fig, key)


def _chart_headcount(bands: list[str], series: list[tuple[str, list[int], str | list[str]]], key: str,
                     lang: str) -> str:
    """Bars of people per band; one series per policy (a colour or a colour per band)."""
    fig = _figure(height=2.8)
    ax = fig.add_subplot()
    k = len(series)
    width = 0.8 / k
    for j, (label, counts, color) in enumerate(series):
        xs = [i + (j - (k - 1) / 2) * width for i in range(len(bands))]
        bars = ax.bar(xs, counts, width=width * 0.95, color=color, label=label if k > 1 else None)
        ax.bar_label(bars, labels=[f"{c:,}" for c in counts], fontsize=8, padding=2)
    ax.set_xticks(range(len(bands)), [_t(lang, "not_ranked") if b == NONE_BAND else b for b in bands])
    ax.set_ylabel(_t(lang, "count"))
    _number_axis(ax, "y")
    ax.margins(y=0.15)
    if k > 1:
        ax.legend()
    return _svg(fig, key)


def _cost_values(results: Results, lang: str = "en") -> tuple[list[str], list[float], list[Decimal]]:
    policy = results.policy.policy
    frame = results.frame
    names, exact = [], []
    for p in policy.payouts:
        names.append(p.id)
        exact.append(frame.get_column(p.id).sum() or Decimal(0))
    for p in policy.penalties:
        names.append(f"− {p.id}")
        exact.append(-(frame.get_column(p.id).sum() or Decimal(0)))
    names.append("合计" if lang == "zh" else "total")
    exact.append(frame.get_column("total").sum() or Decimal(0))
    return names, [float(v) for v in exact], exact


# ---------------------------------------------------------------- page parts


def _table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]],
           classes: Sequence[Sequence[str]] | None = None, note: str = "") -> str:
    out = [f"<h3>{_e(title)}</h3>"] if title else []
    out.append("<table><thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in headers) + "</tr></thead><tbody>")
    for i, row in enumerate(rows):
        cells = []
        for j, cell in enumerate(row):
            cls = classes[i][j] if classes and classes[i][j] else ""
            cells.append(f'<td class="{cls}">{_e(cell)}</td>' if cls else f"<td>{_e(cell)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    if note:
        out.append(f'<p class="note">{_e(note)}</p>')
    return "\n".join(out)


def _delta_classes(rows: Sequence[Sequence[str]]) -> list[list[str]]:
    return [["up" if str(c).startswith("+") else "down" if str(c).startswith("-") else "" for c in row] for row in rows]


def _chart_block(title: str, svg: str | None, note: str = "", empty: str = "") -> str:
    parts = [f"<h2>{_e(title)}</h2>"]
    if svg:
        parts.append(f'<div class="chart">{svg}</div>')
    elif empty:
        parts.append(f'<p class="note">{_e(empty)}</p>')
    if note:
        parts.append(f'<p class="note">{_e(note)}</p>')
    return "\n".join(parts)


def _cards(items: Sequence[tuple[str, str]]) -> str:
    cards = (f'<div class="card"><div class="v">{_e(v)}</div><div class="k">{_e(k)}</div></div>' for k, v in items)
    return '<div class="cards">' + "".join(cards) + "</div>"


def _page(title: str, meta: str, body: list[str], lang: str) -> str:
    return "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<header><h1>{_e(title)}</h1><p class=\"meta\">{_e(meta)}</p></header>",
        *body,
        f"<footer>incentive {_e(__version__)}</footer>",
        "</body>",
        "</html>",
        "",
    ])


# ---------------------------------------------------------------- evaluation page


def _slim(results: Results) -> Results:
    """The results with only the columns a page reads: every later step then touches a few columns,
    not the dozens of a full result frame (five times faster for a million people)."""
    policy = results.policy.policy
    wanted = [results.id_column, *(p.id for p in policy.payouts), *(p.id for p in policy.penalties), "total",
              "score", "band", "eligible", *(policy.ranking.within if policy.ranking is not None else ()),
              *(f"{p.id}.when" for p in policy.penalties if p.forfeit),  # what a veto took (A4)
              *(c for c in results.frame.columns if ".before_forfeit." in c)]
    keep = [c for c in dict.fromkeys(wanted) if c in results.frame.columns]
    return replace(results, frame=results.frame.select(keep))


def render_report(results: Results, *, lang: str = "en") -> str:
    """The evaluation page: cards, score distribution, payout by band and group, cost, headcount, tables."""
    from incentive.report.diff_summary import money
    from incentive.report.summary import summary_tables

    from incentive.report.totals import check_totals

    check_totals(results)
    vetoed = _vetoed_table(results, lang)
    results = _slim(results)
    checked = results.policy
    policy = checked.policy
    frame = results.frame
    d = policy.money.decimals
    title = label_text(policy.title, lang, policy.id)
    meta = (f"{policy.id} {policy.version} · {_t(lang, 'period')} {results.period.label} · {policy.currency}"
            + (f" · data sha256 {results.data_sha256[:12]}" if results.data_sha256 else ""))
    names, values, exact = _cost_values(results, lang)
    bands = _band_order(results)
    cards = [(_t(lang, "people"), f"{frame.height:,}"), (_t(lang, "total_cost"), money(exact[-1], d))]
    if "band" in frame.columns:
        cards.append((_t(lang, "ranked"), f"{frame.get_column('band').drop_nulls().len():,}"))
    body = [_cards(cards)]
    plot = _plot_frame(results)
    with _matplotlib():
        body.append(_chart_block(_t(lang, "score_dist"), _chart_score(plot, bands, lang), _t(lang, "score_note"),
                                 empty=_t(lang, "no_score")))
        if bands and "band" in frame.columns:
            labels = {None: _t(lang, "not_ranked")}
            body.append(_chart_block(_t(lang, "pay_band"),
                                     _chart_boxes(plot, "band", bands, policy.currency, "payband", order=[*bands, None],
                                                  labels=labels, lang=lang), _t(lang, "box_note")))
        groups = list(policy.ranking.within) if policy.ranking is not None else []
        for g in groups:
            inp = next((i for i in policy.inputs if i.id == g), None)
            shown = label_text(inp.label, lang, inp.header) if inp is not None and lang != "en" else g
            body.append(_chart_block(_t(lang, "pay_group", group=shown),
                                     _chart_boxes(plot, g, bands, policy.currency, f"paygroup-{g}", lang=lang),
                                     _t(lang, "box_note")))
        body.append(_chart_block(_t(lang, "cost"), _chart_cost(names, values, "cost", policy.currency)))
        if bands and "band" in frame.columns:
            counts = dict(frame.group_by("band").len().iter_rows())
            order = [*bands, *([NONE_BAND] if counts.get(None) else [])]
            colors = _band_colors(bands)
            series = [(_t(lang, "count"), [counts.get(None if b == NONE_BAND else b, 0) for b in order],
                       [colors[b] for b in order])]
            body.append(_chart_block(_t(lang, "headcount"), _chart_headcount(order, series, "headcount", lang)))
    body.append(f"<h2>{_e(_t(lang, 'tables'))}</h2>")
    for table_title, headers, rows in summary_tables(results, lang):
        shown = rows[:MAX_TABLE_ROWS]
        note = _t(lang, "more_groups", shown=len(shown), total=len(rows)) if len(rows) > len(shown) else ""
        body.append(_table(table_title, headers, shown, note=note))
    if vetoed:
        body.append(vetoed)
    return _page(f"{title} — {_t(lang, 'evaluation')}", meta, body, lang)


def _vetoed_table(results: Results, lang: str) -> str:
    """A4: the people a veto hit -- band reason and what was forfeited -- as a table (empty when none)."""
    from incentive.report.explain import fmt
    from incentive.report.forfeits import COLUMN, vetoed_people
    from incentive.report.words import word

    people = vetoed_people(results)
    if not people.height:
        return ""
    d = results.policy.policy.money.decimals
    names = {results.id_column: word(lang, "id"), "score": word(lang, "score"), "band": word(lang, "band"),
             "band_reason": word(lang, "reason"), COLUMN: word(lang, "forfeited")}
    from incentive.report.reason_text import band_reason

    rows = [[fmt(v, d) if k == COLUMN else band_reason(v, lang) if k == "band_reason" else fmt(v)
             for k, v in r.items()]
            for r in people.head(MAX_TABLE_ROWS).iter_rows(named=True)]
    note = word(lang, "more people", shown=len(rows), total=people.height) if people.height > len(rows) else ""
    return _table(word(lang, "forfeits"), [names.get(c, c) for c in people.columns], rows, note=note)


def write_report(results: Results, path: Path, *, lang: str = "en") -> None:
    """Write the evaluation page to ``path`` atomically (same results, same bytes)."""
    text = render_report(results, lang=lang)
    with atomic_file(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


# ---------------------------------------------------------------- diff page


def _chart_total_dist(diff: Diff, lang: str) -> str | None:
    if not diff.people.height:
        return None
    people = diff.people.select(pl.col("total.old", "total.new").cast(pl.Float64))
    lo, hi = people.select(pl.min_horizontal(pl.col("total.old").min(), pl.col("total.new").min()).alias("lo"),
                           pl.max_horizontal(pl.col("total.old").max(), pl.col("total.new").max()).alias("hi")).row(0)
    if lo is None:
        return None
    fig = _figure()
    ax = fig.add_subplot()
    for col, label, color in (("total.old", _t(lang, "old"), OLD_COLOR), ("total.new", _t(lang, "new"), NEW_COLOR)):
        edges, counts = _histogram(people, col, None, span=(lo, hi))
        if not edges:
            continue
        ax.stairs(counts.get(None, [0] * BINS), edges, label=label, color=color, linewidth=1.8,
                  fill=col == "total.old", alpha=0.55 if col == "total.old" else 1.0)
    _money_axis(ax, "x")
    _number_axis(ax, "y")
    ax.set_xlabel(_t(lang, "total_axis", currency=diff.currency))
    ax.set_ylabel(_t(lang, "count"))
    ax.legend()
    return _svg(fig, "totaldist")


def _chart_cost_cmp(diff: Diff, lang: str) -> str:
    fig = _figure(height=0.9 + 0.42 * len(diff.costs))
    ax = fig.add_subplot()
    n = len(diff.costs)
    ys = list(range(n))[::-1]
    sign = [(-1 if line.kind == "penalty" else 1) for line in diff.costs]
    olds = [float(line.old) * s for line, s in zip(diff.costs, sign)]
    news = [float(line.new) * s for line, s in zip(diff.costs, sign)]
    ax.barh([y + 0.2 for y in ys], olds, height=0.38, color=OLD_COLOR, label=_t(lang, "old"))
    ax.barh([y - 0.2 for y in ys], news, height=0.38, color=NEW_COLOR, label=_t(lang, "new"))
    ax.set_yticks(ys, [("− " if line.kind == "penalty" else "") + _short(line.id, 28) for line in diff.costs])
    span = max((abs(v) for v in olds + news), default=0) or 1
    for y, line, o, nv in zip(ys, diff.costs, olds, news):
        pct = line.pct
        text = f"{float(line.delta):+,.0f}" + (f" ({float(pct):+.1f}%)" if pct is not None and line.delta else "")
        color = "#2e7d32" if line.delta > 0 else "#c62828" if line.delta < 0 else "#616161"
        ax.annotate(text if line.delta else "0", (max(o, nv, 0), y), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=8, color=color)
    ax.set_xlim(min(0, min(olds + news, default=0)) - span * 0.05, max(0, max(olds + news, default=0)) + span * 0.3)
    ax.axvline(0, color="#424242", linewidth=0.8)
    _money_axis(ax, "x")
    ax.set_xlabel(diff.currency)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=2)
    return _svg(fig, "costcmp")


def _chart_migration(diff: Diff, lang: str) -> str:
    bands = list(diff.bands)
    labels = [_t(lang, "not_ranked") if b == NONE_BAND else b for b in bands]
    size = 1.6 + 0.55 * len(bands)
    fig = _figure(width=max(4.2, size + 1.2), height=size)
    ax = fig.add_subplot()
    matrix = [list(row) for row in diff.migration]
    peak = max((v for row in matrix for v in row), default=0) or 1
    # pcolormesh, not imshow: vector cells instead of an embedded raster image
    ax.pcolormesh(matrix, cmap="Blues", vmin=0, vmax=peak, edgecolors="white", linewidth=1)
    for i, row in enumerate(matrix):
        for j, v in enumerate(row):
            ax.text(j + 0.5, i + 0.5, f"{v:,}", ha="center", va="center", fontsize=9,
                    color="white" if v > peak * 0.55 else "#212121", fontweight="bold" if i == j else "normal")
    ax.set_xticks([k + 0.5 for k in range(len(bands))], labels)
    ax.set_yticks([k + 0.5 for k in range(len(bands))], labels)
    ax.invert_yaxis()
    ax.set_xlabel(_t(lang, "new_band"))
    ax.set_ylabel(_t(lang, "old_band"))
    ax.xaxis.set_label_position("top")
    ax.xaxis.tick_top()
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return _svg(fig, "migration")


def render_diff_report(diff: Diff, *, lang: str = "en") -> str:
    """The diff page: cost delta cards, before/after distribution, cost by component, migration, tables."""
    from incentive.report.diff_summary import diff_tables, money, pct_text, signed

    d = diff.money_decimals
    policy = diff.new.policy.policy
    total = diff.total
    title = f"{label_text(policy.title, lang, policy.id)} — {_t(lang, 'diff')}"
    meta = (f"{_t(lang, 'old')}: {diff.old_name} · {_t(lang, 'new')}: {diff.new_name} · "
            f"{_t(lang, 'period')} {diff.new.period.label}")
    cards = [(_t(lang, "people"), f"{diff.headcount:,}"),
             (f"{_t(lang, 'total_cost')} ({_t(lang, 'old')})", money(total.old, d)),
             (f"{_t(lang, 'total_cost')} ({_t(lang, 'new')})", money(total.new, d)),
             (_t(lang, "delta"), f"{signed(total.delta, d)} ({pct_text(total.old, total.new, total.pct)})")]
    body = [_cards(cards)]
    with _matplotlib():
        body.append(_chart_block(_t(lang, "total_dist"), _chart_total_dist(diff, lang)))
        body.append(_chart_block(_t(lang, "cost_cmp"), _chart_cost_cmp(diff, lang)))
        if any(b != NONE_BAND for b in diff.bands):
            body.append(_chart_block(_t(lang, "migration"), _chart_migration(diff, lang), _t(lang, "migration_note")))
            counts = diff.band_counts()
            series = [(_t(lang, "old"), [o for _, o, _ in counts], OLD_COLOR),
                      (_t(lang, "new"), [n for _, _, n in counts], NEW_COLOR)]
            body.append(_chart_block(_t(lang, "band_cmp"), _chart_headcount(list(diff.bands), series, "bandcmp", lang)))
    body.append(f"<h2>{_e(_t(lang, 'tables'))}</h2>")
    for table_title, headers, rows in diff_tables(diff, lang):
        if table_title.startswith(("band migration", "档位迁移")):
            classes = [["diag" if j == i + 1 else "" for j in range(len(row))] for i, row in enumerate(rows)]
            body.append(_table(table_title, headers, rows, classes))
        else:
            body.append(_table(table_title, headers, rows, _delta_classes(rows)))
    return _page(title, meta, body, lang)


def write_diff_report(diff: Diff, path: Path | str, *, lang: str = "en") -> None:
    """Write the diff page to ``path`` atomically (same inputs, same bytes)."""
    text = render_diff_report(diff, lang=lang)
    with atomic_file(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
