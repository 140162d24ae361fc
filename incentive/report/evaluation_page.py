"""The evaluation page (also a close's report.html): cards, score distribution, payout by band and
group, cost by component, headcount per band, the adverse-impact section, and the summary tables."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Mapping, Sequence

import polars as pl

from incentive.compare.diff import NONE_BAND
from incentive.engine.results import Results
from incentive.output.atomic import atomic_file
from incentive.policy.model import label_text
from incentive.policy import names
from incentive.policy.names import WHEN, step
from incentive.report.approval_block import approval_block
from incentive.report.charts import (MAX_BOXES, UNRANKED_COLOR, band_colors, box_stats, chart_headcount,
                                     drawing, figure, histogram, money_axis, number_axis, short, svg)
from incentive.report.page import MAX_TABLE_ROWS, cards, chart_block, escape, page, page_text, table
from incentive.report.diff_summary import money
from incentive.report.fairness_page import fairness_section
from incentive.report.forfeits import check_totals
from incentive.report.guard_table import guarded_table
from incentive.report.summary import summary_tables
from incentive.report.totals import column_sum


def _band_order(results: Results) -> list[str]:
    ranking = results.checked.policy.ranking
    return [b.id for b in ranking.bands] if ranking is not None else []


def _plot_frame(results: Results) -> pl.DataFrame:
    """Float copies of score and total beside the band and group columns: what the charts aggregate.
    Cast once here -- casting inside each aggregation costs several times more."""
    policy = results.checked.policy
    frame = results.frame
    groups = list(policy.ranking.within) if policy.ranking is not None else []
    cols = [pl.col(c).cast(pl.Float64) for c in ("score", "total") if c in frame.columns]
    cols += [pl.col(c) for c in dict.fromkeys(["band", *groups]) if c in frame.columns]
    return frame.select(cols)


def _chart_score(frame: pl.DataFrame, bands: list[str], lang: str) -> str | None:
    if "score" not in frame.columns or frame.get_column("score").null_count() == frame.height:
        return None
    has_band = "band" in frame.columns
    edges, counts = histogram(frame, "score", "band" if has_band else None)
    colors = band_colors(bands)
    fig = figure()
    ax = fig.add_subplot()
    centers = [(a + b) / 2 for a, b in zip(edges[:-1], edges[1:])]
    width = (edges[1] - edges[0]) * 0.95 if len(edges) > 1 else 1
    bottom = [0] * len(centers)
    order = bands + sorted(b for b in counts if b not in bands and b is not None) + [None]
    for band in order:
        if band not in counts:
            continue
        label = band if band is not None else page_text(lang, "not_ranked")
        ax.bar(centers, counts[band], width=width, bottom=bottom, color=colors.get(band, UNRANKED_COLOR),
               label=str(label) if has_band else None)
        bottom = [a + b for a, b in zip(bottom, counts[band])]
    if has_band and bands:
        lows = dict(frame.filter(pl.col("band").is_not_null()).group_by("band").agg(pl.col("score").min()).iter_rows())
        for band in bands[:-1]:
            if lows.get(band) is not None:
                ax.axvline(lows[band], color=colors[band], linestyle="--", linewidth=1.2)
                ax.annotate(page_text(lang, "lowest", band=band) + f" {lows[band]:g}", (lows[band], 1),
                            xycoords=("data", "axes fraction"), xytext=(3, -10), textcoords="offset points",
                            fontsize=8, color=colors[band])
    ax.set_xlabel(page_text(lang, "score"))
    ax.set_ylabel(page_text(lang, "count"))
    number_axis(ax, "x")
    number_axis(ax, "y")
    if has_band:
        ax.legend(ncols=min(6, len(counts)), loc="upper left", bbox_to_anchor=(0, -0.18))
    return svg(fig, "score")


def _chart_boxes(frame: pl.DataFrame, by: str, bands: list[str], currency: str, key: str,
                 order: Sequence[object] | None = None, labels: Mapping[object, str] | None = None,
                 lang: str = "en") -> str | None:
    """Box plots of total payout per band, or per group (the largest ``MAX_BOXES`` groups)."""
    if by not in frame.columns or "total" not in frame.columns:
        return None
    if order is None:
        sizes = frame.group_by(by).len().sort(["len", by], descending=[True, False], nulls_last=True)
        order = sizes.get_column(by).head(MAX_BOXES).to_list()
    stats = box_stats(frame, "total", by, order, labels or {})
    if not stats:
        return None
    fig = figure(height=3.0 if len(stats) <= 6 else 3.6)
    ax = fig.add_subplot()
    parts = ax.bxp([stat for _, stat in stats], showmeans=False, patch_artist=True, widths=0.55)
    colors = band_colors(bands) if by == "band" else {}
    for patch, (category, _) in zip(parts["boxes"], stats):
        patch.set_facecolor(colors.get(category, "#bbdefb"))
        patch.set_edgecolor("#424242")
    for median in parts["medians"]:
        median.set_color("#212121")
    money_axis(ax)
    ax.set_ylabel(page_text(lang, "total_axis", currency=currency))
    if len(stats) > 6:
        ax.tick_params(axis="x", labelrotation=30)
    return svg(fig, key)


def _chart_cost(lines: Sequence[_CostLine], key: str, currency: str) -> str:
    """Horizontal bars: each payout, each penalty (negative), what each veto forfeited (grey), the total."""
    names = [line.name for line in lines]
    values = [float(line.amount) for line in lines]
    fig = figure(height=0.9 + 0.34 * len(names))
    ax = fig.add_subplot()
    ys = list(range(len(names)))[::-1]
    colors = [_TOTAL_COLOR if line.kind == "total" else _FORFEIT_COLOR if line.kind == "forfeit"
              else "#1565c0" if v >= 0 else "#c62828" for line, v in zip(lines, values)]
    ax.barh(ys, values, color=colors, height=0.6)
    ax.set_yticks(ys, [short(n, 28) for n in names])
    span = max((abs(v) for v in values), default=0) or 1
    for y, v in zip(ys, values):
        ax.annotate(f"{v:,.0f}", (v, y), xytext=(4 if v >= 0 else -4, 0), textcoords="offset points",
                    ha="left" if v >= 0 else "right", va="center", fontsize=8)
    ax.set_xlim(min(0, min(values, default=0)) - span * 0.18, max(0, max(values, default=0)) + span * 0.22)
    ax.axvline(0, color="#424242", linewidth=0.8)
    money_axis(ax, "x")
    ax.set_xlabel(currency)
    ax.grid(axis="y", visible=False)
    return svg(fig, key)


_TOTAL_COLOR, _FORFEIT_COLOR = "#37474f", UNRANKED_COLOR


@dataclass(frozen=True)
class _CostLine:
    name: str
    amount: Decimal
    kind: str  # payout, penalty (negative), forfeit (what a veto took: already out of its payouts), total


def _cost_lines(results: Results, lang: str = "en") -> list[_CostLine]:
    """The bars of the cost chart, with what each veto forfeited, as the tables show it -- a veto's own
    bar is 0, it takes the payouts instead. A translated page names the bars by the policy's labels (an
    id is English to its reader); the English page names them by id, as its tables do."""
    from incentive.report.forfeits import forfeit_totals
    from incentive.report.words import word

    policy = results.checked.policy
    frame = results.frame
    labelled = lang != "en"
    name = (lambda item: label_text(item.label, lang, item.id)) if labelled else (lambda item: item.id)  # noqa: E731
    lines = [_CostLine(name(p), _sum(frame, p.id), "payout") for p in policy.payouts]
    lines += [_CostLine(f"− {name(p)}", -_sum(frame, p.id), "penalty") for p in policy.penalties]
    lines += [_CostLine(page_text(lang, "forfeit_bar", label=name(p)), taken or Decimal(0), "forfeit")
              for p, taken in forfeit_totals(results)]
    lines.append(_CostLine(word(lang, "total"), _sum(frame, "total"), "total"))
    return lines


def _sum(frame: pl.DataFrame, column: str) -> Decimal:
    """The exact sum of a money column; a zero sum as ``Decimal(0)``, so a zero penalty negated reads 0, not -0."""
    return column_sum(frame, column) or Decimal(0)


def _slim(results: Results) -> Results:
    """The results with only the columns a page reads: every later step then touches a few columns,
    not the dozens of a full result frame (five times faster for a million people)."""
    policy = results.checked.policy
    wanted = [results.id_column, *(p.id for p in policy.payouts), *(p.id for p in policy.penalties), "total",
              "score", "band", "eligible", *(policy.ranking.within if policy.ranking is not None else ()),
              *(step(p.id, WHEN) for p in policy.penalties if p.forfeit),  # what a veto took (A4)
              *(names.before_forfeit(p.id, pen.id) for pen in policy.penalties if pen.forfeit
                for p in policy.payouts)]
    keep = [c for c in dict.fromkeys(wanted) if c in results.frame.columns]
    return replace(results, frame=results.frame.select(keep))


def render_report(results: Results, *, lang: str = "en") -> str:
    """The evaluation page: cards, score distribution, payout by band and group, cost, headcount, tables."""
    check_totals(results)
    vetoed = _vetoed_table(results, lang)
    guarded = guarded_table(results, lang)  # exit recommendations the guards replaced (issue 16)
    full, results = results, _slim(results)  # the fairness section reads its columns from the full frame
    checked = results.checked
    policy = checked.policy
    frame = results.frame
    d = policy.money.decimals
    title = label_text(policy.title, lang, policy.id)
    meta = (f"{policy.id} {policy.version} · {page_text(lang, 'period')} {results.period.label} · {policy.currency}"
            + (f" · {page_text(lang, 'data_sha256')} {results.data_sha256[:12]}" if results.data_sha256 else ""))
    costs = _cost_lines(results, lang)
    bands = _band_order(results)
    card_items = [(page_text(lang, "people"), f"{frame.height:,}"),
                  (page_text(lang, "total_cost"), money(costs[-1].amount, d))]
    if "band" in frame.columns:
        card_items.append((page_text(lang, "ranked"), f"{frame.get_column('band').drop_nulls().len():,}"))
    body = [cards(card_items)]
    approval = approval_block(policy, results.period.start, lang)
    if approval:
        body.append(approval)
    plot = _plot_frame(results)
    with drawing():
        body.append(chart_block(page_text(lang, "score_dist"), _chart_score(plot, bands, lang),
                                page_text(lang, "score_note"),
                                empty=page_text(lang, "no_score")))
        if bands and "band" in frame.columns:
            labels: dict[object, str] = {None: page_text(lang, "not_ranked")}
            body.append(chart_block(page_text(lang, "pay_band"),
                                    _chart_boxes(plot, "band", bands, policy.currency, "payband", order=[*bands, None],
                                                 labels=labels, lang=lang), page_text(lang, "box_note")))
        groups = list(policy.ranking.within) if policy.ranking is not None else []
        for g in groups:
            inp = next((i for i in policy.inputs if i.id == g), None)
            shown = label_text(inp.label, lang, inp.header) if inp is not None and lang != "en" else g
            body.append(chart_block(page_text(lang, "pay_group", group=shown),
                                    _chart_boxes(plot, g, bands, policy.currency, f"paygroup-{g}", lang=lang),
                                    page_text(lang, "box_note")))
        forfeits = any(line.kind == "forfeit" for line in costs)
        body.append(chart_block(page_text(lang, "cost"), _chart_cost(costs, "cost", policy.currency),
                                page_text(lang, "forfeit_note") if forfeits else ""))
        if bands and "band" in frame.columns:
            counts = dict(frame.group_by("band").len().iter_rows())
            order = [*bands, *([NONE_BAND] if counts.get(None) else [])]
            colors = band_colors(bands)
            series = [(page_text(lang, "count"), [counts.get(None if b == NONE_BAND else b, 0) for b in order],
                       [colors[b] for b in order])]
            body.append(chart_block(page_text(lang, "headcount"), chart_headcount(order, series, "headcount", lang)))
        body.extend(fairness_section(full, lang))  # the adverse-impact report, when the policy has one
    body.append(f"<h2>{escape(page_text(lang, 'tables'))}</h2>")
    for table_title, headers, rows in summary_tables(results, lang):
        visible = rows[:MAX_TABLE_ROWS]
        note = page_text(lang, "more_groups", shown=len(visible), total=len(rows)) if len(rows) > len(visible) else ""
        body.append(table(table_title, headers, visible, note=note))
    if vetoed:
        body.append(vetoed)
    if guarded:
        body.append(guarded)
    return page(f"{title} — {page_text(lang, 'evaluation')}", meta, body, lang)


def _vetoed_table(results: Results, lang: str) -> str:
    """A4: the people a veto hit -- band reason and what was forfeited -- as a table (empty when none)."""
    from incentive.report.explain import fmt
    from incentive.report.forfeits import COLUMN, vetoed_people
    from incentive.report.words import word

    people = vetoed_people(results)
    if not people.height:
        return ""
    d = results.checked.policy.money.decimals
    names = {results.id_column: word(lang, "id"), "score": word(lang, "score"), "band": word(lang, "band"),
             "band_reason": word(lang, "reason"), COLUMN: word(lang, "forfeited")}
    from incentive.report.reason_text import band_reason

    rows = [[fmt(v, d) if k == COLUMN else band_reason(v, lang) if k == "band_reason" else fmt(v)
             for k, v in r.items()]
            for r in people.head(MAX_TABLE_ROWS).iter_rows(named=True)]
    note = word(lang, "more people", shown=len(rows), total=people.height) if people.height > len(rows) else ""
    return table(word(lang, "forfeits"), [names.get(c, c) for c in people.columns], rows, note=note)


def write_report(results: Results, path: Path, *, lang: str = "en") -> None:
    """Write the evaluation page to ``path`` atomically (same results, same bytes)."""
    text = render_report(results, lang=lang)
    with atomic_file(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
