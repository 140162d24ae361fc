"""The compiled SQL: rounding as Python's decimal does it, and only the portable subset."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive.credits import sql
from incentive.credits.load import load_definition
from incentive.numeric import ROUNDING_MODES, py_round

CASE = Path(__file__).resolve().parents[1] / "cases" / "credits" / "basic"


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**18), st.sampled_from(ROUNDING_MODES))
def test_round_units_rounds_like_the_policy_says(units, mode):
    x = Decimal(units).scaleb(-8)  # a DECIMAL(28,8) value in minor units, e.g. 1234.50000000
    con = duckdb.connect()
    got = con.execute(f"SELECT CAST({sql.round_units(f'CAST({x} AS DECIMAL(28,8))', mode)} AS DECIMAL(38,0))").fetchall()[0][0]
    assert got == py_round(x, 0, mode)


@pytest.mark.parametrize("x, mode, expected", [
    ("2.5", "half_up", 3), ("2.5", "half_even", 2), ("3.5", "half_even", 4), ("2.49999999", "half_up", 2),
    ("2.00000001", "up", 3), ("2.99999999", "down", 2), ("2.50000001", "half_even", 3)])
def test_round_units_at_the_halves(x, mode, expected):
    con = duckdb.connect()
    got = con.execute(f"SELECT {sql.round_units(f'CAST({x} AS DECIMAL(28,8))', mode)}").fetchall()[0][0]
    assert got == expected


def test_literals_never_carry_quotes_or_backslashes():
    assert sql.text_literal("负责人") == "'负责人'"
    for bad in ("o'brien", "a\\b", "x\ny"):
        with pytest.raises(ValueError):
            sql.text_literal(bad)
    with pytest.raises(ValueError):
        sql.name("drop table x")


def test_the_compiled_sql_keeps_to_the_portable_subset():
    definition = load_definition(CASE / "crediting.yaml")
    texts = [sql.direct_sql(definition, date(2026, 1, 1), date(2026, 4, 1), 2, mode) for mode in ROUNDING_MODES]
    texts += [sql.credits_sql(2, ("team",)), sql.UNASSIGNED, sql.ANY_UNASSIGNED, sql.rollup_sums_sql(),
              sql.measures_sql(definition, 2),
              sql.counts_sql(definition, date(2026, 1, 1), date(2026, 4, 1))]
    for text in texts:
        upper = text.upper()
        for construct in ("ASOF", "RECURSIVE", "QUALIFY", "::", "ILIKE", "LIST(", "STRUCT", " // ", "TRY_CAST"):
            assert construct not in upper, construct
        assert "/" not in re.sub(r"'[^']*'", "", text), "no division in SQL (DuckDB divides decimals as doubles)"
        # every decimal literal is cast explicitly
        assert not re.search(r"(?<![\w.(])\d+\.\d+(?![\w]*\s+AS\s+DECIMAL)", re.sub(r"CAST\([^()]*\)", "", text))
