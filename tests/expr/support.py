"""Helpers the expression tests share: check a text against a scope, and run
it both ways (polars column-wise, reference row-wise) on the same rows."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from incentive.policy.expr.check import check_source
from incentive.policy.expr.check_base import Scope
from incentive.policy.expr.checked import CheckedExpr
from incentive.policy.expr.compile import ColumnContext, history_column, to_polars, zero_division_checks
from incentive.policy.expr.parse import Problem
from incentive.policy.expr.reference import evaluate
from incentive.policy.expr.types import T, polars_dtype
from incentive.policy.model import Source

#: the names most tests use
NAMES: dict[str, T] = {
    "n": T.NUMBER, "k": T.NUMBER, "m": T.MONEY, "m2": T.MONEY, "d": T.DATE, "d2": T.DATE,
    "b": T.BOOL, "c": T.BOOL, "s": T.TEXT,
}


def D(text: str | int) -> Decimal:
    return Decimal(str(text)).quantize(Decimal("1e-12"))


def check_text(text: str, names: dict[str, T] | None = None, *, history: bool = True) -> tuple[CheckedExpr | None, list[Problem]]:
    return check_source(Source(text), Scope(dict(NAMES if names is None else names), history=history, stage="derived"))


def checked(text: str, names: dict[str, T] | None = None) -> CheckedExpr:
    expr, problems = check_text(text, names)
    assert expr is not None, problems
    return expr


def codes(text: str, names: dict[str, T] | None = None, *, history: bool = True) -> list[str]:
    expr, problems = check_text(text, names, history=history)
    assert expr is None
    return [p.code for p in problems]


def frame(rows: list[dict], names: dict[str, T], history: dict[int, list[dict]] | None = None) -> pl.DataFrame:
    data: dict[str, list] = {}
    schema: dict[str, pl.DataType] = {}
    for name, t in names.items():
        data[name] = [r.get(name) for r in rows]
        schema[name] = polars_dtype(t)
        for k, past in (history or {}).items():
            col = history_column(name, k)
            data[col] = [r.get(name) for r in past]
            schema[col] = polars_dtype(t)
    return pl.DataFrame(data, schema=schema)


def both(text: str, rows: list[dict], names: dict[str, T] | None = None, *,
         history: dict[int, list[dict]] | None = None, depth: int | None = None, ppy: int = 4) -> list:
    """The value of ``text`` per row from polars; asserts the reference agrees."""
    names = dict(NAMES if names is None else names)
    expr = checked(text, names)
    history = history or {}
    depth = max(history, default=0) if depth is None else depth
    df = frame(rows, names, history)
    got = df.with_columns(to_polars(expr, ColumnContext(depth, ppy)).alias("__r"))["__r"].to_list()

    def lookup_for(i: int):
        def lookup(name: str, offset: int):
            return rows[i].get(name) if offset == 0 else history.get(offset, [{}] * len(rows))[i].get(name)
        return lookup

    ref = [evaluate(expr, lookup_for(i), periods_per_year=ppy, history_depth=depth) for i in range(len(rows))]
    assert got == ref, f"{text}: polars {got} != reference {ref}"
    for p, r in zip(got, ref):
        assert type(p) is type(r)
    return got


def zero_flags(text: str, rows: list[dict], names: dict[str, T] | None = None) -> list[tuple[str, list]]:
    names = dict(NAMES if names is None else names)
    expr = checked(text, names)
    df = frame(rows, names)
    ctx = ColumnContext()
    return [(t, df.with_columns(c.alias("__z"))["__z"].to_list()) for t, c in zero_division_checks(expr, ctx)]
