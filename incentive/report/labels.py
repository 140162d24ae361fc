"""What a person calls each column of an output table, in English or Chinese.

Column ids (``employee_id``, ``sales_value``, ``total``) are what programs
read and what ``--set`` / ``explain`` take; labels are what a person reads:
the policy's own ``label`` in the chosen language when it has one, else a
fixed word for the engine's columns (``score`` → 综合得分), else the id. The
XLSX outputs show both (labels above ids); CSV shows ids unless
``--headers labels`` (docs/policy-reference.md, *Output headers*).
"""

from __future__ import annotations

import polars as pl

from incentive.engine.results import Results
from incentive.policy.model import Recommendation, label_text
from incentive.policy.names import kpi_value

FIXED: dict[str, dict[str, str]] = {
    "en": {
        "score": "score", "rank": "rank", "percentile": "percentile", "band": "band",
        "band_reason": "band reason", "rank_group": "rank group", "group_size": "group size",
        "eligible": "ranked", "forfeited": "forfeited", "total": "total ({currency})",
        "recommendations": "recommendations", "value": "{label} (value)", "points": "{label} (points)",
        # recommendations.csv, payouts.csv, ranking.csv
        "employee_id": "employee id", "order": "order", "rule": "rule", "action": "action", "reason": "reason",
        "next_steps": "next steps", "condition": "condition", "evidence": "evidence", "name": "name",
        "currency": "currency", "amount": "amount", "group": "group", "status": "status",
        "pooled_from": "pooled from", "headcount": "headcount", "excluded": "excluded", "forced": "forced",
        "base": "base", "quota": "seats {band}", "count": "people {band}", "cutoff": "lowest score {band}",
        "ties_moved": "moved by ties", "guard_moved": "moved by guard",
        "replaces": "withheld action",
    },
    "zh": {
        "score": "综合得分", "rank": "排名", "percentile": "百分位", "band": "档位",
        "band_reason": "定档原因", "rank_group": "排名组", "group_size": "组内人数",
        "eligible": "参与排名", "forfeited": "没收金额", "total": "合计（{currency}）",
        "recommendations": "建议", "value": "{label}（实际值）", "points": "{label}（得分）",
        "employee_id": "工号", "order": "顺序", "rule": "规则", "action": "建议事项", "reason": "原因",
        "next_steps": "后续步骤", "condition": "条件", "evidence": "依据", "name": "姓名",
        "currency": "币种", "amount": "金额", "group": "组", "status": "状态",
        "pooled_from": "合并自", "headcount": "人数", "excluded": "未参与", "forced": "强制定档",
        "base": "基数", "quota": "{band}档名额", "count": "{band}档人数", "cutoff": "{band}档最低分",
        "ties_moved": "并列调整", "guard_moved": "保护调整",
        "replaces": "未发出的建议",
    },
}


def fixed(lang: str, key: str, **kw: object) -> str:
    text = FIXED.get(lang, FIXED["en"]).get(key) or FIXED["en"][key]
    return text.format(**kw) if kw else text


def column_labels(results: Results, lang: str = "en") -> dict[str, str]:
    """Column id → label for every column the results, payouts, recommendations and ranking tables have."""
    policy = results.checked.policy
    labels: dict[str, str] = {}
    for key in FIXED["en"]:
        if key not in ("value", "points", "quota", "count", "cutoff", "total"):
            labels[key] = fixed(lang, key)
    for inp in policy.inputs:
        labels[inp.id] = label_text(inp.label, lang, inp.header)
    for group in (policy.derived, policy.aggregates, policy.payouts, policy.penalties, policy.recommendations):
        for item in group:
            labels[item.id] = label_text(item.label, lang, item.id)
    for k in policy.kpis:
        name = label_text(k.label, lang, k.id)
        labels[kpi_value(k.id)] = fixed(lang, "value", label=name)
        labels[k.id] = fixed(lang, "points", label=name)
    labels["total"] = fixed(lang, "total", currency=policy.currency)
    if policy.ranking is not None:
        for b in policy.ranking.bands:
            for kind in ("quota", "count", "cutoff"):
                labels[f"{kind}_{b.id}"] = fixed(lang, kind, band=label_text(b.label, lang, b.id))
    return labels


def relabel(frame: pl.DataFrame, money: dict[str, int], labels: dict[str, str]) -> tuple[pl.DataFrame, dict[str, int]]:
    """``frame`` with label headers (``--headers labels``), and ``money`` keyed by the new names.
    Two columns with the same label keep their id in brackets, so headers stay unique."""
    seen: dict[str, int] = {}
    for c in frame.columns:
        seen[labels.get(c, c)] = seen.get(labels.get(c, c), 0) + 1
    names = {c: (labels.get(c, c) if seen[labels.get(c, c)] == 1 else f"{labels.get(c, c)} [{c}]")
             for c in frame.columns}
    return frame.rename(names), {names.get(k, k): v for k, v in money.items()}


#: the built-in actions (policy-reference, `recommendations`), as a person reads them
ACTIONS: dict[str, dict[str, str]] = {
    "en": {"promotion_review": "promotion review", "recognition": "recognition", "improvement_plan": "improvement plan",
           "coaching": "coaching", "training": "training", "transfer": "transfer", "exit_review": "exit review",
           "no_results_review": "no-results review", "compliance_review": "compliance review",
           "legal_review": "legal review"},
    "zh": {"promotion_review": "晋升评估", "recognition": "表彰", "improvement_plan": "绩效改进计划",
           "coaching": "辅导", "training": "培训", "transfer": "调岗", "exit_review": "退出评估",
           "no_results_review": "无业绩评估", "compliance_review": "合规审查", "legal_review": "法律审查"},
}


def action_label(rule: Recommendation, lang: str) -> str:
    """The action of a recommendation rule as a person reads it: the policy's ``action_label`` in
    ``lang``, else the built-in word, else the action id."""
    if rule.action_label is not None:
        return label_text(rule.action_label, lang, rule.action)
    return ACTIONS.get(lang, ACTIONS["en"]).get(rule.action) or ACTIONS["en"].get(rule.action) or rule.action
