"""What ``recommendations.csv`` says for an exit-type rule after its guards (``exit_guard``).

A replaced action keeps its rule's row, with the action raised instead, a
reason naming why (the protected status and its article, or the missing
improvement step), the values that decided it in the evidence, and the
withheld action in ``replaces``. Text is in the run's language (en / zh).
"""

from __future__ import annotations

import polars as pl

from incentive.engine import exit_guard
from incentive.engine.context import Work
from incentive.engine.evidence import evidence_of
from incentive.policy import names
from incentive.policy.actions import LEGAL_REVIEW, improvement_actions
from incentive.policy.model import Recommendation, label_text


def columns_read(work: Work, rule_id: str) -> list[str]:
    """The guard columns an exit-type rule's row reads (none for another rule)."""
    action = exit_guard.action_column(rule_id)
    if action not in work.columns:
        return []
    read = [action, exit_guard.EARLIER]
    for g in work.policy.protected:
        read.append(exit_guard.protected_column(g.id))
        read += sorted(work.checked.exprs[names.expr_path(names.PROTECTED, g.id, names.WHEN)].refs)
    return read


class Guarded:
    """The row texts of one exit-type rule over the rows where it fired."""

    def __init__(self, work: Work, hits: pl.DataFrame, rule: Recommendation, lang: str) -> None:
        self.work, self.hits, self.rule, self.zh = work, hits, rule, lang.startswith("zh")
        self.action = pl.col(exit_guard.action_column(rule.id))
        self.is_legal = self.action == pl.lit(LEGAL_REVIEW)
        self.is_replaced = self.action != pl.lit(rule.action)
        self.replaces = pl.when(self.is_replaced).then(pl.lit(rule.action)).otherwise(pl.lit(""))

    def _statuses(self) -> pl.Expr:
        """``pregnancy, maternity or nursing (劳动合同法第四十二条(四))`` for each status that holds."""
        parts = []
        for g in self.work.policy.protected:
            text = label_text(g.reason, "zh" if self.zh else "en", label_text(g.label, "zh" if self.zh else "en", g.id))
            if g.article:
                text += f"（{g.article}）" if self.zh else f" ({g.article})"
            parts.append(pl.when(pl.col(exit_guard.protected_column(g.id))).then(pl.lit(text)))
        return pl.concat_str(parts, separator="; ", ignore_nulls=True) if parts else pl.lit("")

    def reason(self, own: pl.Expr) -> pl.Expr:
        """The rule's own reason, unless the action was replaced: then why."""
        a = self.rule.action
        if self.zh:
            legal = pl.concat_str(pl.lit("受保护状态："), self._statuses(),
                                  pl.lit(f"。不发出 {a}，须先经法律审查（本产品不作法律决定）"))
            steps = "、".join(improvement_actions(self.work.policy))
            before = pl.lit(f"此前已结期间的记录中没有改进措施（{steps}）：{a} 须在改进措施之后"
                            "（劳动合同法第四十条(二)：先培训或调整工作岗位），因此先建议改进措施")
        else:
            legal = pl.concat_str(pl.lit("protected status: "), self._statuses(),
                                  pl.lit(f"; {a} is not emitted, a legal review comes first (the product makes no"
                                         " legal decision)"))
            steps = ", ".join(improvement_actions(self.work.policy))
            before = pl.lit(f"no earlier improvement action ({steps}) in the recorded periods before this one: {a}"
                            " must follow one (Labour Contract Law Art. 40(2): training or a change of post first),"
                            " so the improvement action is recommended instead")
        return pl.when(self.is_legal).then(legal).when(self.is_replaced).then(before).otherwise(own)

    def evidence(self, own: pl.Expr) -> pl.Expr:
        """The rule's evidence, then which protection held (with the values it read) or the missing step."""
        parts = [pl.when(own != pl.lit("")).then(own)]
        for g in self.work.policy.protected:
            checked = self.work.checked.exprs[names.expr_path(names.PROTECTED, g.id, names.WHEN)]
            read = evidence_of(self.work, self.hits, checked)
            parts.append(pl.when(self.is_legal & pl.col(exit_guard.protected_column(g.id)))
                         .then(pl.concat_str(pl.lit(f"protected={g.id} ("), read, pl.lit(")"))))
        depth = self.work.ctx.history_depth
        none = f"earlier_improvement=none ({depth} earlier period{'s' if depth != 1 else ''} read)"
        parts.append(pl.when(~self.is_legal & self.is_replaced).then(pl.lit(none)))
        return pl.concat_str(parts, separator=", ", ignore_nulls=True)
