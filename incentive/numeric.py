"""The engine's one numeric model: fixed-point decimal.

Every number an expression computes is a decimal with ``SCALE`` (12)
fractional digits and at most 38 significant digits (polars
``Decimal(38, 12)``, an exact 128-bit integer underneath). Addition,
subtraction and comparison are exact; a product or quotient is rounded
half-to-even at the 12th fractional digit. That is exactly Python's
``decimal`` with ``quantize(Decimal("1e-12"), ROUND_HALF_EVEN)`` after each
``*`` and ``/`` -- see ``py_mul`` / ``py_div``, which the row-wise reference
evaluator uses. No binary floating point is ever involved, so scores, ties
and money are reproducible on every machine and independent of row order.

Money is rounded to the policy's ``money.decimals`` with its rounding mode
only at declared points (each component, each penalty, the total).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Context, Decimal, localcontext
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from polars._typing import RoundMode  # polars' own alias for round(mode=...), for annotations only

SCALE = 12
DTYPE = pl.Decimal(38, SCALE)
QUANTUM = Decimal(1).scaleb(-SCALE)
#: largest magnitude a value may reach (38 digits, 12 of them fractional)
LIMIT = Decimal(10) ** (38 - SCALE)

ROUNDING_MODES = ("half_up", "half_even", "down", "up")
_PY_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN, "up": ROUND_UP,
             "floor": ROUND_FLOOR, "ceiling": ROUND_CEILING}

_CTX = Context(prec=80)


def to_dec(value: object) -> Decimal:
    """Exact decimal of an int / str / Decimal, quantized to the engine scale."""
    if isinstance(value, bool):
        raise TypeError("booleans are not numbers")
    if isinstance(value, float):
        raise TypeError("floats never enter the engine")
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    with localcontext(_CTX):
        return d.quantize(QUANTUM, rounding=ROUND_HALF_EVEN)


def plain_text(value: Decimal, *, trim: bool = True) -> str:
    """A decimal as people write it: never an exponent (``1E+2`` -> ``100``).

    ``trim``: without trailing fractional zeros (``1.500`` -> ``1.5``) and
    without a negative zero (``-0.00`` -> ``0``); else every digit the value
    holds is kept (``1.50`` stays ``1.50``: exact source text, money).
    """
    text = format(value, "f")
    if not trim:
        return text
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def py_mul(a: Decimal, b: Decimal) -> Decimal:
    with localcontext(_CTX):
        return (a * b).quantize(QUANTUM, rounding=ROUND_HALF_EVEN)


def py_div(a: Decimal, b: Decimal) -> Decimal:
    with localcontext(_CTX):
        return (a / b).quantize(QUANTUM, rounding=ROUND_HALF_EVEN)


def py_round(value: Decimal, decimals: int, mode: str) -> Decimal:
    """Round like the policy says (``half_up`` is half away from zero)."""
    with localcontext(_CTX):
        return value.quantize(Decimal(1).scaleb(-decimals), rounding=_PY_MODES[mode])


def lit(value: object) -> pl.Expr:
    """A polars literal in the engine's decimal type."""
    return pl.lit(to_dec(value), dtype=DTYPE)


def factor(value: object) -> pl.Expr:
    """A literal to multiply an engine decimal by.

    An integer is given scale 0: the product of a Decimal(38, 12) and a
    Decimal(38, 0) is exact at scale 12 with nothing to rescale, about ten
    times cheaper than multiplying two Decimal(38, 12) (which rounds at the
    12th place -- a no-op for an integer factor). Same value, same type,
    same overflow error; any other number is an engine literal.
    """
    d = to_dec(value)
    if d == d.to_integral_value() and abs(d) < LIMIT:
        return pl.lit(d.quantize(Decimal(1)), dtype=pl.Decimal(38, 0))
    return pl.lit(d, dtype=DTYPE)


def as_dec(expr: pl.Expr) -> pl.Expr:
    return expr.cast(DTYPE)


#: polars' own decimal rounding, for the modes it has: exact integer
#: arithmetic, several times cheaper than building the rounding from floors
_NATIVE_MODES: dict[str, RoundMode] = {"half_even": "half_to_even", "half_up": "half_away_from_zero"}


def round_expr(expr: pl.Expr, decimals: int, mode: str) -> pl.Expr:
    """Round a Decimal(38, 12) column to ``decimals`` places with ``mode``.

    ``half_even`` and ``half_up`` (half away from zero) are polars' decimal
    ``round``; the other modes are built from the exact remainder below the
    last kept place. Every mode behaves as Python's ``decimal`` does
    (``py_round``; a property test holds both to it); only a result beyond
    the engine's range overflows. The result keeps the engine dtype.
    """
    if not 0 <= decimals <= SCALE:
        raise ValueError(f"decimals must be between 0 and {SCALE}")
    if mode in _NATIVE_MODES:
        return expr.cast(DTYPE).round(decimals, mode=_NATIVE_MODES[mode])
    # the remainder below the last kept place (polars' decimal ``%`` is exact
    # and floored: never negative here), so nothing is scaled up and overflows
    step = lit(Decimal(1).scaleb(-decimals))
    x = expr.cast(DTYPE)
    below = x % step
    floor = x - below
    ceiling = pl.when(below == lit(0)).then(x).otherwise(floor + step)
    if mode == "floor":
        r = floor
    elif mode == "ceiling":
        r = ceiling
    elif mode == "down":
        r = pl.when(x >= lit(0)).then(floor).otherwise(ceiling)
    elif mode == "up":
        r = pl.when(x >= lit(0)).then(ceiling).otherwise(floor)
    else:
        raise ValueError(f"unknown rounding mode {mode!r}")
    return r.cast(DTYPE)
