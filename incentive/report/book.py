"""``results.xlsx``: every table of an evaluation in one workbook, for people.

Sheets: results (one row per person), payouts (payroll-ready), recommendations,
cutoffs (the ranking summary: seats, counts and lowest score per band and
group) and summary (the terminal summary's tables, amounts as numbers, then the
plan's approval record and any warning about it).
Headers are labels in the chosen language above the column ids
(``output.xlsx_book``).
"""

from __future__ import annotations

import re
from decimal import Decimal

import polars as pl

from incentive.engine.results import Results
from incentive.output.xlsx_book import Sheet
from incentive.report.approval_block import approval_lines
from incentive.report.labels import column_labels, fixed
from incentive.report.tables import money_decimals, payouts_table, results_table

SHEETS = {"en": {"results": "results", "payouts": "payouts", "recommendations": "recommendations",
                 "cutoffs": "cutoffs", "summary": "summary", "table": "table", "item": "item", "value": "value"},
          "zh": {"results": "结果", "payouts": "发放", "recommendations": "建议", "cutoffs": "分档线",
                 "summary": "汇总", "table": "表", "item": "项目", "value": "数值"}}
_NUMBER = re.compile(r"^[+-]?[\d,]+(\.\d+)?$")


def _s(lang: str, key: str) -> str:
    return SHEETS.get(lang, SHEETS["en"])[key]


def _declared_decimals(results: Results) -> dict[str, int]:
    policy = results.checked.policy
    out = {"score": policy.score.decimals, "rank": 0, "group_size": 0}
    out.update({d.id: d.decimals for d in policy.derived if d.decimals is not None})
    return out


def _summary_frame(results: Results, lang: str) -> pl.DataFrame:
    """The summary tables as rows (table, item, column, value): amounts become exact numbers."""
    from incentive.report.summary import summary_tables

    rows: list[tuple[str, str, str, Decimal | None, str | None]] = []
    for title, headers, body in summary_tables(results, lang):
        for row in body:
            item = row[0]
            for head, cell in zip(headers[1:], row[1:]):
                text = str(cell)
                number = Decimal(text.replace(",", "")) if _NUMBER.match(text) else None
                rows.append((title, item, head, number, None if number is not None else text))
    return pl.DataFrame(rows, schema={"table": pl.String, "item": pl.String, "column": pl.String,
                                      "value": pl.Decimal(38, 12), "text": pl.String}, orient="row")


def _with_approval(summary: pl.DataFrame, results: Results, lang: str) -> pl.DataFrame:
    """The plan's approval record (and any warning about it) as the summary's last rows."""
    title, lines = approval_lines(results.checked.policy, results.period.start, lang)
    if not lines:
        return summary
    rows = pl.DataFrame({"table": [title] * len(lines), "item": [""] * len(lines), "column": [""] * len(lines),
                         "value": [None] * len(lines), "text": lines}, schema=summary.schema)
    return pl.concat([summary, rows])


def results_sheets(results: Results, lang: str = "en", frame: pl.DataFrame | None = None) -> list[Sheet]:
    """The sheets of ``results.xlsx`` (``frame``: the results table; default: everyone)."""
    labels = column_labels(results, lang)
    money = money_decimals(results)
    d = results.checked.policy.money.decimals
    table = results_table(results) if frame is None else frame
    sheets = [Sheet(_s(lang, "results"), table, money=money, decimals=_declared_decimals(results), labels=labels,
                    percent=("percentile",))]
    sheets.append(Sheet(_s(lang, "payouts"), payouts_table(results), money={"amount": d}, labels=labels))
    if results.recommendations is not None:
        sheets.append(Sheet(_s(lang, "recommendations"), results.recommendations, labels=labels))
    if results.ranking_summary is not None:
        cut = {c: results.checked.policy.score.decimals for c in results.ranking_summary.columns
               if c.startswith("cutoff_")}
        sheets.append(Sheet(_s(lang, "cutoffs"), results.ranking_summary, decimals=cut, labels=labels))
    summary = _with_approval(_summary_frame(results, lang), results, lang)
    names = {"table": _s(lang, "table"), "item": _s(lang, "item"), "column": fixed(lang, "amount"),
             "value": _s(lang, "value"), "text": fixed(lang, "reason")}
    names["column"] = {"en": "column", "zh": "列"}.get(lang, "column")
    names["text"] = {"en": "text", "zh": "文字"}.get(lang, "text")
    sheets.append(Sheet(_s(lang, "summary"), summary, money={}, decimals={}, labels=names))
    return sheets
