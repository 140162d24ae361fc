"""Stage 11: recommendations -- ordered rules ``when`` → action.

Recommendations are not decisions: each carries its reason, next steps and
the evidence (the values of every quantity its rule read, for this person
and period). A person can receive several, in rule order. Bottom-band rules
lead to improvement plans; exit review requires history (the
``exit-without-history`` check refuses a rule that would raise it from one
period's rank alone).
"""

from __future__ import annotations

import polars as pl

from incentive.engine.context import Work, history_column
from incentive.numeric import DTYPE
from incentive.policy import names
from incentive.policy.expr.checked import CheckedExpr
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
    actions = [pl.when(pl.col(names.step(r.id, names.WHEN))).then(pl.lit(r.action)) for r in rules]
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
        parts.append(hits.select(
            pl.col(work.id_col).cast(pl.String).alias("employee_id"),
            pl.lit(order, dtype=pl.Int64).alias("order"),
            pl.lit(rule.id).alias("rule"),
            pl.lit(rule.action).alias("action"),
            pl.lit(label_text(rule.reason, lang)).alias("reason"),
            pl.lit(SEP.join(rule.next_steps)).alias("next_steps"),
            pl.lit(rule.when.text).alias("condition"),
            _evidence(work, hits, checked_expr).alias("evidence"),
        ))
    return pl.concat(parts).sort("employee_id", "order")


EMPTY = pl.DataFrame(schema={"employee_id": pl.String, "order": pl.Int64, "rule": pl.String, "action": pl.String,
                             "reason": pl.String, "next_steps": pl.String, "condition": pl.String,
                             "evidence": pl.String})


def _hits(work: Work, frame: pl.DataFrame, rule_id: str, checked_expr: CheckedExpr) -> pl.DataFrame:
    """The rows where the rule fired, with only the columns its evidence can read (not the whole frame)."""
    read = [work.id_col, *sorted(checked_expr.refs)]
    read += [history_column(n, k) for n in sorted(checked_expr.history_refs) for k in range(1, work.ctx.history_depth + 1)]
    keep = [n for n in dict.fromkeys(read) if n in frame.columns]
    return frame.lazy().filter(pl.col(names.step(rule_id, names.WHEN))).select(keep).collect()


def _evidence(work: Work, frame: pl.DataFrame, checked_expr: CheckedExpr) -> pl.Expr:
    """``band=C, band@-1=C, band@-2=C``: every value the rule read."""
    parts: list[pl.Expr] = []
    for name in sorted(checked_expr.refs):
        if name in frame.columns:
            parts.append(pl.concat_str(pl.lit(f"{name}="), _text(frame.schema[name], pl.col(name))))
    for name in sorted(checked_expr.history_refs):
        for k in range(1, work.ctx.history_depth + 1):
            col = history_column(name, k)
            if col in frame.columns and frame.get_column(col).null_count() < frame.height:
                value = pl.col(col)
                parts.append(pl.when(value.is_not_null()).then(
                    pl.concat_str(pl.lit(f"{name}@-{k}="), _text(frame.schema[col], value))))
    return pl.concat_str(parts, separator=", ", ignore_nulls=True) if parts else pl.lit("")


def _text(dtype: pl.DataType, expr: pl.Expr) -> pl.Expr:
    """A value as evidence text: decimals without trailing zeros, null as 'none'."""
    as_text = normalize_decimal_text(expr) if isinstance(dtype, pl.Decimal) else expr.cast(pl.String)
    return pl.when(expr.is_null()).then(pl.lit("none")).otherwise(as_text)


def normalize_decimal_text(expr: pl.Expr) -> pl.Expr:
    """``1.500000000000`` → ``1.5``, ``100.000000000000`` → ``100``."""
    s = expr.cast(DTYPE).cast(pl.String)
    return s.str.replace(r"(\.\d*?)0+$", "$1").str.replace(r"\.$", "")
