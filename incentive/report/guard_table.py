"""The report's table of exit-type recommendations the guards replaced (``engine.exit_guard``).

One row per replaced recommendation: who, the rule, what was raised
(``legal_review`` or the improvement action), what was withheld, why, and
the evidence -- what HR and legal counsel act on. Empty when nothing was
replaced. The reason and evidence come from ``recommendations.csv``, in the
run's language.
"""

from __future__ import annotations

import polars as pl

from incentive.engine.results import Results
from incentive.report.guard_words import word
from incentive.report.page import MAX_TABLE_ROWS, table

_WORDS = {
    "en": {"title": "exit recommendations withheld (protected status / no earlier improvement step)",
           "id": "id", "rule": "rule", "action": "raised instead", "replaces": "withheld", "reason": "why",
           "evidence": "evidence", "more": "{shown} of {total} shown; all are in recommendations.csv."},
    "zh": {"title": "未发出的退出建议（受保护状态 / 此前无改进措施）",
           "id": "工号", "rule": "规则", "action": "改为", "replaces": "未发出", "reason": "原因",
           "evidence": "依据", "more": "共 {total} 条，显示 {shown} 条；全部见 recommendations.csv。"},
}


def _w(lang: str, key: str) -> str:
    return _WORDS["zh" if lang.startswith("zh") else "en"][key]


def guarded_table(results: Results, lang: str) -> str:
    recs = results.recommendations
    if recs is None or "replaces" not in recs.columns:
        return ""
    hits = recs.filter(pl.col("replaces") != "")
    if not hits.height:
        return ""
    rows = [[r["employee_id"], r["rule"], word(r["action"], lang), word(r["replaces"], lang), r["reason"],
             r["evidence"]] for r in hits.head(MAX_TABLE_ROWS).iter_rows(named=True)]
    note = _w(lang, "more").format(shown=len(rows), total=hits.height) if hits.height > len(rows) else ""
    headers = [_w(lang, k) for k in ("id", "rule", "action", "replaces", "reason", "evidence")]
    return table(_w(lang, "title"), headers, rows, note=note)
