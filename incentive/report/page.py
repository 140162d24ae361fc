"""The shell of a report page: its words in English and Chinese, escaping, CSS, tables and cards.

A page is a single file that works offline: no scripts, no network
references, the CSS inline. The charts (``incentive.report.charts``) arrive
as inline SVG text; everything else on the page is built here, and every
text from a policy or a data file is escaped (``html.escape``). No
timestamps: the same results give the same bytes (the close's ``verify``
compares report.html's hash).
"""

from __future__ import annotations

import html
from typing import Sequence

from incentive import __version__

FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei",
         "Hiragino Sans GB", "DejaVu Sans", "Arial", "sans-serif"]
#: rows of a group table on the page; the groups with the largest change (or cost) are kept
MAX_TABLE_ROWS = 40

TEXT = {
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
        "data_sha256": "data sha256", "forfeit_bar": "forfeited by {label}",
        "forfeit_note": "Grey: what a veto forfeited -- already left out of the payouts above, not deducted again.",
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
        "data_sha256": "数据 sha256", "forfeit_bar": "{label}没收",
        "forfeit_note": "灰色：一票否决没收的金额，已不计入上方各项奖金，合计中不再重复扣除。",
    },
}

CSS = """
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


def page_text(lang: str, key: str, **kw: object) -> str:
    """The page word ``key`` in ``lang`` (English when the language or the key is unknown)."""
    words = TEXT.get(lang, TEXT["en"]).get(key) or TEXT["en"][key]
    return words.format(**kw) if kw else words


def escape(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]],
           classes: Sequence[Sequence[str]] | None = None, note: str = "") -> str:
    out = [f"<h3>{escape(title)}</h3>"] if title else []
    out.append("<table><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in headers) + "</tr></thead><tbody>")
    for i, row in enumerate(rows):
        cells = []
        for j, cell in enumerate(row):
            cls = classes[i][j] if classes and classes[i][j] else ""
            cells.append(f'<td class="{cls}">{escape(cell)}</td>' if cls else f"<td>{escape(cell)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    if note:
        out.append(f'<p class="note">{escape(note)}</p>')
    return "\n".join(out)


def delta_classes(rows: Sequence[Sequence[str]]) -> list[list[str]]:
    return [["up" if str(c).startswith("+") else "down" if str(c).startswith("-") else "" for c in row] for row in rows]


def chart_block(title: str, svg: str | None, note: str = "", empty: str = "") -> str:
    parts = [f"<h2>{escape(title)}</h2>"]
    if svg:
        parts.append(f'<div class="chart">{svg}</div>')
    elif empty:
        parts.append(f'<p class="note">{escape(empty)}</p>')
    if note:
        parts.append(f'<p class="note">{escape(note)}</p>')
    return "\n".join(parts)


def cards(items: Sequence[tuple[str, str]]) -> str:
    shown = (f'<div class="card"><div class="v">{escape(v)}</div><div class="k">{escape(k)}</div></div>'
             for k, v in items)
    return '<div class="cards">' + "".join(shown) + "</div>"


def page(title: str, meta: str, body: list[str], lang: str) -> str:
    return "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        f"<header><h1>{escape(title)}</h1><p class=\"meta\">{escape(meta)}</p></header>",
        *body,
        f"<footer>incentive {escape(__version__)}</footer>",
        "</body>",
        "</html>",
        "",
    ])
