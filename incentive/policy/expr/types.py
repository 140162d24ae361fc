"""The value types of the expression language and how they combine.

Five types, because the engine has five kinds of column: numbers and money
are both ``numeric.DTYPE`` in polars (money is a number with a unit, kept
apart so that ``money * money`` or ``date + money`` is caught at load time),
text is ``pl.String``, dates ``pl.Date`` and booleans ``pl.Boolean``.
"""

from __future__ import annotations

import enum

import polars as pl

from incentive.numeric import DTYPE


class T(enum.Enum):
    NUMBER = "number"
    MONEY = "money"
    BOOL = "bool"
    TEXT = "text"
    DATE = "date"

    def __str__(self) -> str:
        return self.value


NUMERIC = frozenset({T.NUMBER, T.MONEY})

#: policy input type -> expression type
INPUT_TYPES: dict[str, T] = {
    "id": T.TEXT,
    "text": T.TEXT,
    "integer": T.NUMBER,
    "number": T.NUMBER,
    "percent": T.NUMBER,
    "money": T.MONEY,
    "date": T.DATE,
    "boolean": T.BOOL,
}

#: a polars type instance (the exact decimal) or class (the others): polars takes either
_POLARS: dict[T, pl.DataType | type[pl.DataType]] = {T.NUMBER: DTYPE, T.MONEY: DTYPE, T.BOOL: pl.Boolean, T.TEXT: pl.String, T.DATE: pl.Date}


def polars_dtype(t: T) -> pl.DataType | type[pl.DataType]:
    """The polars column type that holds values of ``t``."""
    return _POLARS[t]


def is_numeric(t: T) -> bool:
    return t in NUMERIC


def unify(a: T, b: T) -> T | None:
    """The common type of two values that may stand in for each other
    (``if``/``else`` branches, ``coalesce`` arguments, ``min``/``max``):
    equal types, or number with money, which gives money (a literal ``0``
    next to an amount is an amount). ``None`` when they do not mix."""
    if a == b:
        return a
    if a in NUMERIC and b in NUMERIC:
        return T.MONEY
    return None


def comparable(a: T, b: T) -> bool:
    """Whether ``a == b`` / ``a < b`` is meaningful: numeric with numeric,
    otherwise the same type."""
    return (a in NUMERIC and b in NUMERIC) or a == b


def describe(t: T) -> str:
    """The type as a message names it: ``a number``, ``money``, ``a date`` ..."""
    return {T.NUMBER: "a number", T.MONEY: "money", T.BOOL: "a bool", T.TEXT: "text", T.DATE: "a date"}[t]


def arith_type(op: str, lt: T, rt: T) -> T | str:
    """Result type of ``lt op rt``, or the reason it is refused."""
    if T.DATE in (lt, rt):
        return "arithmetic on dates is not allowed (use days_between(d1, d2) or months_between(d1, d2))"
    if lt not in NUMERIC or rt not in NUMERIC:
        bad = lt if lt not in NUMERIC else rt
        return f"'{op}' needs numbers or money, not {describe(bad)}"
    money = T.MONEY
    if op in ("+", "-"):
        return money if money in (lt, rt) else T.NUMBER
    if op == "*":
        if lt == money and rt == money:
            return "money * money is not an amount (multiply money by a number, or divide money by money for a ratio)"
        return money if money in (lt, rt) else T.NUMBER
    if op == "/":
        if lt == money:
            return T.NUMBER if rt == money else money
        if rt == money:
            return "a number divided by money has no meaning (divide money by money for a ratio)"
        return T.NUMBER
    # // and %
    if lt == money:
        return money
    if rt == money:
        return f"a number {op} money has no meaning"
    return T.NUMBER
