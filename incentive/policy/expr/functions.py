"""The fixed function library of policy expressions, and the null rules.

Nothing outside this table can be called. Arguments are positional; the
optional ones may also be given by name (``round(x, n=2)``,
``safe_div(a, b, default=1)``). "numeric" means number or money; a result is
money when any numeric argument it is built from is money.

| function | returns | missing values (null) | example |
|---|---|---|---|
| ``min(a, b, ...)`` | numeric / date | nulls are ignored; null only if all are null | ``min(attainment, 1.5)`` |
| ``max(a, b, ...)`` | numeric / date | nulls are ignored; null only if all are null | ``max(revenue - 5000, 0)`` |
| ``abs(x)`` | as ``x`` | null -> null | ``abs(attainment - 1)`` |
| ``round(x, n=0)`` | as ``x`` | null -> null | ``round(score, 1)``: half away from zero, ``n`` a literal 0..12 |
| ``floor(x)`` / ``ceil(x)`` | as ``x`` | null -> null | ``floor(active_days / 30)`` |
| ``clamp(x, lo, hi)`` | numeric | null if any argument is null | ``clamp(attainment, 0, 2)`` = ``min(max(x, lo), hi)`` (so ``hi`` wins if ``lo > hi``) |
| ``safe_div(a, b, default=0)`` | as ``a / b`` | ``default`` when ``b`` is 0 or null; else null if ``a`` is null | ``safe_div(collected, revenue)`` |
| ``coalesce(a, b, ...)`` | common type | the first argument that is not null | ``coalesce(bonus_override, target_bonus)`` |
| ``if_null(x, default)`` | common type | ``coalesce(x, default)`` | ``if_null(satisfaction, 80)`` |
| ``between(x, lo, hi)`` | bool | null if any argument is null | ``between(score, 60, 80)``: ``lo <= x <= hi`` |
| ``days_between(d1, d2)`` | number | null if either is null | ``days_between(hire_date, period_end)``: ``d2 - d1`` in days |
| ``months_between(d1, d2)`` | number | null if either is null | ``months_between(hire_date, period_end)``, see below |
| ``year(d)`` / ``quarter(d)`` / ``month(d)`` / ``day(d)`` | number | null -> null | ``year(hire_date)`` |
| ``date("YYYY-MM-DD")`` | date | never null | ``hire_date >= date("2026-01-01")``: a literal date |
| ``streak(cond)`` | number | a period without a record gives null, and null is not true | ``streak(band == "C") >= 3`` |
| ``count_last(n, cond)`` | number | as ``streak`` | ``count_last(3, band == "A") >= 2``, ``n`` a literal 1..24 |
| ``prev(x)`` / ``prev(x, k)`` | as ``x`` | null when that period has no record | ``revenue / prev(revenue) - 1`` (环比), ``k`` a literal 1..24 |
| ``last_year(x)`` | as ``x`` | null when that period has no record | ``revenue / last_year(revenue) - 1`` (同比) |

``months_between(d1, d2)`` counts whole months from ``d1`` to ``d2``: the
month boundaries passed, ``12 * (year2 - year1) + (month2 - month1)``, less
one when that is positive and ``day(d2) < day(d1)`` (the last month is not
complete), plus one when it is negative and ``day(d2) > day(d1)``; so
``months_between(d2, d1) == -months_between(d1, d2)``. 2026-01-15 -> 2026-03-14
is 1, -> 2026-03-15 is 2; 2026-01-31 -> 2026-02-28 is 0.

History functions read this policy's earlier closed periods (the engine
supplies them from the ledger): ``streak(cond)`` is how many consecutive
periods, ending with the current one, ``cond`` is true in (it looks back at
most ``MAX_HISTORY`` earlier periods); ``count_last(n, cond)`` in how many of
the last ``n`` periods, the current one included; ``prev(x, k)`` is ``x`` ``k``
periods before; ``last_year(x)`` is ``x`` in the same period one year before
(``PERIODS_PER_YEAR`` periods back). Their argument may not itself use a
history function. They may be used in derived values, KPI values, payouts,
penalties and recommendations, not in aggregates, budgets or ranking.

Null rules of the language (polars and the reference evaluator agree):
arithmetic with null gives null; ``a / b``, ``a // b`` and ``a % b`` with
``b == 0`` give null (and the engine reports the people concerned); a
comparison with null gives null; ``in`` / ``not in`` with a null left side
give null; ``and`` / ``or`` / ``not`` are three-valued (Kleene: ``null and
False`` is False, ``null or True`` is True, otherwise null); ``x if c else y``
gives ``y`` when ``c`` is null; null is never true, so a ``when``/``gate`` that
is null does not hold. ``a // b`` is floor division and ``a % b`` takes the
sign of ``b``, as for Python numbers; ``*`` and ``/`` round half-even at the
12th decimal (see ``incentive.numeric``); ``x ** n`` multiplies left to right,
rounding each product.
"""

from __future__ import annotations

from dataclasses import dataclass

#: how many earlier periods ``streak`` looks at, at most
MAX_HISTORY = 24

#: periods in one year, per ``policy.period`` (``last_year`` looks this far back)
PERIODS_PER_YEAR = {"month": 12, "quarter": 4, "half": 2, "year": 1}

HISTORY_FUNCTIONS = frozenset({"streak", "count_last", "prev", "last_year"})


@dataclass(frozen=True)
class Function:
    name: str
    params: tuple[str, ...]  # parameter names in order
    required: int  # how many of them must be given
    variadic: bool = False  # takes any number (>= required) of values
    summary: str = ""

    @property
    def signature(self) -> str:
        if self.variadic:
            return f"{self.name}(a, b, ...)"
        shown = [p if i < self.required else f"{p}={_DEFAULTS.get((self.name, p), '')}" for i, p in enumerate(self.params)]
        return f"{self.name}({', '.join(shown)})"


_DEFAULTS = {("round", "n"): "0", ("safe_div", "default"): "0", ("prev", "k"): "1"}

FUNCTIONS: dict[str, Function] = {f.name: f for f in (
    Function("min", ("a", "b"), 2, variadic=True, summary="smallest value, nulls ignored"),
    Function("max", ("a", "b"), 2, variadic=True, summary="largest value, nulls ignored"),
    Function("abs", ("x",), 1, summary="absolute value"),
    Function("round", ("x", "n"), 1, summary="round half away from zero to n decimals"),
    Function("floor", ("x",), 1, summary="largest whole number <= x"),
    Function("ceil", ("x",), 1, summary="smallest whole number >= x"),
    Function("clamp", ("x", "lo", "hi"), 3, summary="x limited to [lo, hi]"),
    Function("safe_div", ("a", "b", "default"), 2, summary="a / b, or default when b is 0 or missing"),
    Function("coalesce", ("a", "b"), 2, variadic=True, summary="first value that is not missing"),
    Function("if_null", ("x", "default"), 2, summary="x, or default when x is missing"),
    Function("between", ("x", "lo", "hi"), 3, summary="lo <= x <= hi"),
    Function("months_between", ("d1", "d2"), 2, summary="whole months from d1 to d2"),
    Function("days_between", ("d1", "d2"), 2, summary="days from d1 to d2"),
    Function("year", ("d",), 1, summary="year of a date"),
    Function("quarter", ("d",), 1, summary="quarter (1-4) of a date"),
    Function("month", ("d",), 1, summary="month (1-12) of a date"),
    Function("day", ("d",), 1, summary="day of the month of a date"),
    Function("date", ("text",), 1, summary="a literal date, date(\"2026-01-31\")"),
    Function("streak", ("cond",), 1, summary="consecutive periods, ending now, where cond holds"),
    Function("count_last", ("n", "cond"), 2, summary="periods among the last n where cond holds"),
    Function("prev", ("x", "k"), 1, summary="x k periods before"),
    Function("last_year", ("x",), 1, summary="x in the same period a year before"),
)}
