"""Differential test: random well-typed expressions, compiled to polars and
run over a random frame (nulls, zeros, history periods), must equal the
row-wise reference evaluator on every row, exactly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

import polars as pl
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from incentive.policy.expr.compile import ColumnContext, to_polars, zero_division_checks
from incentive.policy.expr.reference import evaluate
from incentive.policy.expr.types import T
from tests.expr.support import check_text, frame

COLUMNS = {"n1": T.NUMBER, "n2": T.NUMBER, "m1": T.MONEY, "m2": T.MONEY, "d1": T.DATE, "d2": T.DATE,
           "b1": T.BOOL, "b2": T.BOOL, "s1": T.TEXT}
PPY = 2  # two periods a year: last_year reads offset 2
MAX_DEPTH = 3  # history periods in the frame

NUMBER_LITERALS = ["0", "1", "2", "-3", "2.5", "0.001", "100", "7", "0.3333"]
TEXT_LITERALS = ["'A'", "'B'", "'华东'", "''"]


def paren(*parts: str) -> str:
    return "(" + "".join(parts) + ")"


@lru_cache(maxsize=None)
def expr(t: T, depth: int, hist: bool) -> st.SearchStrategy[str]:
    """Expressions of type ``t``; ``hist``: history functions still allowed."""
    leaves = {
        T.NUMBER: st.sampled_from(["n1", "n2"] + NUMBER_LITERALS),
        T.MONEY: st.sampled_from(["m1", "m2"]),
        T.BOOL: st.sampled_from(["b1", "b2", "True", "False"]),
        T.TEXT: st.sampled_from(["s1"] + TEXT_LITERALS),
        T.DATE: st.sampled_from(["d1", "d2", "date('2026-01-31')", "date('2024-02-29')"]),
    }[t]
    if depth == 0:
        return leaves
    sub = depth - 1

    def e(kind: T) -> st.SearchStrategy[str]:
        return expr(kind, sub, hist)

    num, money, boolean, text, day = (e(T.NUMBER), e(T.MONEY), e(T.BOOL), e(T.TEXT), e(T.DATE))
    numeric = st.one_of(num, money)
    digits = st.integers(0, 3).map(str)
    options: list[st.SearchStrategy[str]] = [leaves]
    if t == T.NUMBER:
        options += [
            st.tuples(num, st.sampled_from(["+", "-", "*", "/", "//", "%"]), num).map(lambda x: paren(x[0], f" {x[1]} ", x[2])),
            st.tuples(money, money).map(lambda x: paren(x[0], " / ", x[1])),
            st.tuples(st.sampled_from(["-", "abs", "floor", "ceil"]), num).map(lambda x: paren(x[0], "(", x[1], ")")),
            st.tuples(num, digits).map(lambda x: f"round({x[0]}, {x[1]})"),
            st.tuples(leaves, st.integers(0, 3)).map(lambda x: paren(x[0], f" ** {x[1]}")),
            st.tuples(st.sampled_from(["min", "max"]), st.lists(num, min_size=2, max_size=3)).map(lambda x: f"{x[0]}({', '.join(x[1])})"),
            st.tuples(num, num, num).map(lambda x: f"clamp({x[0]}, {x[1]}, {x[2]})"),
            st.tuples(num, num).map(lambda x: f"safe_div({x[0]}, {x[1]})"),
            st.tuples(money, money, num).map(lambda x: f"safe_div({x[0]}, {x[1]}, default={x[2]})"),
            st.tuples(num, num).map(lambda x: f"coalesce({x[0]}, {x[1]})"),
            st.tuples(num, num).map(lambda x: f"if_null({x[0]}, {x[1]})"),
            st.tuples(num, boolean, num).map(lambda x: paren(x[0], " if ", x[1], " else ", x[2])),
            st.tuples(st.sampled_from(["year", "quarter", "month", "day"]), day).map(lambda x: f"{x[0]}({x[1]})"),
            st.tuples(st.sampled_from(["days_between", "months_between"]), day, day).map(lambda x: f"{x[0]}({x[1]}, {x[2]})"),
        ]
    elif t == T.MONEY:
        options += [
            st.tuples(money, st.sampled_from(["+", "-"]), numeric).map(lambda x: paren(x[0], f" {x[1]} ", x[2])),
            st.tuples(num, money).map(lambda x: paren(x[0], " * ", x[1])),
            st.tuples(money, st.sampled_from(["*", "/", "//", "%"]), num).map(lambda x: paren(x[0], f" {x[1]} ", x[2])),
            st.tuples(money, st.sampled_from(["//", "%"]), money).map(lambda x: paren(x[0], f" {x[1]} ", x[2])),
            st.tuples(st.sampled_from(["-", "abs", "floor", "ceil"]), money).map(lambda x: paren(x[0], "(", x[1], ")")),
            st.tuples(money, digits).map(lambda x: f"round({x[0]}, {x[1]})"),
            st.tuples(st.sampled_from(["min", "max"]), money, numeric).map(lambda x: f"{x[0]}({x[1]}, {x[2]})"),
            st.tuples(money, num, num).map(lambda x: f"clamp({x[0]}, {x[1]}, {x[2]})"),
            st.tuples(money, num).map(lambda x: f"safe_div({x[0]}, {x[1]})"),
            st.tuples(money, numeric).map(lambda x: f"coalesce({x[0]}, {x[1]})"),
            st.tuples(money, boolean, numeric).map(lambda x: paren(x[0], " if ", x[1], " else ", x[2])),
        ]
    elif t == T.BOOL:
        cmp = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])
        options += [
            st.tuples(numeric, cmp, numeric).map(lambda x: paren(x[0], f" {x[1]} ", x[2])),
            st.tuples(numeric, cmp, numeric, cmp, numeric).map(lambda x: paren(*(f" {p} " if i % 2 else p for i, p in enumerate(x)))),
            st.tuples(day, cmp, day).map(lambda x: paren(x[0], f" {x[1]} ", x[2])),
            st.tuples(text, cmp, text).map(lambda x: paren(x[0], f" {x[1]} ", x[2])),
            st.tuples(boolean, st.sampled_from(["==", "!="]), boolean).map(lambda x: paren(x[0], f" {x[1]} ", x[2])),
            st.tuples(boolean, st.sampled_from(["and", "or"]), boolean).map(lambda x: paren(x[0], f" {x[1]} ", x[2])),
            st.lists(boolean, min_size=3, max_size=3).map(lambda x: paren(" and ".join(x[:2]), " or ", x[2])),
            boolean.map(lambda x: paren("not ", x)),
            st.tuples(numeric, st.sampled_from(["in", "not in"]), st.lists(st.sampled_from(NUMBER_LITERALS), max_size=3))
              .map(lambda x: paren(x[0], f" {x[1]} (", "".join(v + ", " for v in x[2]), ")")),
            st.tuples(text, st.sampled_from(["in", "not in"]), st.lists(st.sampled_from(TEXT_LITERALS), min_size=1, max_size=3))
              .map(lambda x: paren(x[0], f" {x[1]} [", ", ".join(x[2]), "]")),
            st.tuples(num, num, num).map(lambda x: f"between({x[0]}, {x[1]}, {x[2]})"),
            st.tuples(day, day, day).map(lambda x: f"between({x[0]}, {x[1]}, {x[2]})"),
            st.tuples(boolean, boolean, boolean).map(lambda x: paren(x[0], " if ", x[1], " else ", x[2])),
        ]
    elif t == T.TEXT:
        options += [
            st.tuples(text, boolean, text).map(lambda x: paren(x[0], " if ", x[1], " else ", x[2])),
            st.tuples(text, text).map(lambda x: f"coalesce({x[0]}, {x[1]})"),
        ]
    else:
        options += [
            st.tuples(st.sampled_from(["min", "max"]), day, day).map(lambda x: f"{x[0]}({x[1]}, {x[2]})"),
            st.tuples(day, boolean, day).map(lambda x: paren(x[0], " if ", x[1], " else ", x[2])),
            st.tuples(day, day).map(lambda x: f"if_null({x[0]}, {x[1]})"),
        ]
    if hist:
        def reads_a_column(text: str) -> bool:
            return any(name in text for name in COLUMNS)

        past = expr(t, sub, False).filter(reads_a_column)
        options += [
            past.map(lambda x: f"prev({x})"),
            st.tuples(past, st.integers(1, MAX_DEPTH + 1)).map(lambda x: f"prev({x[0]}, {x[1]})"),
            past.map(lambda x: f"last_year({x})"),
        ]
        if t == T.NUMBER:
            cond = expr(T.BOOL, sub, False).filter(reads_a_column)
            options += [
                cond.map(lambda x: f"streak({x})"),
                st.tuples(st.integers(1, MAX_DEPTH + 2), cond).map(lambda x: f"count_last({x[0]}, {x[1]})"),
            ]
    return st.one_of(options)


def values(t: T) -> st.SearchStrategy:
    if t in (T.NUMBER, T.MONEY):
        return st.one_of(
            st.none(), st.just(Decimal(0)),
            st.sampled_from([Decimal(1), Decimal(-1), Decimal("0.5"), Decimal("-2.5"), Decimal("0.000000000005")]),
            st.decimals(min_value=-10_000, max_value=10_000, places=4, allow_nan=False, allow_infinity=False),
        ).map(lambda v: None if v is None else v.quantize(Decimal("1e-12")))
    if t == T.BOOL:
        return st.sampled_from([True, False, None])
    if t == T.TEXT:
        return st.sampled_from(["A", "B", "华东", "", None])
    return st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2028, 12, 31)))


row = st.fixed_dictionaries({name: values(t) for name, t in COLUMNS.items()})


@st.composite
def cases(draw):
    n = draw(st.integers(1, 6))
    rows = draw(st.lists(row, min_size=n, max_size=n))
    depth = draw(st.integers(0, MAX_DEPTH))
    # an earlier period is either recorded for a person or entirely missing
    history = {k: [draw(row) if draw(st.booleans()) else {} for _ in range(n)] for k in range(1, depth + 1)}
    t = draw(st.sampled_from(list(T)))
    text = draw(expr(t, draw(st.integers(1, 3)), True))
    return text, rows, history, depth


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cases())
def test_polars_equals_reference(case) -> None:
    text, rows, history, depth = case
    checked, problems = check_text(text, COLUMNS)
    assert checked is not None, (text, problems)  # the generator writes only well-typed text
    df = frame(rows, COLUMNS, history)
    ctx = ColumnContext(history_depth=depth, periods_per_year=PPY)
    try:
        got = df.with_columns(to_polars(checked, ctx).alias("__r"))["__r"].to_list()
    except pl.exceptions.ComputeError as exc:
        assert "overflow" in str(exc), (text, exc)
        assume(False)
    for check_text_, cond in zero_division_checks(checked, ctx):
        assert check_text_ in text
        df.with_columns(cond.alias("__z"))  # evaluates without error

    for i, expected in enumerate(got):
        def lookup(name: str, offset: int, i: int = i):
            return rows[i][name] if offset == 0 else history[offset][i].get(name)

        actual = evaluate(checked, lookup, periods_per_year=PPY, history_depth=depth)
        assert actual == expected and type(actual) is type(expected), (text, i, rows[i], actual, expected)
