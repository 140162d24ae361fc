"""Day weighting of a period split between plan versions: column-wise, over all people at once.

Each version's amounts (its payouts, penalties and total, computed on the
whole period's data) are weighted by the days it covers:
``exact = Σ amount_v × days_v / total_days``. The total is rounded with the
policy's money rounding, and so is each component; when the rounded
components (payouts minus penalties, plus the floor's top-up) no longer add
up to the rounded total, the difference -- a few cents at most -- goes one
cent each to the components whose rounding moved them furthest the other
way (largest remainder; ties to the component listed first), so every
person's components add up to the total exactly. Nothing is computed per
row in Python.

Exactness: the sum ``Σ amount_v × days_v`` is exact; the one division by
``total_days`` (at most 366) leaves a quotient whose part below the last
money place is a multiple of 1/total_days of a cent, never within 10^-10 of
a half or of zero unless it is exactly that, so the engine's 12 decimals
decide every rounding mode as exact arithmetic would.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import polars as pl

from incentive.numeric import DTYPE, lit, round_expr

#: the floor's top-up (total minus payouts plus penalties), weighted like a component so the sums hold
ADJUST = "__floor_adjust"


def weigh(parts: Sequence[pl.DataFrame], days: Sequence[int], components: Sequence[tuple[str, int]], key: str,
          decimals: int, rounding: str) -> pl.DataFrame:
    """``key``, each component and ``total``, weighted by ``days``.

    ``parts[i]`` holds ``key``, every component name and ``total`` as version
    ``i`` computed them (0 where it has no such component); ``components``
    are ``(name, sign)``: +1 for a payout, -1 for a penalty (the floor's
    top-up, ``ADJUST``, is added here). The result has one row per ``key``
    in the order of ``parts[0]``.
    """
    total_days = sum(days)
    comps = [*components, (ADJUST, 1)]
    joined = _joined(parts, components, key)
    unit = lit(Decimal(1).scaleb(-decimals))

    def exact(name: str) -> pl.Expr:
        acc = lit(0)
        for i, d in enumerate(days):
            acc = acc + pl.col(f"{name}@{i}") * lit(d)
        return (acc / lit(total_days)).cast(DTYPE)

    step1 = joined.with_columns(
        [exact(c).alias(f"{c}@exact") for c, _ in comps] + [exact("total").alias("total@exact")])
    step2 = step1.with_columns(
        [round_expr(pl.col(f"{c}@exact"), decimals, rounding).alias(f"{c}@round") for c, _ in comps]
        + [round_expr(pl.col("total@exact"), decimals, rounding).alias("total")])
    signed = lit(0)
    for c, sign in comps:
        signed = signed + pl.col(f"{c}@round") * lit(sign)
    step3 = step2.with_columns(
        ((pl.col("total") - signed) / unit).round(0).cast(pl.Int64).alias("__cents"),
        *[((pl.col(f"{c}@exact") - pl.col(f"{c}@round")) * lit(sign)).alias(f"{c}@rem") for c, sign in comps])
    cents = pl.col("__cents")
    out = []
    for i, (c, sign) in enumerate(comps):
        above = _count(comps, i, lambda other, me: other > me)
        below = _count(comps, i, lambda other, me: other < me)
        delta = (pl.when((cents > 0) & (above < cents)).then(1)
                 .when((cents < 0) & (below < -cents)).then(-1).otherwise(0))
        out.append((pl.col(f"{c}@round") + unit * delta.cast(DTYPE) * lit(sign)).cast(DTYPE).alias(c))
    return step3.select(key, *out, pl.col("total").cast(DTYPE))


def _count(comps: Sequence[tuple[str, int]], i: int, beats: object) -> pl.Expr:
    """How many components come before component ``i`` in the order ``beats`` (ties: listed first)."""
    me = pl.col(f"{comps[i][0]}@rem")
    n = pl.lit(0, dtype=pl.Int64)
    for j, (other, _) in enumerate(comps):
        if j == i:
            continue
        them = pl.col(f"{other}@rem")
        first = beats(them, me)  # type: ignore[operator]
        if j < i:
            first = first | (them == me)
        n = n + first.cast(pl.Int64)
    return n


def _joined(parts: Sequence[pl.DataFrame], components: Sequence[tuple[str, int]], key: str) -> pl.DataFrame:
    """Every version's amounts side by side (``name@i``), one row per person of ``parts[0]``, nulls as 0;
    ``ADJUST@i`` is what version ``i``'s floor added to its total."""
    def cols(i: int, frame: pl.DataFrame) -> list[pl.Expr]:
        got = [(pl.col(n).cast(DTYPE).fill_null(Decimal(0)) if n in frame.columns else lit(0)) for n, _ in components]
        total = pl.col("total").cast(DTYPE).fill_null(Decimal(0))
        signed = lit(0)
        for (_, sign), e in zip(components, got):
            signed = signed + e * lit(sign)
        return [pl.col(key), *[e.alias(f"{n}@{i}") for (n, _), e in zip(components, got)],
                (total - signed).cast(DTYPE).alias(f"{ADJUST}@{i}"), total.alias(f"total@{i}")]

    joined: pl.DataFrame | None = None
    for i, frame in enumerate(parts):
        one = frame.select(cols(i, frame))
        joined = one if joined is None else joined.join(one, on=key, how="left", maintain_order="left")
    assert joined is not None
    return joined.with_columns(pl.col(c).fill_null(Decimal(0)) for c in joined.columns if c != key)
