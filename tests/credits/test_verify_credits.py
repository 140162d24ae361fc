"""verify's re-aggregation of the measures from a credit table equals the SQL's, on the golden case."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from incentive.app.verify_credits import _aggregate, _compare, _text_csv
from incentive.credits.load import load_definition

CASE = Path(__file__).resolve().parents[2] / "tests" / "cases" / "credits" / "basic"


class _Entry:
    seq = 7


@pytest.mark.parametrize("period", ["2026-Q1", "2026-Q2"])
def test_re_aggregated_measures_equal_the_period_table(period):
    definition = load_definition(CASE / "crediting.yaml")
    credits = _text_csv((CASE / "expected" / period / "credits.csv").read_bytes())
    table = _text_csv((CASE / "expected" / period / "period.csv").read_bytes())
    checked = [m for m in definition.measures if m.kind != "count_distinct" and not m.where]
    assert {m.kind for m in checked} == {"sum", "count", "earliest"}
    for m in checked:
        assert _compare(m, _aggregate(m, credits, 2), table, "employee_id", Path("credits.csv"), _Entry()) == [], m.id


def test_a_credit_that_does_not_add_up_is_named():
    definition = load_definition(CASE / "crediting.yaml")
    credits = _text_csv((CASE / "expected" / "2026-Q1" / "credits.csv").read_bytes())
    table = _text_csv((CASE / "expected" / "2026-Q1" / "period.csv").read_bytes())
    changed = credits.with_columns(
        pl.when((pl.col("line_id") == "SO-002") & (pl.col("person") == "E1"))
        .then(pl.lit("1999.99")).otherwise(pl.col("credited")).alias("credited"))
    revenue = next(m for m in definition.measures if m.id == "revenue")
    assert _aggregate(revenue, changed, 2)["E1"] == Decimal("3033.33")
    problems = _compare(revenue, _aggregate(revenue, changed, 2), table, "employee_id", Path("credits.csv"), _Entry())
    assert problems == ["credits.csv: measure 'revenue' of E1: 3033.33 re-aggregated from the credit table, "
                        "'3033.34' in the period table recorded in ledger entry 7"]
