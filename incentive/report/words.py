"""The words of the terminal tables and of ``explain``, in English and Chinese.

Ids (policy, KPI, payout, band, employee ids, column names) are never
translated: they are what a person types back (``--employee``, ``--set``).
Everything else a person reads goes through ``word(lang, key)``; a key
missing in Chinese falls back to English, and ``tests/report/test_zh_everywhere``
fails on English prose left in a Chinese output.
"""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "headcount": "headcount", "ranked": "ranked", "amount": "amount", "total": "total",
        "people": "people", "bands": "bands", "band": "band", "lowest score": "lowest score",
        "highest score": "highest score", "not ranked": "(not ranked)", "by": "by {groups}",
        "score distribution": "score distribution (nearest rank)", "forfeited by": "forfeited by {id} ({label})",
        "forfeited": "forfeited", "warning": "warning",
        "min": "min", "p10": "p10", "p25": "p25", "median": "median", "p75": "p75", "p90": "p90", "max": "max",
        "forfeits": "forfeits and forced bands", "score": "score", "reason": "band reason", "id": "id",
        "more people": "{shown} of {total} people shown.",
    },
    "zh": {
        "headcount": "人数", "ranked": "参与排名", "amount": "金额", "total": "合计",
        "people": "人数", "bands": "档位", "band": "档位", "lowest score": "最低分",
        "highest score": "最高分", "not ranked": "（未排名）", "by": "按{groups}",
        "score distribution": "得分分布（最近秩）", "forfeited by": "{id}（{label}）没收",
        "forfeited": "没收金额", "warning": "警告",
        "min": "最低", "p10": "第10百分位", "p25": "第25百分位", "median": "中位数", "p75": "第75百分位",
        "p90": "第90百分位", "max": "最高",
        "forfeits": "没收与强制档位", "score": "得分", "reason": "定档原因", "id": "工号",
        "more people": "共 {total} 人，显示 {shown} 人。",
    },
}


def word(lang: str, key: str, **kw: object) -> str:
    """The text of ``key`` in ``lang`` (English when the language or the key is unknown)."""
    text = WORDS.get(lang, WORDS["en"]).get(key) or WORDS["en"][key]
    return text.format(**kw) if kw else text
