"""Values of a policy test: YAML scalars as exact decimals, dates or text, and as a failure message shows them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Sequence

from incentive.numeric import plain_text


def json_value(value: object) -> object:
    """A YAML scalar as a JSON cell: numbers as their exact decimal text, never a float."""
    if isinstance(value, Decimal):
        return plain_text(value, trim=False) if value.is_finite() else str(value)
    return value


def as_decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, str):
        try:
            d = Decimal(value.strip())
        except InvalidOperation:
            return None
        return d if d.is_finite() else None
    return None


def as_text(value: object) -> str:
    if isinstance(value, Decimal):
        return plain_text(value, trim=False) if value.is_finite() else str(value)
    return str(value)


def describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, Decimal)):
        return f"the number {value}"
    return f"the text {value!r}"


def article(kind: str) -> str:
    return {"number": "a number", "money": "an amount of money", "bool": "true or false", "text": "text",
            "date": "a date (YYYY-MM-DD)"}[kind]


def show_expected(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return as_text(value)


def show_scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def show_number(value: object, decimals: int | None) -> str:
    """Money at its precision (``2999.99``); other numbers without trailing zeros (``87.5``)."""
    if value is None:
        return "null"
    d = Decimal(str(value))
    if decimals is not None:
        return plain_text(d.quantize(Decimal(1).scaleb(-decimals)), trim=False)
    return plain_text(d)


def show_set(actions: Sequence[str]) -> str:
    return "[" + ", ".join(actions) + "]"
