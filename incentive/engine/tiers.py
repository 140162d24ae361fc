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
- ``linear``: the rate is interpolated between the tiers' points; above the
  last point the last rate holds.

Tiers are lower-bound inclusive; the last is open-ended. Below the first
tier nothing is paid, in every mode -- like an OpenFisca marginal scale,
which starts at its first threshold (``tiers-start`` warns about such
tables; a basis exactly at the first ``from`` is inside the first tier).
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

import polars as pl

from incentive.numeric import DTYPE, factor, lit, py_div, py_mul, to_dec

if TYPE_CHECKING:  # polars' when-chain classes are for annotations only
    from polars.expr.whenthen import ChainedThen, Then
from incentive.policy.model import Tier, TierMode


def tier_amount(mode: TierMode, table: tuple[Tier, ...], base: pl.Expr, basis: pl.Expr | None) -> pl.Expr:
    """The unrounded amount a tier table pays for every row."""
    if mode == "marginal":
        return _marginal(table, base, basis)
    if mode == "step":
        return _step(table, base, basis if basis is not None else base)
    if mode == "linear":
        x = basis if basis is not None else base
        below_first = x < lit(to_dec(table[0].start))
        return pl.when(below_first).then(lit(0)).otherwise(base * _linear_rate(table, x)).cast(DTYPE)
    raise ValueError(f"unknown tier mode {mode!r}")


def _select(x: pl.Expr, starts: list[Decimal], values: Sequence[Decimal | None]) -> pl.Expr:
    """The constant of the last tier whose start is <= x (null below the first).

    Only literals are selected, so the arithmetic that follows runs once per
    row instead of once per tier.
    """
    chain: Then | ChainedThen | None = None
    for start, value in reversed(list(zip(starts, values))):
        v = lit(value) if value is not None else pl.lit(None, dtype=DTYPE)
        chain = pl.when(x >= lit(start)).then(v) if chain is None else chain.when(x >= lit(start)).then(v)
    assert chain is not None, "a tier table has at least one tier (schema)"
    return chain.otherwise(pl.lit(None, dtype=DTYPE))


def _marginal(table: tuple[Tier, ...], base: pl.Expr, basis: pl.Expr | None) -> pl.Expr:
    """``Σ rate × slice`` as ``below(tier) + (x − start) × rate`` for x's tier.

    ``below`` is the exact sum the full lower tiers pay, computed once here
    with the same rounding the per-slice sum would apply, so the result is
    identical to summing every slice.
    """
    x = base if basis is None else basis
    starts = [to_dec(t.start) for t in table]
    rates = [to_dec(t.rate or 0) for t in table]
    below, acc = [], Decimal(0)
    for i, (start, rate) in enumerate(zip(starts, rates)):
        below.append(acc)
        if i + 1 < len(table):
            acc += py_mul(starts[i + 1] - start, rate)
    weighted = (_select(x, starts, below) + (x - _select(x, starts, starts)) * _select(x, starts, rates)).fill_null(lit(0))
    if basis is None:
        return weighted.cast(DTYPE)
    safe_basis = pl.when(basis == lit(0)).then(lit(1)).otherwise(basis)
    return pl.when(basis <= lit(0)).then(lit(0)).otherwise(base * weighted / safe_basis).cast(DTYPE)


def _step(table: tuple[Tier, ...], base: pl.Expr, basis: pl.Expr) -> pl.Expr:
    starts = [to_dec(t.start) for t in table]
    rates = [to_dec(t.rate) if t.amount is None else None for t in table]
    amounts = [to_dec(t.amount) if t.amount is not None else None for t in table]
    by_rate = base * _select(basis, starts, rates) if any(r is not None for r in rates) else pl.lit(None, dtype=DTYPE)
    fixed = _select(basis, starts, amounts) if any(a is not None for a in amounts) else pl.lit(None, dtype=DTYPE)
    return pl.coalesce(by_rate, fixed, lit(0)).cast(DTYPE)


def _linear_rate(table: tuple[Tier, ...], basis: pl.Expr) -> pl.Expr:
    points = [(t.start, t.rate or Decimal(0)) for t in table]
    return interpolate(points, basis)


def interpolate(points: list[tuple[Decimal, Decimal]], x: pl.Expr) -> pl.Expr:
    """Piecewise-linear through ``points`` (ascending x), clamped at both ends.

    Inside segment (x0, y0)–(x1, y1): ``y0 + (x − x0) × (y1 − y0) / (x1 − x0)``,
    multiplied before dividing. The segment's constants are selected first,
    then the arithmetic runs once per row.
    """
    pts = [(to_dec(px), to_dec(py)) for px, py in points]
    if len(pts) == 1:
        return lit(pts[0][1])
    (first_x, first_y), (last_x, last_y) = pts[0], pts[-1]
    segs = list(zip(pts, pts[1:]))

    if len(segs) > _CHAIN_MAX:
        return _interpolate_sorted(pts, segs, x)

    def pick(values: list[Decimal], make: Callable[[Decimal], pl.Expr] = lit) -> pl.Expr:
        chain: Then | ChainedThen | None = None
        for (_, (x1, _)), v in zip(segs, values):
            chain = pl.when(x <= lit(x1)).then(make(v)) if chain is None else chain.when(x <= lit(x1)).then(make(v))
        assert chain is not None, "two points or more make one segment or more"
        return chain.otherwise(make(values[-1]))

    x0 = pick([a[0] for a, _ in segs])
    y0 = pick([a[1] for a, _ in segs])
    rises = [b[1] - a[1] for a, b in segs]
    # whole-number rises (points curves usually have them) multiply without rescaling
    dy = pick(rises, factor) if all(r == r.to_integral_value() for r in rises) else pick(rises)
    dx = pick([b[0] - a[0] for a, b in segs])
    inside = y0 + (x - x0) * dy / dx
    return (pl.when(x <= lit(first_x)).then(lit(first_y))
            .when(x >= lit(last_x)).then(lit(last_y))
            .otherwise(inside)).cast(DTYPE)


#: curves with more segments than this find their segment by binary search: a when-chain of n branches
#: per constant made a 1,500-point curve take 8 s and 2.7 GB for four people (issue 12 D10)
_CHAIN_MAX = 8


def _interpolate_sorted(pts: list[tuple[Decimal, Decimal]], segs: list, x: pl.Expr) -> pl.Expr:
    """``interpolate`` for long curves: one ``search_sorted`` then ``gather`` per constant, O(log n) a row.

    The segment is the first whose right end ``x1`` is >= x (as the when-chain picks it); the same
    constants and the same arithmetic follow, so results are identical.
    """
    (first_x, first_y), (last_x, last_y) = pts[0], pts[-1]

    def column(values: list[Decimal]) -> pl.Expr:
        return pl.lit(pl.Series(values, dtype=DTYPE))

    index = column([b[0] for _, b in segs]).search_sorted(x, side="left").clip(0, len(segs) - 1)
    x0 = column([a[0] for a, _ in segs]).gather(index)
    y0 = column([a[1] for a, _ in segs]).gather(index)
    dy = column([b[1] - a[1] for a, b in segs]).gather(index)
    dx = column([b[0] - a[0] for a, b in segs]).gather(index)
    inside = y0 + (x - x0) * dy / dx
    return (pl.when(x <= lit(first_x)).then(lit(first_y))
            .when(x >= lit(last_x)).then(lit(last_y))
            .otherwise(inside)).cast(DTYPE)


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
