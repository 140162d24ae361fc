"""Stage 2: derived values and group aggregates, in dependency order.

Derived values and aggregates form one dependency graph (a team's
attainment is a derived value over two aggregates), so they are computed
in the checked order. An aggregate is computed once per group and given to
every member: the group's ``sum | mean | min | max | median | count`` of an
expression, optionally only over members where ``where`` holds. Nulls are
ignored; ``mean`` is the exact decimal ``sum / count``; ``median`` is the
exact middle value (the mean of the two middle values for an even count).
"""

from __future__ import annotations

import polars as pl

from incentive.engine.context import Work
from incentive.policy.expr.types import T
from incentive.engine.results import ColumnInfo
from incentive.numeric import DTYPE, lit, round_expr
from incentive.policy import names
from incentive.policy.model import Aggregate


def run(work: Work) -> None:
    policy = work.policy
    derived = {d.id: d for d in policy.derived}
    aggregates = {a.id: a for a in policy.aggregates}
    for name in work.checked.order:
        if name in derived:
            d = derived[name]
            path = names.item_path(names.DERIVED, name)
            value = work.expr(path)
            if d.decimals is not None:
                value = round_expr(value, d.decimals, "half_up")
            work.add({name: value}, "derived", paths={name: path}, stage=path, money=_is_money(work, name))
        else:
            _aggregate(work, aggregates[name])


def _aggregate(work: Work, agg: Aggregate) -> None:
    name = agg.id
    keys = list(agg.by)
    of_path = names.expr_path(names.AGGREGATES, name, names.OF)
    where_path = names.expr_path(names.AGGREGATES, name, names.WHERE)
    member: pl.Expr | None
    if agg.func == "count":
        of = work.expr(of_path) if work.has(of_path) else pl.col(work.id_col).is_not_null()
        member = of.fill_null(False)
    else:
        member = None
        of = work.expr(of_path)
    if work.has(where_path):
        where = work.expr(where_path).fill_null(False)
        member = where if member is None else (member & where)
    if agg.func == "count":
        assert member is not None  # a count always has its membership (``of``, or everyone)
        values = pl.when(member).then(lit(1)).otherwise(None)
    elif member is not None:
        values = pl.when(member).then(of).otherwise(None)
    else:
        values = of
    if agg.func == "median":
        _median(work, name, values.cast(DTYPE), keys)
    else:
        work.frame = work.frame.with_columns(_window(values.cast(DTYPE), agg.func, keys).alias(name))
    work.columns[name] = ColumnInfo(name, "aggregate", of_path, _is_money(work, name))


def _is_money(work: Work, name: str) -> bool:
    return work.ctx.types.get(name) == T.MONEY


def _window(values: pl.Expr, func: str, keys: list[str]) -> pl.Expr:
    """The group's value on every member's row (a window, no join)."""
    n = values.count()
    if func in ("sum", "count"):
        agg = values.sum()
    elif func == "mean":
        agg = pl.when(n > 0).then(values.sum() / n.cast(DTYPE)).otherwise(None)
    elif func == "min":
        agg = values.min()
    elif func == "max":
        agg = values.max()
    else:
        raise ValueError(f"unknown aggregate {func!r}")
    return (agg.over(keys) if keys else agg).cast(DTYPE)


def _median(work: Work, name: str, values: pl.Expr, keys: list[str]) -> None:
    """Exact median: the middle value, or the mean of the two middle values."""
    tmp = "__agg_value"
    work.frame = work.frame.with_columns(values.alias(tmp))
    c = pl.col(tmp)
    n = c.count()
    ordered = c.drop_nulls().sort()
    lower = ordered.get(((n - 1) // 2).clip(0))
    upper = ordered.get((n // 2).clip(0))
    agg = pl.when(n > 0).then((lower + upper) / lit(2)).otherwise(None).cast(DTYPE).alias(name)
    if keys:
        grouped = work.frame.group_by(keys).agg(agg)
        work.frame = work.frame.join(grouped, on=keys, how="left", nulls_equal=True, maintain_order="left")
    else:
        work.frame = work.frame.join(work.frame.select(agg), how="cross")
    work.frame = work.frame.drop(tmp)
