"""Whether a policy-written value fits an input's type and bounds.

Shared by ``default_type`` and ``values_type``: a default and the entries
of ``values`` are values the data could hold, so they obey the same rules.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from incentive.policy.checks._common import num
from incentive.policy.model import NUMERIC_TYPES, Input


def show(value: object) -> str:
    """A value as it would be written in the policy."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (Decimal, int)):
        return num(Decimal(value))
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return "null"
    return repr(value)


def type_problem(value: object, inp: Input) -> str | None:
    """Why ``value`` is not a value of ``inp``'s type (None when it is)."""
    kind = inp.type
    if kind in NUMERIC_TYPES:
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            return f"{show(value)} is not a number"
        if isinstance(value, Decimal) and not value.is_finite():
            return f"{show(value)} is not a finite number"
        if kind == "integer" and Decimal(value) != Decimal(value).to_integral_value():
            return f"{show(value)} is not a whole number"
        return None
    if kind in ("text", "id"):
        return None if isinstance(value, str) else f"{show(value)} is not text (quote it: \"{show(value)}\")"
    if kind == "date":
        ok = isinstance(value, date) and not isinstance(value, datetime)
        return None if ok else f"{show(value)} is not a date (write YYYY-MM-DD)"
    if kind == "boolean":
        return None if isinstance(value, bool) else f"{show(value)} is not true or false"
    return None


def bounds_problem(value: object, inp: Input) -> str | None:
    """Why a numeric ``value`` is outside ``inp``'s min / max (None when inside)."""
    if inp.type not in NUMERIC_TYPES or isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return None
    if inp.min is not None and value < inp.min:
        return f"{show(value)} is below the input's min {num(inp.min)}"
    if inp.max is not None and value > inp.max:
        return f"{show(value)} is above the input's max {num(inp.max)}"
    return None
