"""Null semantics and division by zero, identical in polars and the reference."""

from __future__ import annotations

import pytest

from tests.expr.support import D, both, zero_flags

# every combination of true / false / null for b and c
ROWS = [{"b": x, "c": y, "n": D(1), "k": None} for x in (True, False, None) for y in (True, False, None)]


@pytest.mark.parametrize("text, expected", [
    ("b and c", [True, False, None, False, False, False, None, False, None]),
    ("b or c", [True, True, True, True, False, None, True, None, None]),
    ("not b", [False] * 3 + [True] * 3 + [None] * 3),
    ("n if b else 0", [D(1)] * 3 + [D(0)] * 6),  # a null condition takes the else branch
    ("b == c", [True, False, None, False, True, None, None, None, None]),
])
def test_kleene_logic(text: str, expected: list) -> None:
    assert both(text, ROWS) == expected


@pytest.mark.parametrize("text", [
    "k + 1", "k - 1", "k * 2", "k / 2", "k // 2", "k % 2", "-k", "k ** 2", "k ** 0",
    "k > 1", "k == k", "k in (1, 2)", "k not in (1, 2)", "abs(k)", "round(k, 2)", "floor(k)", "ceil(k)",
    "clamp(k, 0, 1)", "between(k, 0, 1)", "prev(k)",
])
def test_null_in_gives_null_out(text: str) -> None:
    assert both(text, [{"k": None, "n": D(1)}]) == [None]


@pytest.mark.parametrize("text, expected", [
    ("min(k, n)", D(1)), ("max(k, n)", D(1)), ("coalesce(k, n)", D(1)), ("if_null(k, 5)", D(5)),
    ("safe_div(n, k)", D(0)), ("streak(k > 0)", D(0)), ("count_last(2, k > 0)", D(0)),
])
def test_functions_that_absorb_nulls(text: str, expected) -> None:
    assert both(text, [{"k": None, "n": D(1)}]) == [expected]


def test_division_by_zero_is_null_and_reported() -> None:
    rows = [{"n": D(1), "k": D(0)}, {"n": D(1), "k": D(4)}, {"n": D(1), "k": None}]
    assert both("n / k", rows) == [None, D("0.25"), None]
    assert both("n // k", rows) == [None, D(0), None]
    assert both("n % k", rows) == [None, D(1), None]
    assert zero_flags("n / k + n // k", rows) == [("n / k", [True, False, False]), ("n // k", [True, False, False])]


def test_floor_division_and_modulo_follow_python_numbers() -> None:
    rows = [{"n": D(x), "k": D(y)} for x, y in [(7, 2), (-7, 2), (7, -2), (-7, -2), ("-0.000000000001", 2), ("7.5", "0.2")]]
    assert both("n // k", rows) == [D(3), D(-4), D(-4), D(3), D(-1), D(37)]
    assert both("n % k", rows) == [D(1), D(1), D(-1), D(-1), D("1.999999999999"), D("0.1")]


def test_guarded_divisions_are_not_reported() -> None:
    rows = [{"n": D(1), "k": D(0), "b": False}, {"n": D(1), "k": D(2), "b": True}]
    assert zero_flags("n / k if k != 0 else 0", rows) == [("n / k", [False, False])]
    assert zero_flags("k != 0 and n / k > 1", rows) == [("n / k", [False, False])]
    assert zero_flags("k == 0 or n / k > 1", rows) == [("n / k", [False, False])]
    assert zero_flags("coalesce(k, n / k)", rows) == [("n / k", [False, False])]
    assert zero_flags("safe_div(n, k, n / k)", rows) == [("n / k", [True, False])]
    assert zero_flags("b and n / k > 1", rows) == [("n / k", [False, False])]
    assert zero_flags("n / 2 + prev(n / k)", rows) == []  # literal divisors and earlier periods are not checked
    assert zero_flags("n / k if b else 0", rows) == [("n / k", [False, False])]
    assert zero_flags("n / k", rows) == [("n / k", [True, False])]


def test_multiplication_and_division_round_half_even_at_12_places() -> None:
    rows = [{"n": D("0.000000000005"), "k": D("0.5")}, {"n": D("0.000000000015"), "k": D("0.5")}, {"n": D(2), "k": D(3)}]
    assert both("n * k", rows) == [D("0.000000000002"), D("0.000000000008"), D(6)]
    assert both("n / 2", rows) == [D("0.000000000002"), D("0.000000000008"), D(1)]
    assert both("k / 3", rows) == [D("0.166666666667"), D("0.166666666667"), D(1)]
    assert both("n ** 3", rows) == [D(0), D(0), D(8)]


@pytest.mark.parametrize("text, expected", [
    ("1 in (1, 2)", True), ("'A' not in ('A',)", False), ("3 in ()", False), ("coalesce(1, 2)", D(1)),
    ("min(1, 2)", D(1)), ("clamp(5, 0, 2)", D(2)), ("between(1, 0, 2)", True), ("safe_div(1, 0)", D(0)),
    ("1 / 0", None), ("round(2.5)", D(3)), ("date('2026-01-01') < date('2026-02-01')", True),
    ("prev(n in (1,))", None), ("last_year(b == (n in ()))", None), ("streak(n > 0)", D(1)),
    ("year(date('2026-05-01'))", D(2026)), ("2 ** 0", D(1)),
])
def test_constant_expressions_broadcast_to_every_row(text: str, expected) -> None:
    # two rows: a constant result must stay a scalar polars can broadcast
    rows = [{"n": D(1), "b": True}, {"n": D(2), "b": True}]
    assert both(text, rows) == [expected, expected]


@pytest.mark.parametrize("flag", [False, True, None])
@pytest.mark.parametrize("text", [
    "'A' == (s if b else 'A')", "1 < (n if b else 1)", "2 >= (1 if b else n)", "between(1, (n if b else 0), 2)",
    "'A' != coalesce(s if b else 'A', 'B')",
])
def test_a_constant_compared_with_a_uniform_branch_broadcasts(text: str, flag) -> None:
    # every row takes the same branch (polars 2.1 would return one row for
    # `literal < when(...)` unless the constant is moved to the right)
    rows = [{"n": D(1), "s": "A", "b": flag}, {"n": D(2), "s": "A", "b": flag}]
    assert len(both(text, rows)) == 2
