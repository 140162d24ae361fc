"""Stage 7: payout components, in file order.

For each component, in this order:

1. gross: ``base`` through its tier table, or the ``amount`` expression, or
   the ``base`` itself;
2. × the band factor (``band_factor: {A: 1.5, …}``; people without a band get
   the ``unranked`` factor, default 1);
3. × ``prorate`` (e.g. active days / period days);
4. raised to ``floor``, then limited to ``cap`` (the cap wins);
5. zero unless ``gate`` is true (a null gate is not true);
6. rounded to the money decimals with the policy's rounding mode.

Each step is kept as a column ``<id>.<step>`` for ``explain`` and the audit.
A later component may read an earlier one by its id.
"""

from __future__ import annotations

import polars as pl

from incentive.engine.context import Work
from incentive.engine.tiers import tier_amount
from incentive.numeric import DTYPE, lit, round_expr
from incentive.policy.model import Payout


def run(work: Work) -> None:
    for payout in work.policy.payouts:
        _component(work, payout)


def _component(work: Work, p: Payout) -> None:
    pid, path, money = p.id, f"payouts.{p.id}", work.policy.money
    col = lambda step: pl.col(f"{pid}.{step}")  # noqa: E731

    inputs: dict[str, pl.Expr] = {}
    if work.has(f"{path}.base"):
        inputs["base"] = work.expr(f"{path}.base").cast(DTYPE)
    if p.tiers is not None and work.has(f"{path}.tiers.basis"):
        inputs["basis"] = work.expr(f"{path}.tiers.basis").cast(DTYPE)
    _steps(work, p, inputs)

    if p.tiers is not None and "base" in inputs:
        gross = tier_amount(p.tiers.mode, p.tiers.table, col("base"), col("basis") if "basis" in inputs else None)
    elif work.has(f"{path}.amount"):
        gross = work.expr(f"{path}.amount").cast(DTYPE)
    elif "base" in inputs:
        gross = col("base")
    else:
        gross = lit(0)
    adjust: dict[str, pl.Expr] = {"gross": gross.fill_null(lit(0))}
    if p.by_band:
        chain = pl.when(pl.col("band").is_null()).then(lit(p.by_band.get("unranked", 1)))
        for band, coef in p.by_band.items():
            chain = chain.when(pl.col("band") == band).then(lit(coef))
        adjust["factor"] = chain.otherwise(lit(1))
    if work.has(f"{path}.prorate"):
        adjust["prorate"] = work.expr(f"{path}.prorate").cast(DTYPE)
    for step in ("floor", "cap"):
        if work.has(f"{path}.{step}"):
            adjust[step] = work.expr(f"{path}.{step}").cast(DTYPE)
    if work.has(f"{path}.gate"):
        adjust["gate"] = work.expr(f"{path}.gate").fill_null(False)
    _steps(work, p, adjust)

    value = col("gross")
    if "factor" in adjust:
        value = value * col("factor")
    if "prorate" in adjust:
        value = value * col("prorate")
    if "floor" in adjust:
        value = pl.max_horizontal(value, col("floor"))
    if "cap" in adjust:
        value = pl.min_horizontal(value, col("cap"))
    if "gate" in adjust:
        value = pl.when(col("gate")).then(value).otherwise(lit(0))
    amount = round_expr(value.fill_null(lit(0)), money.decimals, money.rounding)
    work.add({pid: amount}, "payout", money=True, stage=path)


def _steps(work: Work, p: Payout, steps: dict[str, pl.Expr]) -> None:
    """Add ``<id>.<step>`` columns, each linked to the expression it shows."""
    if not steps:
        return
    path = f"payouts.{p.id}"
    paths = {}
    for step in steps:
        key = f"{path}.tiers.basis" if step == "basis" else f"{path}.{step}"
        if work.has(key):
            paths[f"{p.id}.{step}"] = key
    work.add({f"{p.id}.{s}": e for s, e in steps.items()}, "step", paths=paths, owner=p.id, stage=path)
