"""Every library function, column-wise (polars) and row-wise (reference),
with the expected values written out."""

from __future__ import annotations

from datetime import date

import pytest

from incentive.policy.expr.functions import FUNCTIONS, MAX_HISTORY
from incentive.policy.expr.types import T
from tests.expr.support import D, both, check_text, codes

ROWS = [
    {"n": D("2.5"), "k": D(-3), "m": D("100.50"), "m2": D(0), "d": date(2026, 1, 31), "d2": date(2026, 2, 28), "b": True, "s": "A"},
    {"n": D("-2.5"), "k": D(0), "m": D("-0.005"), "m2": D(7), "d": date(2026, 1, 15), "d2": date(2026, 3, 15), "b": False, "s": "B"},
    {"n": None, "k": D(4), "m": None, "m2": None, "d": None, "d2": date(2024, 2, 29), "b": None, "s": None},
]


def test_the_table_documents_every_function() -> None:
    import incentive.policy.expr.functions as functions

    for name in FUNCTIONS:
        assert f"``{name}(" in functions.__doc__, name


@pytest.mark.parametrize("text, expected", [
    ("min(n, k)", [D(-3), D("-2.5"), D(4)]),  # nulls ignored
    ("max(n, k, 1)", [D("2.5"), D(1), D(4)]),
    ("min(n, m)", [D("2.5"), D("-2.5"), None]),  # null only when all are null
    ("max(d, d2)", [date(2026, 2, 28), date(2026, 3, 15), date(2024, 2, 29)]),
    ("abs(n)", [D("2.5"), D("2.5"), None]),
    ("round(n)", [D(3), D(-3), None]),  # half away from zero
    ("round(m, 2)", [D("100.50"), D("-0.01"), None]),
    ("round(m, n=1)", [D("100.5"), D(0), None]),
    ("floor(n)", [D(2), D(-3), None]),
    ("ceil(n)", [D(3), D(-2), None]),
    ("clamp(k, 0, 2)", [D(0), D(0), D(2)]),
    ("clamp(n, 0, k)", [D(-3), D(0), None]),  # null if any argument is null
    ("clamp(k, 3, 1)", [D(1), D(1), D(1)]),  # min(max(x, lo), hi): hi wins
    ("safe_div(m, k)", [D("-33.5"), D(0), None]),
    ("safe_div(m, k, 9)", [D("-33.5"), D(9), None]),
    ("safe_div(m, m2, default=-1)", [D(-1), D("-0.000714285714"), D(-1)]),
    ("safe_div(n, k, default=n)", [D("-0.833333333333"), D("-2.5"), None]),
    ("coalesce(n, k)", [D("2.5"), D("-2.5"), D(4)]),
    ("coalesce(m, m2, 0)", [D("100.50"), D("-0.005"), D(0)]),
    ("coalesce(s, 'none')", ["A", "B", "none"]),
    ("if_null(n, 0)", [D("2.5"), D("-2.5"), D(0)]),
    ("if_null(d, d2)", [date(2026, 1, 31), date(2026, 1, 15), date(2024, 2, 29)]),
    ("between(k, -3, 0)", [True, True, False]),  # inclusive
    ("between(n, k, 3)", [True, False, None]),
    ("between(s, 'A', 'AZ')", [True, False, None]),
    ("between(d2, date('2026-01-01'), date('2026-03-01'))", [True, False, False]),
    ("days_between(d, d2)", [D(28), D(59), None]),
    ("days_between(d2, d)", [D(-28), D(-59), None]),
    ("months_between(d, d2)", [D(0), D(2), None]),  # Jan 31 -> Feb 28 is not a whole month
    ("months_between(d2, d)", [D(0), D(-2), None]),
    ("year(d2)", [D(2026), D(2026), D(2024)]),
    ("quarter(d2)", [D(1), D(1), D(1)]),
    ("month(d2)", [D(2), D(3), D(2)]),
    ("day(d2)", [D(28), D(15), D(29)]),
    ("date('2026-02-28') == d2", [True, False, False]),
])
def test_function_values(text: str, expected: list) -> None:
    assert both(text, ROWS) == expected


@pytest.mark.parametrize("d1, d2, months", [
    (date(2026, 1, 15), date(2026, 3, 14), 1),
    (date(2026, 1, 15), date(2026, 3, 15), 2),
    (date(2026, 1, 31), date(2026, 2, 28), 0),
    (date(2025, 12, 31), date(2026, 3, 31), 3),
    (date(2024, 2, 29), date(2025, 2, 28), 11),
    (date(2026, 3, 14), date(2026, 1, 15), -1),
    (date(2026, 5, 5), date(2026, 5, 1), 0),
    (date(2020, 6, 1), date(2026, 6, 1), 72),
])
def test_months_between(d1: date, d2: date, months: int) -> None:
    assert both("months_between(d, d2)", [{"d": d1, "d2": d2}]) == [D(months)]


HISTORY_NAMES = {"n": T.NUMBER, "b": T.BOOL, "s": T.TEXT}
NOW = [{"n": D(1), "b": True, "s": "C"}, {"n": D(2), "b": True, "s": "C"}, {"n": None, "b": None, "s": None}]
PAST = {
    1: [{"n": D(10), "b": True, "s": "C"}, {"n": D(20), "b": False, "s": "B"}, {"n": D(30), "b": True, "s": "C"}],
    2: [{"n": D(100), "b": True, "s": "C"}, {"n": None, "b": True, "s": None}, {"n": D(300), "b": True, "s": "C"}],
    3: [{}, {}, {}],  # a period nobody has a record for
    4: [{"n": D(1000), "b": True, "s": "A"}, {"n": D(2000), "b": True, "s": "A"}, {"n": D(3000), "b": True, "s": "A"}],
}


@pytest.mark.parametrize("text, expected", [
    ("streak(b)", [D(3), D(1), D(0)]),  # period 3 has no record: null breaks the streak
    ("streak(s == 'C')", [D(3), D(1), D(0)]),
    ("count_last(3, b)", [D(3), D(2), D(2)]),
    ("count_last(5, b)", [D(4), D(3), D(3)]),
    ("count_last(1, b)", [D(1), D(1), D(0)]),
    ("prev(n)", [D(10), D(20), D(30)]),
    ("prev(n, 2)", [D(100), None, D(300)]),
    ("prev(n, 3)", [None, None, None]),
    ("prev(n * 2 + 1)", [D(21), D(41), D(61)]),
    ("last_year(n)", [D(1000), D(2000), D(3000)]),  # quarters: 4 periods back
    ("n / prev(n) - 1", [D("-0.9"), D("-0.9"), None]),  # 环比
    ("prev(s) == 'C' and s == 'C'", [True, False, None]),
])
def test_history_functions(text: str, expected: list) -> None:
    assert both(text, NOW, HISTORY_NAMES, history=PAST, ppy=4) == expected


def test_history_beyond_the_available_depth_is_null() -> None:
    # only one earlier period is available
    assert both("prev(n, 2)", NOW, HISTORY_NAMES, history={1: PAST[1]}, depth=1) == [None, None, None]
    assert both("last_year(n)", NOW, HISTORY_NAMES, history={1: PAST[1]}, depth=1) == [None, None, None]
    assert both("streak(b)", NOW, HISTORY_NAMES, history={1: PAST[1]}, depth=1) == [D(2), D(1), D(0)]
    assert both("count_last(5, b)", NOW, HISTORY_NAMES, history={1: PAST[1]}, depth=1) == [D(2), D(1), D(1)]
    assert both("streak(b)", NOW, HISTORY_NAMES, depth=0) == [D(1), D(1), D(0)]


def test_streak_is_capped_at_max_history() -> None:
    names = {"b": T.BOOL}
    history = {k: [{"b": True}] for k in range(1, MAX_HISTORY + 3)}
    assert both("streak(b)", [{"b": True}], names, history=history, depth=MAX_HISTORY + 2) == [D(MAX_HISTORY + 1)]


@pytest.mark.parametrize("text, code, fragment", [
    ("round(n, 13)", "bad-arguments", "from 0 to 12"),
    ("round(n, k)", "bad-arguments", "literal whole number"),
    ("round(n, 1, 2)", "bad-arguments", "takes 1 to 2 arguments"),
    ("round()", "bad-arguments", "takes 1 to 2 arguments"),
    ("round(n, digits=2)", "bad-arguments", "no parameter 'digits'"),
    ("round(n, 1, n=2)", "bad-arguments", "'n' twice"),
    ("min(n)", "bad-arguments", "at least 2 arguments"),
    ("max(n, x=1)", "bad-arguments", "no parameter 'x'"),
    ("abs(n, k)", "bad-arguments", "takes 1 argument"),
    ("clamp(n, 1)", "bad-arguments", "takes 3 arguments"),
    ("date('31/01/2026')", "bad-arguments", "literal date"),
    ("date('2026-02-30')", "bad-arguments", "literal date"),
    ("date(s)", "bad-arguments", "literal date"),
    ("count_last(0, b)", "bad-arguments", "from 1 to 24"),
    ("count_last(25, b)", "bad-arguments", "from 1 to 24"),
    ("count_last(k, b)", "bad-arguments", "literal whole number"),
    ("prev(n, 0)", "bad-arguments", "from 1 to 24"),
    ("streak(prev(b))", "bad-arguments", "cannot be nested"),
    ("prev(last_year(n))", "bad-arguments", "cannot be nested"),
    ("streak(True)", "bad-arguments", "reads a recorded value"),
    ("streak(n)", "type-mismatch", "needs a condition"),
    ("abs(s)", "type-mismatch", "needs a number or money"),
    ("min(n, d)", "type-mismatch", "needs numbers or money"),
    ("max(d, n)", "type-mismatch", "needs dates"),
    ("coalesce(n, s)", "type-mismatch", "do not mix"),
    ("safe_div(n, m)", "type-mismatch", "divided by money"),
    ("safe_div(m, n, default=s)", "type-mismatch", "needs numbers or money"),
    ("between(n, 's', 3)", "type-mismatch", "cannot compare"),
    ("between(b, b, b)", "type-mismatch", "numbers, money, text or dates"),
    ("year(n)", "type-mismatch", "needs dates"),
    ("months_between(d, n)", "type-mismatch", "needs dates"),
    ("sqrt(n)", "unknown-function", "unknown function 'sqrt'"),
    ("mx(n, k)", "unknown-function", "did you mean 'max'?"),
    ("Round(n)", "unknown-function", "did you mean 'round'?"),
    ("n(1)", "unknown-function", "'n' is a value, not a function"),
    ("max + 1", "unknown-name", "'max' is a function"),
])
def test_bad_calls(text: str, code: str, fragment: str) -> None:
    expr, problems = check_text(text)
    assert expr is None
    assert [p.code for p in problems] == [code], problems
    assert fragment in problems[0].message, problems[0].message


def test_history_not_allowed_where_the_stage_forbids_it() -> None:
    assert codes("prev(n) > 0", history=False) == ["history-not-allowed"]
    assert codes("streak(b) > 0", history=False) == ["history-not-allowed"]
