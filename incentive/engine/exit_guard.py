"""The guards on exit-type recommendations (part of stage 11).

An exit-type action (``exit_review``, or a rule marked ``kind: exit``) is the
riskiest thing the product outputs, so two rules of Chinese labour law are
applied before it is emitted:

* a person in a **protected status** (Labour Contract Law Art. 42: pregnancy,
  maternity, nursing, medical treatment ...) never gets it: the action becomes
  ``legal_review``, naming the status and the article;
* without an **earlier improvement step** (Art. 40(2): training or a change of
  post) -- an improvement-type action in the recorded recommendations of an
  earlier closed period -- it becomes the policy's improvement action.

Columns added (steps, kept in the audit record): ``protected.<id>`` per
protected status, ``recommendations.earlier_improvement``, and
``<rule>.action`` for every exit-type rule: the action it finally raised.
"""

from __future__ import annotations

import polars as pl

from incentive.engine.context import Work, history_column
from incentive.policy import names
from incentive.policy.actions import LEGAL_REVIEW, improvement_action, improvement_actions, is_exit

SEP = "; "
EARLIER = names.step(names.RECOMMENDATIONS, names.EARLIER_IMPROVEMENT)


def protected_column(protection_id: str) -> str:
    """``protected.pregnancy``: does that protected status hold for the person?"""
    return names.step(names.PROTECTED, protection_id)


def action_column(rule_id: str) -> str:
    """``exit_review.action``: the action an exit-type rule raised after the guards."""
    return names.step(rule_id, names.ACTION)


def run(work: Work) -> None:
    """Add the guard columns; ``<rule>.when`` columns must exist already."""
    policy = work.policy
    rules = [r for r in policy.recommendations if is_exit(r)]
    if not rules:
        return
    for g in policy.protected:
        path = names.expr_path(names.PROTECTED, g.id, names.WHEN)
        column = protected_column(g.id)
        work.add({column: work.expr(path).fill_null(False)}, "step", paths={column: path}, owner=g.id,
                 stage=names.item_path(names.PROTECTED, g.id))
    work.add({EARLIER: _earlier_improvement(work)}, "step", stage="recommendations")
    protected = (pl.any_horizontal([pl.col(protected_column(g.id)) for g in policy.protected])
                 if policy.protected else pl.lit(False))
    fallback = improvement_action(policy)
    work.add({action_column(r.id): pl.when(pl.col(names.step(r.id, names.WHEN)))
              .then(pl.when(protected).then(pl.lit(LEGAL_REVIEW))
                    .when(~pl.col(EARLIER)).then(pl.lit(fallback))
                    .otherwise(pl.lit(r.action)))
              for r in rules}, "step", stage="recommendations")


def _earlier_improvement(work: Work) -> pl.Expr:
    """True when some earlier closed period recorded an improvement-type action for the person."""
    wanted = list(improvement_actions(work.policy))
    seen = [pl.col(history_column(names.RECOMMENDATIONS, k)).str.split(SEP)
            .list.eval(pl.element().str.strip_chars().is_in(wanted)).list.any()
            for k in range(1, work.ctx.history_depth + 1)]
    if not seen:
        return pl.lit(False)
    return pl.any_horizontal(seen).fill_null(False)
