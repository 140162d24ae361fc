"""The diff page: what a policy change costs -- cost delta cards, the distribution of total payout
before and after, cost by component old vs new, band migration, headcount per band, and the tables."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from incentive.compare.diff import NONE_BAND, Diff
from incentive.output.atomic import atomic_file
from incentive.policy.model import label_text
from incentive.report.charts import (BINS, NEW_COLOR, OLD_COLOR, chart_headcount, drawing, figure, histogram,
                                     money_axis, number_axis, short, svg)
from incentive.report.page import cards, chart_block, delta_classes, escape, page, page_text, table


def _chart_total_dist(diff: Diff, lang: str) -> str | None:
    if not diff.people.height:
        return None
    people = diff.people.select(pl.col("total.old", "total.new").cast(pl.Float64))
    lo, hi = people.select(pl.min_horizontal(pl.col("total.old").min(), pl.col("total.new").min()).alias("lo"),
                           pl.max_horizontal(pl.col("total.old").max(), pl.col("total.new").max()).alias("hi")).row(0)
    if lo is None:
        return None
    fig = figure()
    ax = fig.add_subplot()
    lines = (("total.old", page_text(lang, "old"), OLD_COLOR), ("total.new", page_text(lang, "new"), NEW_COLOR))
    for col, label, color in lines:
        edges, counts = histogram(people, col, None, span=(lo, hi))
        if not edges:
            continue
        ax.stairs(counts.get(None, [0] * BINS), edges, label=label, color=color, linewidth=1.8,
                  fill=col == "total.old", alpha=0.55 if col == "total.old" else 1.0)
    money_axis(ax, "x")
    number_axis(ax, "y")
    ax.set_xlabel(page_text(lang, "total_axis", currency=diff.currency))
    ax.set_ylabel(page_text(lang, "count"))
    ax.legend()
    return svg(fig, "totaldist")


def _chart_cost_cmp(diff: Diff, lang: str) -> str:
    fig = figure(height=0.9 + 0.42 * len(diff.costs))
    ax = fig.add_subplot()
    n = len(diff.costs)
    ys = list(range(n))[::-1]
    sign = [(-1 if line.kind == "penalty" else 1) for line in diff.costs]
    olds = [float(line.old) * s for line, s in zip(diff.costs, sign)]
    news = [float(line.new) * s for line, s in zip(diff.costs, sign)]
    ax.barh([y + 0.2 for y in ys], olds, height=0.38, color=OLD_COLOR, label=page_text(lang, "old"))
    ax.barh([y - 0.2 for y in ys], news, height=0.38, color=NEW_COLOR, label=page_text(lang, "new"))
    ax.set_yticks(ys, [("− " if line.kind == "penalty" else "") + short(line.id, 28) for line in diff.costs])
    span = max((abs(v) for v in olds + news), default=0) or 1
    for y, line, o, nv in zip(ys, diff.costs, olds, news):
        pct = line.pct
        text = f"{float(line.delta):+,.0f}" + (f" ({float(pct):+.1f}%)" if pct is not None and line.delta else "")
        color = "#2e7d32" if line.delta > 0 else "#c62828" if line.delta < 0 else "#616161"
        ax.annotate(text if line.delta else "0", (max(o, nv, 0), y), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=8, color=color)
    ax.set_xlim(min(0, min(olds + news, default=0)) - span * 0.05, max(0, max(olds + news, default=0)) + span * 0.3)
    ax.axvline(0, color="#424242", linewidth=0.8)
    money_axis(ax, "x")
    ax.set_xlabel(diff.currency)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=2)
    return svg(fig, "costcmp")


def _chart_migration(diff: Diff, lang: str) -> str:
    bands = list(diff.bands)
    labels = [page_text(lang, "not_ranked") if b == NONE_BAND else b for b in bands]
    size = 1.6 + 0.55 * len(bands)
    fig = figure(width=max(4.2, size + 1.2), height=size)
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
    ax.set_xlabel(page_text(lang, "new_band"))
    ax.set_ylabel(page_text(lang, "old_band"))
    ax.xaxis.set_label_position("top")
    ax.xaxis.tick_top()
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return svg(fig, "migration")


def render_diff_report(diff: Diff, *, lang: str = "en") -> str:
    """The diff page: cost delta cards, before/after distribution, cost by component, migration, tables."""
    from incentive.report.diff_summary import diff_tables, money, pct_text, signed

    d = diff.money_decimals
    policy = diff.new.checked.policy
    total = diff.total
    title = f"{label_text(policy.title, lang, policy.id)} — {page_text(lang, 'diff')}"
    meta = (f"{page_text(lang, 'old')}: {diff.old_name} · {page_text(lang, 'new')}: {diff.new_name} · "
            f"{page_text(lang, 'period')} {diff.new.period.label}")
    card_items = [(page_text(lang, "people"), f"{diff.headcount:,}"),
                  (f"{page_text(lang, 'total_cost')} ({page_text(lang, 'old')})", money(total.old, d)),
                  (f"{page_text(lang, 'total_cost')} ({page_text(lang, 'new')})", money(total.new, d)),
                  (page_text(lang, "delta"), f"{signed(total.delta, d)} ({pct_text(total.old, total.new, total.pct)})")]
    body = [cards(card_items)]
    with drawing():
        body.append(chart_block(page_text(lang, "total_dist"), _chart_total_dist(diff, lang)))
        body.append(chart_block(page_text(lang, "cost_cmp"), _chart_cost_cmp(diff, lang)))
        if any(b != NONE_BAND for b in diff.bands):
            body.append(chart_block(page_text(lang, "migration"), _chart_migration(diff, lang),
                                    page_text(lang, "migration_note")))
            counts = diff.band_counts()
            series = [(page_text(lang, "old"), [o for _, o, _ in counts], OLD_COLOR),
                      (page_text(lang, "new"), [n for _, _, n in counts], NEW_COLOR)]
            body.append(chart_block(page_text(lang, "band_cmp"),
                                    chart_headcount(list(diff.bands), series, "bandcmp", lang)))
    body.append(f"<h2>{escape(page_text(lang, 'tables'))}</h2>")
    for table_title, headers, rows in diff_tables(diff, lang):
        if table_title.startswith(("band migration", "档位迁移")):
            classes = [["diag" if j == i + 1 else "" for j in range(len(row))] for i, row in enumerate(rows)]
            body.append(table(table_title, headers, rows, classes))
        else:
            body.append(table(table_title, headers, rows, delta_classes(rows)))
    return page(title, meta, body, lang)


def write_diff_report(diff: Diff, path: Path | str, *, lang: str = "en") -> None:
    """Write the diff page to ``path`` atomically (same inputs, same bytes)."""
    text = render_diff_report(diff, lang=lang)
    with atomic_file(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
