"""Stage 8: budgets -- scale components down pro rata to fit an amount.

When the sum of a budget's components in a group exceeds the budget, every
amount is scaled by ``budget / sum`` and rounded so that the scaled amounts
sum *exactly* to the budget: each is first rounded down to the money
precision, then the cents still missing go, one each, to the amounts with
the largest remainders (ties: lower employee id first, then component order
in the file) -- the largest-remainder method. Groups within budget are left
untouched. The budget amount is evaluated for each member and must be the
same for everyone in the group. Budgets apply to non-negative amounts.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from incentive.engine.context import Work
from incentive.engine.results import ColumnInfo
from incentive.errors import EvaluationError
from incentive.numeric import DTYPE, lit, round_expr
from incentive.policy import names
from incentive.policy.model import Budget

GROUP = "__budget_group"


def run(work: Work) -> None:
    for budget in work.policy.budgets:
        _apply(work, budget)


def _apply(work: Work, budget: Budget) -> None:
    money = work.policy.money
    bid = budget.id
    comps = list(budget.components) or [p.id for p in work.policy.payouts]
    keys = list(budget.by)
    stage = names.item_path(names.BUDGETS, bid)
    amount_path = names.expr_path(names.BUDGETS, bid, names.AMOUNT)
    amount_col, factor_col = names.step(bid, names.AMOUNT), names.step(bid, names.FACTOR)
    amount = round_expr(work.expr(amount_path).cast(DTYPE), money.decimals, "down")
    work.add({amount_col: amount}, "step", paths={amount_col: amount_path}, owner=bid, stage=stage)
    frame = work.materialize(stage)
    group = pl.concat_str([pl.col(k).cast(pl.String).fill_null("") for k in keys], separator="\x1f") if keys else pl.lit("")
    frame = frame.with_columns(group.alias(GROUP))
    varying = frame.group_by(GROUP).agg(pl.col(amount_col).n_unique().alias("n")).filter(pl.col("n") > 1)
    if varying.height:
        raise EvaluationError(f"{amount_path}: the budget differs between members of one group "
                              f"({varying.height} group(s)); it must be one amount per group {keys or '(everyone)'}")
    negative = frame.filter(pl.any_horizontal([pl.col(c) < lit(0) for c in comps]))
    if negative.height:
        ids = ", ".join(map(str, negative.get_column(work.id_col).head(5).to_list()))
        raise EvaluationError(f"{stage}: budgets scale non-negative amounts; negative component for {ids}")

    unit = lit(Decimal(1).scaleb(-money.decimals))
    order = {c: i for i, c in enumerate(comps)}
    long = frame.select(work.id_col, GROUP, amount_col, *comps).unpivot(
        index=[work.id_col, GROUP, amount_col], on=comps, variable_name="__comp", value_name="__amt"
    ).with_columns(pl.col("__comp").replace_strict(order, return_dtype=pl.Int64).alias("__comp_i"))
    budget_col = pl.col(amount_col)
    total = pl.col("__amt").sum().over(GROUP)
    over = total > budget_col
    safe_total = pl.when(total == lit(0)).then(lit(1)).otherwise(total)
    exact = pl.col("__amt") * budget_col / safe_total
    factor = pl.when(over).then(budget_col / safe_total).otherwise(lit(1)).cast(DTYPE)
    long = long.with_columns(over.alias("__over"), exact.alias("__exact"), factor.alias("__factor"))
    long = long.with_columns(round_expr(pl.col("__exact"), money.decimals, "down").alias("__floor"))
    long = long.with_columns((pl.col("__exact") - pl.col("__floor")).alias("__rem"))
    missing = ((budget_col - pl.col("__floor").sum().over(GROUP)) / unit).round(0).cast(pl.Int64)
    position = pl.struct(
        (-pl.col("__rem")).alias("r"), pl.col(work.id_col).cast(pl.String).alias("i"), pl.col("__comp_i").alias("c")
    ).rank("ordinal").over(GROUP)
    long = long.with_columns(missing.alias("__missing"), position.alias("__pos"))
    final = pl.when(pl.col("__over")).then(
        pl.col("__floor") + pl.when(pl.col("__pos") <= pl.col("__missing")).then(unit).otherwise(lit(0))
    ).otherwise(pl.col("__amt")).cast(DTYPE)
    long = long.with_columns(final.alias("__final"))
    wide = long.pivot(on="__comp", index=work.id_col, values="__final")
    factors = long.group_by(work.id_col).agg(pl.col("__factor").first().alias(factor_col))
    renamed = {c: f"__new_{c}" for c in comps}
    work.frame = (frame.drop(GROUP).lazy().with_columns(**{names.pre_budget(c, bid): pl.col(c) for c in comps})
                  .join(wide.rename(renamed).lazy(), on=work.id_col, how="left", maintain_order="left")
                  .join(factors.lazy(), on=work.id_col, how="left", maintain_order="left")
                  .with_columns(**{c: pl.col(f"__new_{c}") for c in comps})
                  .drop(list(renamed.values())))
    work.columns[factor_col] = ColumnInfo(factor_col, "step", None, False, bid)
    for c in comps:
        work.columns[names.pre_budget(c, bid)] = ColumnInfo(names.pre_budget(c, bid), "step", None, True, c)
