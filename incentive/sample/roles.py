"""What an input probably measures, guessed from its id, header and labels.

Synthetic data is only useful when it looks like the real thing: revenue
follows the target, collections follow revenue, a missed-report count is
small and a ticket count large. Inputs carry no such meaning formally, so
the generator guesses it from the words in the input's id, ``column`` header
and labels (English and Chinese). A guess only shapes the distribution:
every value still respects the input's type, ``min`` / ``max`` and
``values``, and an input no rule recognizes gets a plain distribution of its
type -- so any policy gets valid data.
"""

from __future__ import annotations

from incentive.policy.model import Input

#: (role, words) per input type, first match wins; words are matched in lower case
_RULES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "text": (
        ("region", ("region", "区域", "大区", "area", "province", "省", "city", "城市", "branch", "分公司")),
        ("team", ("team", "团队", "班组", "小组", "group", "squad", "department", "部门", "组")),
        ("name", ("name", "姓名", "名字")),
    ),
    "money": (
        ("bonus", ("bonus", "奖金", "incentive")),
        ("collected", ("collect", "回款", "cash", "receiv", "paid")),
        ("target", ("target", "quota", "目标", "指标", "plan")),
        ("revenue", ("revenue", "sales", "销售", "业绩", "营收", "turnover", "gmv", "booking")),
    ),
    "integer": (
        ("rare_count", ("missed", "miss", "late", "absen", "complaint", "leaver", "attrition", "violation",
                        "incident", "error", "defect", "warning", "缺", "迟到", "投诉", "流失", "违规", "差错", "事故")),
        ("volume", ("ticket", "工单", "call", "电话", "order", "订单", "visit", "拜访", "transaction", "case")),
    ),
    "number": (
        ("satisfaction", ("satisf", "满意", "csat", "nps")),
        ("duration", ("day", "天", "hour", "小时", "时长", "cycle", "周期", "time", "minute", "分钟")),
        ("quality", ("score", "得分", "质检", "qa", "rating", "quality", "评分")),
    ),
    "percent": (
        ("low_rate", ("attrition", "churn", "流失", "complaint", "投诉", "error", "defect", "差错", "return", "退货")),
    ),
    "date": (
        ("hire_date", ("hire", "入职", "join", "onboard", "start", "入司")),
    ),
    "boolean": (
        ("violation", ("violat", "违规", "veto", "否决", "compliance", "合规", "breach", "fraud", "违纪", "penalt")),
    ),
}

#: values of a role-like ``values`` set that are rare: one per team, like a manager
_LEAD_WORDS = ("manager", "lead", "leader", "head", "supervisor", "director", "经理", "主管", "组长", "总监")


def words(inp: Input) -> str:
    """Everything that names the input, in lower case."""
    parts = [inp.id, inp.column or ""]
    if isinstance(inp.label, dict):
        parts.extend(str(v) for v in inp.label.values())
    elif inp.label:
        parts.append(str(inp.label))
    return " ".join(parts).lower()


def role_of(inp: Input) -> str:
    """The guessed role of an input, or its type when no rule matches."""
    if inp.type == "id":
        return "id"
    if inp.values:
        return "choice"
    text = words(inp)
    for role, keys in _RULES.get(inp.type, ()):
        if any(k in text for k in keys):
            return role
    return inp.type


def is_lead_value(value: object) -> bool:
    """A value such as ``manager`` that only a few people (one per team) hold."""
    text = str(value).lower()
    return any(w in text for w in _LEAD_WORDS)
