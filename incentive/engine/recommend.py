"""Stage 11: recommendations -- ordered rules ``when`` → action.

Recommendations are not decisions: each carries its reason, next steps and
the evidence (the values of every quantity its rule read, for this person
and period). A person can receive several, in rule order. Bottom-band rules
lead to improvement plans; exit review requires history (the
``exit-without-history`` check refuses a rule that would raise it from one
period's rank alone), and an exit-type rule passes the guards of
``exit_guard`` (protected statuses → ``legal_review``; no earlier
improvement step → the improvement action) before its action is listed.
"""

from __future__ import annotations

import polars as pl

from incentive.engine import exit_guard, guard_text
from incentive.engine.context import Work, history_column
from incentive.engine.evidence import evidence_of
from incentive.policy import names
from incentive.policy.expr.checked import CheckedExpr
from incentive.policy.actions import is_exit
from incentive.policy.model import label_text

SEP = "; "


def add_rules(work: Work) -> None:
    """One boolean column per rule, and the list of actions per person."""
    rules = work.policy.recommendations
    for rule in rules:
        path = names.expr_path(names.RECOMMENDATIONS, rule.id, names.WHEN)
        column = names.step(rule.id, names.WHEN)
        work.add({column: work.expr(path).fill_null(False)}, "step", paths={column: path},
                 owner=rule.id, stage=names.item_path(names.RECOMMENDATIONS, rule.id))
    exit_guard.run(work)
    actions: list[pl.Expr] = []
    for r in rules:
        fired_now = pl.col(names.step(r.id, names.WHEN))
        if not is_exit(r):
            actions.append(pl.when(fired_now).then(pl.lit(r.action)))
            continue
        raised = pl.col(exit_guard.action_column(r.id))
        # a replacement an earlier rule already raised (improvement_plan twice) is listed once
        again = (pl.any_horizontal([a == raised for a in actions]).fill_null(False) if actions else pl.lit(False))
        actions.append(pl.when(fired_now & ~((raised != pl.lit(r.action)) & again)).then(raised))
    work.add({"recommendations": pl.concat_str(actions, separator=SEP, ignore_nulls=True) if actions else pl.lit("")},
             "recommendation", stage="recommendations")


def fired(work: Work, frame: pl.DataFrame, lang: str = "en") -> pl.DataFrame:
    """One row per (person, rule that fired), with reason and evidence."""
    parts = [EMPTY]
    for order, rule in enumerate(work.policy.recommendations):
        checked_expr = work.checked.exprs[names.expr_path(names.RECOMMENDATIONS, rule.id, names.WHEN)]
        hits = _hits(work, frame, rule.id, checked_expr)
        if not hits.height:
            continue
        evidence = evidence_of(work, hits, checked_expr)
        action, reason, replaces = pl.lit(rule.action), pl.lit(label_text(rule.reason, lang)), pl.lit("")
        if is_exit(rule):
            guarded = guard_text.Guarded(work, hits, rule, lang)
            action, reason, replaces, evidence = guarded.action, guarded.reason(reason), guarded.replaces, \
                guarded.evidence(evidence)
        parts.append(hits.select(
            pl.col(work.id_col).cast(pl.String).alias("employee_id"),
            pl.lit(order, dtype=pl.Int64).alias("order"),
            pl.lit(rule.id).alias("rule"),
            action.alias("action"),
            reason.alias("reason"),
            pl.lit(SEP.join(rule.next_steps)).alias("next_steps"),
            pl.lit(rule.when.text).alias("condition"),
            evidence.alias("evidence"),
            replaces.alias("replaces"),
        ))
    return pl.concat(parts).sort("employee_id", "order")


EMPTY = pl.DataFrame(schema={"employee_id": pl.String, "order": pl.Int64, "rule": pl.String, "action": pl.String,
                             "reason": pl.String, "next_steps": pl.String, "condition": pl.String,
                             "evidence": pl.String, "replaces": pl.String})


def _hits(work: Work, frame: pl.DataFrame, rule_id: str, checked_expr: CheckedExpr) -> pl.DataFrame:
    """The rows where the rule fired, with only the columns its evidence can read (not the whole frame)."""
    read = [work.id_col, *sorted(checked_expr.refs), *guard_text.columns_read(work, rule_id)]
    read += [history_column(n, k) for n in sorted(checked_expr.history_refs) for k in range(1, work.ctx.history_depth + 1)]
    keep = [n for n in dict.fromkeys(read) if n in frame.columns]
    return frame.lazy().filter(pl.col(names.step(rule_id, names.WHEN))).select(keep).collect()
