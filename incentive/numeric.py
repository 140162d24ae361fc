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

import polars as pl

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


def as_dec(expr: pl.Expr) -> pl.Expr:
    return expr.cast(DTYPE)


def round_expr(expr: pl.Expr, decimals: int, mode: str) -> pl.Expr:
    """Round a Decimal(38, 12) column to ``decimals`` places with ``mode``.

    Built from exact floor/ceil so every mode (including ``down`` / ``up``)
    behaves as Python's ``decimal`` does. The result keeps the engine dtype.
    """
    if not 0 <= decimals <= SCALE:
        raise ValueError(f"decimals must be between 0 and {SCALE}")
    factor = lit(10**decimals)
    y = expr * factor  # exact: a shift of the decimal point
    zero = lit(0)
    half = lit("0.5")
    if mode == "down":
        r = pl.when(y >= zero).then(y.floor()).otherwise(y.ceil())
    elif mode == "up":
        r = pl.when(y >= zero).then(y.ceil()).otherwise(y.floor())
    elif mode == "floor":
        r = y.floor()
    elif mode == "ceiling":
        r = y.ceil()
    elif mode == "half_up":
        r = pl.when(y >= zero).then((y + half).floor()).otherwise(-((-y + half).floor()))
    elif mode == "half_even":
        f = y.floor()
        frac = y - f
        f_is_odd = (f - (f / lit(2)).floor() * lit(2)) != zero
        r = pl.when((frac > half) | ((frac == half) & f_is_odd)).then(f + lit(1)).otherwise(f)
    else:
        raise ValueError(f"unknown rounding mode {mode!r}")
    return (r / factor).cast(DTYPE)
