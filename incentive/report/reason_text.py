"""``band_reason`` in Chinese, for what a person reads (explain, the report).

The engine writes one English sentence per case (``engine/band_reasons.py``,
kept in English in the CSV/Parquet record so the audit bytes never depend
on ``--lang``). Displays under ``--lang zh`` rewrite those sentences here;
ids (bands, penalties, group values) are kept as they are. A sentence not
recognised is shown unchanged.
"""

from __future__ import annotations

import re
from typing import Callable

_BY = {"a veto": "一票否决"}  # the engine's word when no penalty id is known
_POS = {"top": "前", "next": "其后", "bottom": "末", "all": "全部"}


def _where(text: str) -> str:
    text = re.sub(r"^\(pooled: (.*)\)$", r"（合并组：\1）", text)
    return {"everyone": "全体", "the whole population": "全体"}.get(text, text)


_NORMAL = r"(top|next|bottom|all) (\S+) in (.+?): band (\S+) \((\d+) of (\d+) seats\)"
_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^forced to band (.+?) by (.+)$"), lambda m: f"被 {_BY.get(m[2], m[2])} 强制定为 {m[1]} 档"),
    (re.compile(r"^not eligible: (.+)$"), lambda m: f"不参与排名：{m[1]}"),
    (re.compile(r"^not eligible$"), lambda m: "不参与排名"),
    (re.compile(r"^no ranking value$"), lambda m: "无排名依据值"),
    (re.compile(r"^no ranking in this policy$"), lambda m: "该方案无排名"),
    (re.compile(rf"^{_NORMAL}; (\d+) people tied across a cutoff, all kept in band (\S+)$"),
     lambda m: (f"{_where(m[3])} {_POS[m[1]]} {m[2]}：{m[4]} 档（{m[6]} 个名额中的 {m[5]} 个）；"
                f"{m[7]} 人在分档线上并列，均保留在 {m[8]} 档")),
    (re.compile(rf"^{_NORMAL}$"),
     lambda m: f"{_where(m[3])} {_POS[m[1]]} {m[2]}：{m[4]} 档（{m[6]} 个名额中的 {m[5]} 个）"),
    (re.compile(r"^group too small \((\d+) < min_group (\d+)\), exempt: no band in (.+)$"),
     lambda m: f"组人数过少（{m[1]} < min_group {m[2]}），豁免：{_where(m[3])} 不定档"),
    (re.compile(r"^guard of band (\S+) \((.*)\) not met and no other band admits this person, in (.+)$"),
     lambda m: f"不满足 {m[1]} 档的条件（{m[2]}），且没有其他档位可容纳，{_where(m[3])}"),
    (re.compile(r"^guard of band (\S+) \((.*)\) not met, moved (up|down) to band (\S+), in (.+)$"),
     lambda m: f"不满足 {m[1]} 档的条件（{m[2]}），{'上调' if m[3] == 'up' else '下调'}至 {m[4]} 档，{_where(m[5])}"),
]


def band_reason(text: object, lang: str) -> str:
    """``text`` (an engine band reason) in ``lang``; unchanged for English or an unknown sentence."""
    s = "" if text is None else str(text)
    if lang != "zh":
        return s
    for pattern, build in _RULES:
        m = pattern.match(s)
        if m:
            return build(m)
    return s
