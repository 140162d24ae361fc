"""The plan's approval record on a report page (and in ``explain``): who approved it, when it was consulted on and made known.

A reader of a close's report sees, beside the numbers, whether the plan
that judged the period went through its procedure (Labour Contract Law
Art. 4) -- and, when it can recommend exits, a plain line when the record is
missing or the plan was published after the period began. The judgement is
``policy.approval``'s; this module only words it, in English and Chinese.
"""

from __future__ import annotations

from datetime import date
from typing import Mapping

from incentive.policy.approval import approval_record, period_problem
from incentive.policy.model import Policy
from incentive.report.page import escape

WORDS = {
    "en": {
        "title": "Plan approval", "colon": ": ", "approved": "approved by {by} on {on}", "consulted": "consulted {on}",
        "published": "published {on}", "document": "document {doc}",
        "missing": "No approval record: this plan can recommend exits ({rules}) but records no consultation, "
                   "approval or publication (Labour Contract Law Art. 4).",
        "unpublished": "The approval record has no publication date: the plan is not shown to have been made known "
                       "to employees before the period (Labour Contract Law Art. 4).",
        "late": "Published {on}, after the period began ({start}): the rules were not made known to employees "
                "before the period they judge (Labour Contract Law Art. 4).",
    },
    "zh": {
        "title": "方案审批", "colon": "：", "approved": "{by}于 {on} 批准", "consulted": "职工代表协商 {on}",
        "published": "公示 {on}", "document": "文件 {doc}",
        "missing": "无审批记录：本方案含退出类建议（{rules}），但未记录职工代表协商、审批与公示（《劳动合同法》第四条）。",
        "unpublished": "审批记录缺少公示日期：无法证明方案在本期开始前已告知劳动者（《劳动合同法》第四条）。",
        "late": "公示日期 {on} 晚于本期开始日 {start}：考核规则未在所考核期间开始前告知劳动者（《劳动合同法》第四条）。",
    },
}


def _word(lang: str, key: str, **kw: object) -> str:
    return WORDS.get(lang, WORDS["en"])[key].format(**kw)


def approval_text(record: Mapping[str, str], lang: str = "en") -> str:
    """One line for a person: the approval record (``policy.approval.approval_record``) in ``lang``."""
    parts = [_word(lang, "approved", by=record.get("approved_by", ""), on=record.get("approved_on", ""))]
    parts += [_word(lang, key, on=record[f"{key}_on"]) for key in ("consulted", "published") if f"{key}_on" in record]
    if record.get("document"):
        parts.append(_word(lang, "document", doc=record["document"]))
    return _word(lang, "title") + _word(lang, "colon") + " · ".join(parts)


def approval_warning(policy: Policy, period_start: date, lang: str = "en") -> str | None:
    """The warning about the record (missing, unpublished, published late) in ``lang``, or None."""
    problem = period_problem(policy, period_start)
    if problem is None:
        return None
    published = problem.published_on.isoformat() if problem.published_on else ""
    return _word(lang, problem.kind, rules=", ".join(problem.rules), on=published, start=period_start.isoformat())


def approval_lines(policy: Policy, period_start: date, lang: str = "en") -> tuple[str, list[str]]:
    """The title and the plain lines (the record, then any warning) for a table or a document."""
    lines = [approval_text(approval_record(policy.approval), lang)] if policy.approval is not None else []
    warning = approval_warning(policy, period_start, lang)
    return _word(lang, "title"), lines + ([warning] if warning else [])


def approval_block(policy: Policy, period_start: date, lang: str = "en") -> str:
    """The approval line (and any warning) as HTML, or ``""`` for a plan with neither record nor exit rules."""
    lines: list[str] = []
    if policy.approval is not None:
        lines.append(f'<p class="note approval">{escape(approval_text(approval_record(policy.approval), lang))}</p>')
    warning = approval_warning(policy, period_start, lang)
    if warning is not None:
        lines.append(f'<p class="note approval-warning"><strong>{escape(warning)}</strong></p>')
    return "\n".join(lines)
