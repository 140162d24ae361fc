"""The adverse-impact report as people read it: ``fairness.csv``, the flag lines, the words in en / zh.

Rates and ratios are written with four decimals and p-values with four
significant digits, as text: they are statistics, never money, so no float
reaches an amount column. The median total is a money amount (the policy's
decimals and rounding).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import polars as pl

from incentive.engine.results import Results
from incentive.policy.model import Policy, label_text
from incentive.report.labels import ACTIONS, action_label
from incentive.report.fairness import Cell, FairnessReport, GroupPay, Selection, fairness_report
from incentive.report.terminal import printable

MAX_LINES = 10  # flag lines on the terminal; the rest are in fairness.csv and report.html

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "band": "band {id}", "action": "action {id}", "pay_quartile": "pay quartile {id}",
        "line": "fairness: {column}={group} {selection} selection rate {rate} is {ratio} of {reference}'s"
                " (four-fifths rule)",
        "line_adverse": "fairness: {column}={group} {selection} rate {rate}: {group} avoid it at {ratio} of"
                        " {reference}'s rate (four-fifths rule)",
        "fisher": "; Fisher p={p}", "more": "fairness: {n} more flag(s) in fairness.csv",
        "pass": "pass", "flag": "flag", "too_small": "too small", "no_selection": "nobody selected",
        "not_judged": "not judged", "direction": "direction", "favourable": "favourable", "adverse": "adverse",
        "neutral": "neutral",
        # report.html and the label headers of fairness.csv
        "title": "Adverse impact by {column}", "chart_note": "Selection rate of each group; a bar marked ! is"
        " under four-fifths of the most-favoured group's rate. A band is drawn from the ranked, an action and a"
        " pay quartile from everyone; Q4 holds the highest totals.",
        "table": "Selection rates by {column}", "pay_table": "Median total pay by {column}",
        "note": "Four-fifths rule (29 CFR 1607.4(D)): a ratio under 0.8 is flagged; for an adverse outcome (the"
        " bottom band, an improvement or exit action, the lowest quartile) the ratio compares the rates of avoiding"
        " it, so the flag names the group selected more often. Middle bands and quartiles are not judged."
        " Fisher's exact test (two-sided, the group against all others): a small p means the split is unlikely by chance. Groups under {n} people"
        " are too small to judge. A flag is a prompt to look, not a legal finding.",
        "rate_axis": "selection rate",
        "column": "column", "group": "group", "selection_kind": "kind", "selection": "selection",
        "headcount": "headcount", "selected": "selected", "rate": "rate", "ratio": "ratio to most favoured",
        "reference_group": "most favoured", "four_fifths": "four-fifths", "fisher_p": "Fisher p",
        "median_total": "median total", "median_ratio": "ratio to highest median",
    },
    "zh": {
        "band": "{id} 档", "action": "建议“{id}”", "pay_quartile": "总额四分位 {id}",
        "line": "公平性：{column}={group}：{selection}入选率 {rate}，为 {reference} 的 {ratio} 倍（低于五分之四规则）",
        "line_adverse": "公平性：{column}={group}：{selection}比例 {rate}，未入该项的比例为 {reference} 的 {ratio} 倍"
                        "（低于五分之四规则）",
        "fisher": "；费希尔精确检验 p={p}", "more": "公平性：另有 {n} 项标记，详见公平性明细表",
        "pass": "通过", "flag": "标记", "too_small": "人数过少", "no_selection": "无人入选",
        "not_judged": "不作判断", "direction": "方向", "favourable": "有利", "adverse": "不利", "neutral": "中性",
        "title": "按{column}的不利影响分析", "chart_note": "各组入选率；标有 ! 的柱低于入选率最高组的五分之四。"
        "档位按参与排名者计算，建议与总额四分位按全部人员计算；Q4 为总额最高的四分之一。",
        "table": "按{column}的入选率", "pay_table": "按{column}的总奖金中位数",
        "note": "五分之四规则（美国联邦法规第 29 编第 1607.4(D) 条）：比值低于 0.8 即标记；对不利结果（末档、改进或退出类建议、"
        "总额最低四分位）比较的是未入该项的比例，标记的是更常入选的组。中间档位与四分位不作判断。费希尔精确检验（双侧，该组对其余各组）："
        "p 越小，差异越难用偶然解释。不足 {n} 人的组人数过少，不作判断。标记只是提示复核，不是法律结论。",
        "rate_axis": "入选率",
        "column": "字段", "group": "组别", "selection_kind": "类别", "selection": "入选项",
        "headcount": "人数", "selected": "入选人数", "rate": "入选率", "ratio": "与最高组之比",
        "reference_group": "入选率最高组", "four_fifths": "五分之四规则", "fisher_p": "费希尔检验 p",
        "median_total": "总奖金中位数", "median_ratio": "与最高中位数之比",
    },
}

#: the columns of fairness.csv, in order
COLUMNS = ("column", "group", "selection_kind", "selection", "direction", "headcount", "selected", "rate", "ratio",
           "reference_group", "four_fifths", "fisher_p", "median_total", "median_ratio")


def table_labels(lang: str) -> dict[str, str]:
    """The headers of fairness.csv in ``lang`` (``--headers labels``, XLSX)."""
    return {name: fair_word(lang, name) for name in COLUMNS}


def fair_word(lang: str, key: str, **kw: object) -> str:
    text = WORDS.get(lang, WORDS["en"]).get(key) or WORDS["en"][key]
    return text.format(**kw) if kw else text


def fixed(value: Fraction | None, places: int = 4) -> str:
    """A ratio as fixed-decimal text, rounded half up exactly (``""`` for none)."""
    if value is None:
        return ""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def p_text(p: float | None) -> str:
    """A p-value to four significant digits (``0.03103``, ``1.000``, ``1.234e-05``)."""
    return "" if p is None else f"{p:#.4g}"


def fairness_table(report: FairnessReport, decimals: int) -> pl.DataFrame:
    """One row per (column, group, selection); the group's median total beside every row of the group."""
    pay: dict[tuple[str, str], GroupPay] = {(g.column, g.group): g for g in report.pay}
    rows = []
    for c in report.cells:
        g = pay.get((c.column, c.group))
        rows.append((c.column, c.group, c.selection.kind, c.selection.id, c.selection.direction, c.headcount, c.selected, fixed(c.rate),
                     fixed(c.ratio), c.reference or "", c.status, p_text(c.p_value),
                     g.median_total if g is not None else None, fixed(g.ratio) if g is not None else ""))
    schema: dict[str, pl.DataType] = {name: pl.String() for name in COLUMNS}
    schema["headcount"] = schema["selected"] = pl.Int64()
    schema["median_total"] = pl.Decimal(38, decimals)
    return pl.DataFrame(rows, schema=schema, orient="row")


def column_name(policy: Policy, column: str, lang: str) -> str:
    """The column by its id in English, by its label (or data header) in Chinese, as the summary does."""
    if lang == "en":
        return column
    inp = policy.input(column)
    return label_text(inp.label, lang, inp.header) if inp is not None else column


def selection_text(policy: Policy, selection: Selection, lang: str) -> str:
    name = action_text(policy, selection.id, lang) if selection.kind == "action" and lang != "en" else selection.id
    return fair_word(lang, selection.kind, id=name)


def action_text(policy: Policy, action: str, lang: str) -> str:
    """An action as a person reads it: its rule's label, else the built-in word, else the id."""
    rule = next((r for r in policy.recommendations if r.action == action), None)
    if rule is not None:
        return action_label(rule, lang)
    return ACTIONS.get(lang, ACTIONS["en"]).get(action) or action


def flag_line(policy: Policy, cell: Cell, lang: str) -> str:
    key = "line_adverse" if cell.selection.direction == "adverse" else "line"
    line = fair_word(lang, key, column=column_name(policy, cell.column, lang), group=cell.group,
                     selection=selection_text(policy, cell.selection, lang), rate=fixed(cell.rate),
                     ratio=fixed(cell.ratio), reference=cell.reference)
    return line + (fair_word(lang, "fisher", p=p_text(cell.p_value)) if cell.p_value is not None else "")


def flag_lines(policy: Policy, report: FairnessReport | None, lang: str = "en") -> list[str]:
    """One line per four-fifths flag (at most ``MAX_LINES``, then how many more)."""
    if report is None:
        return []
    flags = report.flags()
    lines = [flag_line(policy, c, lang) for c in flags[:MAX_LINES]]
    if len(flags) > MAX_LINES:
        lines.append(fair_word(lang, "more", n=len(flags) - MAX_LINES))
    return lines


def terminal_text(results: Results, lang: str = "en") -> str:
    """The flag lines for stderr, each made safe for a terminal ("" without flags or a fairness section)."""
    lines = flag_lines(results.checked.policy, fairness_report(results), lang)
    return "".join(f"{printable(line)}\n" for line in lines)
