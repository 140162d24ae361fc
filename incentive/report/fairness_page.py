"""The adverse-impact section of report.html: per fairness column a chart of selection rates, the rate
table and the median-pay table (drawn inside the page's ``drawing()``, like its other charts)."""

from __future__ import annotations

from incentive.engine.results import Results
from incentive.policy.model import Policy
from incentive.report.charts import BAND_COLORS, figure, short, svg
from incentive.report.fairness import Cell, FairnessReport, Selection, fairness_report
from incentive.report.fairness_text import action_text, column_name, fair_word, fixed, p_text, selection_text
from incentive.report.page import MAX_TABLE_ROWS, chart_block, page_text, table

_FLAG_MARK = "!"


def fairness_section(results: Results, lang: str) -> list[str]:
    """The section's HTML blocks (none without a ``fairness`` section); call inside ``charts.drawing()``."""
    report = fairness_report(results)
    if report is None:
        return []
    policy = results.checked.policy
    blocks = []
    for column in policy.fairness.columns if policy.fairness is not None else ():
        shown = column_name(policy, column, lang)
        cells = [c for c in report.cells if c.column == column]
        blocks.append(chart_block(fair_word(lang, "title", column=shown), _chart(policy, cells, column, lang),
                                  fair_word(lang, "chart_note")))
        blocks.append(_rate_table(policy, cells, shown, report, lang))
        blocks.append(_pay_table(report, column, shown, policy.money.decimals, lang))
    return blocks


def _chart(policy: Policy, cells: list[Cell], key: str, lang: str) -> str | None:
    """Grouped bars: one group of bars per selection, one bar per demographic group; flags marked."""
    selections = list(dict.fromkeys(c.selection for c in cells))
    groups = list(dict.fromkeys(c.group for c in cells))
    if not selections or not groups:
        return None
    by = {(c.selection, c.group): c for c in cells}
    fig = figure(height=3.4)
    ax = fig.add_subplot()
    width = 0.8 / len(groups)
    for j, group in enumerate(groups):
        xs = [i + (j - (len(groups) - 1) / 2) * width for i in range(len(selections))]
        found = [by.get((s, group)) for s in selections]
        rates = [float(c.rate) if c is not None and c.rate is not None else 0.0 for c in found]
        bars = ax.bar(xs, rates, width=width * 0.95, color=BAND_COLORS[j % len(BAND_COLORS)], label=short(group))
        marks = [_FLAG_MARK if c is not None and c.status == "flag" else "" for c in found]
        ax.bar_label(bars, labels=marks, fontsize=9, padding=1, color="#c62828")
    ax.set_xticks(range(len(selections)), [short(_tick(policy, s, lang), 18) for s in selections])
    ax.tick_params(axis="x", labelrotation=30 if len(selections) > 6 else 0)
    ax.set_ylabel(fair_word(lang, "rate_axis"))
    ax.set_ylim(0, 1.05)
    ax.legend(ncols=min(6, len(groups)), loc="upper right")
    return svg(fig, f"fairness-{key}")


def _tick(policy: Policy, selection: Selection, lang: str) -> str:
    """A band or a quartile by its id (``A``, ``Q4``); an action by its id or, in Chinese, its label."""
    if selection.kind != "action":
        return selection.id
    return action_text(policy, selection.id, lang) if lang != "en" else selection.id


def _rate_table(policy: Policy, cells: list[Cell], shown: str, report: FairnessReport, lang: str) -> str:
    names = ("group", "selection", "headcount", "selected", "rate", "ratio", "reference_group", "four_fifths",
             "fisher_p")
    rows = [[c.group, selection_text(policy, c.selection, lang), str(c.headcount), str(c.selected), fixed(c.rate),
             fixed(c.ratio), c.reference or "", fair_word(lang, c.status), p_text(c.p_value)] for c in cells]
    # flags first, so a long table never hides one below its cut
    rows.sort(key=lambda r: r[7] != fair_word(lang, "flag"))
    visible = rows[:MAX_TABLE_ROWS]
    note = fair_word(lang, "note", n=report.min_group)
    if len(rows) > len(visible):
        note = page_text(lang, "more_groups", shown=len(visible), total=len(rows)) + " " + note
    return table(fair_word(lang, "table", column=shown), [fair_word(lang, n) for n in names], visible, note=note)


def _pay_table(report: FairnessReport, column: str, shown: str, decimals: int, lang: str) -> str:
    from incentive.report.explain import fmt

    rows = [[g.group, str(g.headcount), fmt(g.median_total, decimals) if g.median_total is not None
             else fair_word(lang, "too_small"), fixed(g.ratio)] for g in report.pay if g.column == column]
    headers = [fair_word(lang, n) for n in ("group", "headcount", "median_total", "median_ratio")]
    return table(fair_word(lang, "pay_table", column=shown), headers, rows[:MAX_TABLE_ROWS])
