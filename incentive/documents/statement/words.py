"""The fixed words of a statement, in English and Chinese.

A Chinese statement carries no English prose: every heading and sentence
comes from here, every name from the policy's ``zh`` labels. Ids appear only
inside the commands a person types back (``incentive inquiry open ...``).
"""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "statement": "Incentive statement", "period": "Period", "employee": "Employee", "id": "Employee id",
        "group": "Ranked in", "kpis": "Performance indicators", "kpi": "Indicator", "value": "Value",
        "target": "Target", "points": "Points", "weight": "Weight", "score": "Weighted score",
        "band": "Band", "rank": "Rank {rank} of {size} in {group}", "cutoffs": "Band cutoffs in {group}",
        "cutoff": "lowest score {score}", "no cutoff": "nobody placed", "not ranked": "not ranked",
        "payouts": "Payouts", "penalties": "Penalties and forfeits",
        "adjustments": "Adjustments for earlier periods",
        "versions": "Plan versions: the period is split between them, amounts weighted by days", "amount": "Amount", "total": "Total",
        "total line": "Total ({currency})", "none": "none", "recommendations": "Recommendations",
        "no recommendations": "No recommendation for this period.", "reason": "Reason",
        "next steps": "Next steps", "history": "History across closed periods",
        "no history": "No earlier closed period of this plan holds this person.",
        "no ledger": "History is not shown: there is no ledger at {path}.", "history period": "Period",
        "inquiry": "Questions and appeals",
        "inquiries asked": "Your inquiries about this period", "inquiry open": "open",
        "inquiry no_change": "answered, no change", "inquiry corrected": "corrected (the period was closed again)",
        "inquiry late": " (raised after the appeal window)", "about score": "weighted score", "about band": "band",
        "about total": "total", "about recommendations": "recommendations",
        "inquiry window": "If a number on this statement looks wrong, raise an inquiry within {days} days of the "
                          "close:",
        "inquiry hr": "If a number on this statement looks wrong, contact HR; the plan sets no appeal window. "
                      "An inquiry can be recorded with:",
        "inquiry about": "COMPONENT is one of:",
        "placeholder about": "COMPONENT", "placeholder text": "...",
        "verify": "Verification", "policy sha": "Policy sha256", "data sha": "Data sha256",
        "entry hash": "Ledger entry hash", "no entry": "not found: the ledger read has no entry of this close",
        "verify with": "Check these against the ledger with:",
        "entry in close": "recorded in the ledger with this close, whose hash covers this file (incentive verify checks both)",
        "page": "Page", "met": "met", "not met": "not met", "yes": "yes", "no": "no",
        "approval": "Plan approval",
        "gate line": "condition {rule}: {met}", "gate plain": "condition: {met}",
        "when line": "applies when {rule}: {met}", "when plain": "applies: {met}", "colon": ": ",
    },
    "zh": {
        "statement": "个人激励结算单", "period": "期间", "employee": "员工", "id": "工号",
        "group": "排名组", "kpis": "绩效指标", "kpi": "指标", "value": "实际值",
        "target": "目标", "points": "得分", "weight": "权重", "score": "综合得分",
        "band": "档位", "rank": "在 {group} 中排名 {rank} / {size}", "cutoffs": "{group} 的分档线",
        "cutoff": "最低分 {score}", "no cutoff": "无人", "not ranked": "未排名",
        "payouts": "奖金项", "penalties": "扣款与没收", "adjustments": "以前期间调整",
        "versions": "方案版本：本期跨两个版本，金额按天数加权", "amount": "金额", "total": "合计",
        "total line": "合计（{currency}）", "none": "无", "recommendations": "建议",
        "no recommendations": "本期无建议。", "reason": "原因",
        "next steps": "后续步骤", "history": "历史结算记录",
        "no history": "本方案此前的结算期间中没有此人的记录。",
        "no ledger": "未显示历史记录：{path} 处没有台账。", "history period": "期间",
        "inquiry": "疑问与申诉",
        "inquiries asked": "您对本期的查询", "inquiry open": "处理中", "inquiry no_change": "已答复，无变更",
        "inquiry corrected": "已更正（本期已重新结算）", "inquiry late": "（超过申诉期提出）", "about score": "综合得分",
        "about band": "档位", "about total": "合计", "about recommendations": "建议",
        "inquiry window": "如对本结算单的数字有疑问，请在结算后 {days} 天内提出查询：",
        "inquiry hr": "如对本结算单的数字有疑问，请联系人力资源部；本方案未规定申诉期限。查询可用以下命令登记：",
        "inquiry about": "<项目编号> 可为：",
        "placeholder about": "<项目编号>", "placeholder text": "<问题说明>",
        "verify": "核验信息", "policy sha": "方案 sha256", "data sha": "数据 sha256",
        "entry hash": "台账记录哈希", "no entry": "未找到：所读台账中没有这次结算的记录",
        "verify with": "可用以下命令与台账核对：",
        "entry in close": "随本次结算记入台账，其哈希覆盖本文件（可用下方命令一并核验）",
        "page": "页", "met": "满足", "not met": "未满足", "yes": "是", "no": "否",
        "approval": "方案审批",
        "gate line": "门槛条件 {rule}：{met}", "gate plain": "门槛条件：{met}",
        "when line": "扣款条件 {rule}：{met}", "when plain": "扣款条件：{met}", "colon": "：",
    },
}


def word(lang: str, key: str, **kw: object) -> str:
    """``key`` in ``lang`` (English for an unknown language)."""
    text = WORDS.get(lang, WORDS["en"])[key]
    return text.format(**kw) if kw else text
