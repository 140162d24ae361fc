"""Tier tables: marginal, step and linear, as column-wise polars expressions.

The semantics follow OpenFisca's tax scales:

- ``marginal`` (like tax brackets, ``MarginalRateTaxScale``): each slice of
  the basis inside a tier earns that tier's rate. When the basis is the base
  itself this is ``Σ rate × slice``. When the basis is another quantity
  (commission on revenue, tiered by attainment), each slice of the basis
  stands for the same share of the base: ``base × Σ(rate × slice) / basis``
  -- revenue up to 100% attainment at 3%, the revenue between 100% and 150%
  at 5%, and so on.
- ``step`` (retroactive, ``SingleAmountTaxScale``): the tier containing the
  basis sets the rate (or fixed ``amount``) for the whole base.
- ``linear``: the rate is interpolated between the tiers' points, clamped
  to the first and last rate outside them.

Tiers are lower-bound inclusive; the last is open-ended. Below the first
tier nothing is paid (``tiers-start`` warns about such tables).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from incentive.numeric import DTYPE, lit, py_div, py_mul, to_dec
from incentive.policy.model import Tier, TierMode


def tier_amount(mode: TierMode, table: tuple[Tier, ...], base: pl.Expr, basis: pl.Expr | None) -> pl.Expr:
    """The unrounded amount a tier table pays for every row."""
    if mode == "marginal":
        return _marginal(table, base, basis)
    if mode == "step":
        return _step(table, base, basis if basis is not None else base)
    if mode == "linear":
        return base * _linear_rate(table, basis if basis is not None else base)
    raise ValueError(f"unknown tier mode {mode!r}")


def _marginal(table: tuple[Tier, ...], base: pl.Expr, basis: pl.Expr | None) -> pl.Expr:
    x = base if basis is None else basis
    zero = lit(0)
    weighted = zero
    for i, tier in enumerate(table):
        lower = lit(tier.start)
        if i + 1 < len(table):
            top = pl.min_horizontal(x, lit(table[i + 1].start))
        else:
            top = x
        width = pl.max_horizontal(top - lower, zero)
        weighted = weighted + width * lit(tier.rate or 0)
    if basis is None:
        return weighted.cast(DTYPE)
    safe_basis = pl.when(basis == zero).then(lit(1)).otherwise(basis)
    return pl.when(basis <= zero).then(zero).otherwise(base * weighted / safe_basis).cast(DTYPE)


def _step(table: tuple[Tier, ...], base: pl.Expr, basis: pl.Expr) -> pl.Expr:
    chain = None
    for tier in reversed(table):  # highest tier first: the first match wins
        value = lit(tier.amount) if tier.amount is not None else base * lit(tier.rate or 0)
        cond = basis >= lit(tier.start)
        chain = pl.when(cond).then(value) if chain is None else chain.when(cond).then(value)
    assert chain is not None, "a tier table has at least one tier (schema)"
    return chain.otherwise(lit(0)).cast(DTYPE)


def _linear_rate(table: tuple[Tier, ...], basis: pl.Expr) -> pl.Expr:
    points = [(t.start, t.rate or Decimal(0)) for t in table]
    return interpolate(points, basis)


def interpolate(points: list[tuple[Decimal, Decimal]], x: pl.Expr) -> pl.Expr:
    """Piecewise-linear through ``points`` (ascending x), clamped at both ends."""
    if len(points) == 1:
        return lit(points[0][1])
    first_x, first_y = points[0]
    last_x, last_y = points[-1]
    chain = pl.when(x <= lit(first_x)).then(lit(first_y))
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        slope_num = to_dec(y1) - to_dec(y0)
        span = to_dec(x1) - to_dec(x0)
        # y0 + (y1 - y0) * (x - x0) / (x1 - x0), multiply first for exactness
        chain = chain.when(x <= lit(x1)).then(lit(y0) + (x - lit(x0)) * lit(slope_num) / lit(span))
    return chain.otherwise(lit(last_y)).cast(DTYPE)


# ---------------------------------------------------------------- for explain


@dataclass(frozen=True)
class Slice:
    """One tier's share of a marginal computation, for ``explain``."""

    lower: Decimal
    upper: Decimal | None
    rate: Decimal
    width: Decimal  # part of the basis inside this tier
    amount: Decimal  # what this slice pays (before rounding)


def marginal_slices(table: tuple[Tier, ...], base: Decimal, basis: Decimal | None) -> list[Slice]:
    """The same computation as ``_marginal`` for one person, slice by slice."""
    x = base if basis is None else basis
    out: list[Slice] = []
    for i, tier in enumerate(table):
        upper = table[i + 1].start if i + 1 < len(table) else None
        top = x if upper is None else min(x, to_dec(upper))
        width = max(top - to_dec(tier.start), Decimal(0))
        rate = to_dec(tier.rate or 0)
        if basis is None:
            amount = py_mul(width, rate)
        elif basis <= 0:
            amount = Decimal(0)
        else:
            amount = py_div(py_mul(base, py_mul(width, rate)), basis)
        out.append(Slice(to_dec(tier.start), None if upper is None else to_dec(upper), rate, width, amount))
    return out


def step_tier(table: tuple[Tier, ...], basis: Decimal) -> Tier | None:
    """The tier whose range contains ``basis`` (None below the first)."""
    chosen = None
    for tier in table:
        if basis >= tier.start:
            chosen = tier
    return chosen
