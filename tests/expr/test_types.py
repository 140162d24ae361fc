"""Typing: what combines with what, and the messages when it does not."""

from __future__ import annotations

import pytest

from incentive.policy.expr.types import T
from tests.expr.support import check_text, checked, codes


@pytest.mark.parametrize("text, result", [
    ("n + k", T.NUMBER), ("n * k", T.NUMBER), ("n / k", T.NUMBER), ("n // k", T.NUMBER), ("n % k", T.NUMBER),
    ("m + m2", T.MONEY), ("m - m2", T.MONEY), ("m - 5000", T.MONEY), ("5000 + m", T.MONEY),
    ("m * n", T.MONEY), ("n * m", T.MONEY), ("m / n", T.MONEY), ("m / m2", T.NUMBER),
    ("m // n", T.MONEY), ("m % 100", T.MONEY), ("m // m2", T.MONEY),
    ("-m", T.MONEY), ("+n", T.NUMBER), ("n ** 2", T.NUMBER),
    ("m > n", T.BOOL), ("d <= d2", T.BOOL), ("s == 'A'", T.BOOL), ("b == c", T.BOOL), ("b != True", T.BOOL),
    ("b and c or not b", T.BOOL), ("0 < n <= 1", T.BOOL),
    ("m if b else 0", T.MONEY), ("0 if b else n", T.NUMBER), ("'x' if b else s", T.TEXT), ("d if b else d2", T.DATE),
    ("s in ('A', 'B')", T.BOOL), ("n not in (1, -2.5)", T.BOOL), ("m in (0,)", T.BOOL),
    ("true", T.BOOL), ("False", T.BOOL),
])
def test_result_types(text: str, result: T) -> None:
    assert checked(text).type == result


@pytest.mark.parametrize("text, fragment", [
    ("m * m2", "money * money"),
    ("n / m", "divided by money"),
    ("n // m", "number // money"),
    ("d + 1", "arithmetic on dates"),
    ("d - d2", "days_between"),
    ("s + 'x'", "needs numbers or money, not text"),
    ("'x' * 3", "not text"),
    ("b + 1", "not a bool"),
    ("m ** 2", "'**' needs a number"),
    ("-s", "unary '-' needs a number"),
    ("not n", "'not' needs a bool"),
    ("n and b", "'and' needs bools"),
    ("b or m", "'or' needs bools"),
    ("n == s", "cannot compare a number ('n') with text ('s')"),
    ("d < 5", "cannot compare a date"),
    ("b < c", "only be compared with == or !="),
    ("m if n else 0", "condition of 'if' must be a bool"),
    ("m if b else s", "branches of 'if' differ"),
    ("s in (1, 2)", "list holds the number 1"),
    ("n in ('a',)", "the list holds text"),
    ("d in (1,)", "needs a number, money or text on its left"),
])
def test_type_mismatches_name_both_sides(text: str, fragment: str) -> None:
    expr, problems = check_text(text)
    assert expr is None
    assert [p.code for p in problems] == ["type-mismatch"]
    assert fragment in problems[0].message, problems[0].message


def test_one_mistake_gives_one_finding() -> None:
    # the failed sub-expression silences its parents
    assert codes("(m * m2) + 1 > 3 and b") == ["type-mismatch"]
    # independent mistakes are all reported
    assert codes("m * m2 > 0 and nn > 0") == ["type-mismatch", "unknown-name"]


def test_refs_and_history_refs() -> None:
    e = checked("m / prev(m) - 1 > n and streak(b) >= 2")
    assert e.refs == frozenset({"m", "n", "b"})
    assert e.history_refs == frozenset({"m", "b"})
    assert e.uses_history
    plain = checked("m + n")
    assert plain.history_refs == frozenset() and not plain.uses_history
