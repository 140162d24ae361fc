"""DuckDB and Spark credit every golden dataset identically: the same rows, values, types and decimal scales.

Each dataset and period runs through ``run_credit`` twice -- DuckDB, then a
local Spark session -- and the credit table, the per-person period table
and the written files must be the same: schema (DECIMAL(18,2) is not
DECIMAL(38,2)), every value as its ``repr`` (``Decimal('1.50')`` is not
``Decimal('1.5')``), the order of the rows, and the CSV bytes. Where the
case has hand-computed expected files, Spark's output must equal them too.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from incentive.app.credit import run_credit
from tests.credits.conformance.datasets import Dataset, datasets

pytestmark = pytest.mark.spark

RUNS = [(d, p) for d in datasets() for p in d.periods]


def assert_identical(duck: pl.DataFrame, spark: pl.DataFrame, what: str) -> None:
    assert spark.schema == duck.schema, f"{what}: types differ"
    assert spark.height == duck.height, f"{what}: {spark.height} rows on Spark, {duck.height} on DuckDB"
    for name in duck.columns:
        a, b = [repr(v) for v in duck[name].to_list()], [repr(v) for v in spark[name].to_list()]
        assert b == a, f"{what}: column {name!r} differs"


def credit_on(engine: str, dataset: Dataset, period: str, out: Path):
    return run_credit(str(dataset.policy), dataset.sources, period, str(out), engine=engine,
                      crediting=str(dataset.crediting) if dataset.crediting else None)


@pytest.mark.parametrize("dataset, period", RUNS, ids=[f"{d}-{p}" for d, p in RUNS])
def test_spark_credits_the_golden_dataset_exactly_as_duckdb(spark_session, tmp_path, dataset, period):
    duck = credit_on("duckdb", dataset, period, tmp_path / "duckdb")
    spark = credit_on("spark", dataset, period, tmp_path / "spark")
    assert duck.credits is not None and spark.credits is not None and duck.table is not None and spark.table is not None
    assert duck.credits.height > 0
    assert_identical(duck.credits.frame(), spark.credits.frame(), "credit table")
    assert_identical(duck.table, spark.table, "period table")
    assert spark.notes == duck.notes
    assert [p.name for p in spark.written] == [p.name for p in duck.written]
    for name in ("period.csv", "credits.csv"):
        assert (tmp_path / "spark" / name).read_bytes() == (tmp_path / "duckdb" / name).read_bytes(), name
        if dataset.expected is not None:
            assert (tmp_path / "spark" / name).read_bytes() == (dataset.expected / period / name).read_bytes(), name


def test_the_comparison_tells_a_scale_apart():
    """``Decimal('1.50')`` and ``Decimal('1.5')`` compare equal in Python: the suite must not let that pass."""
    from decimal import Decimal

    a = pl.DataFrame({"x": [Decimal("1.50")]}, schema={"x": pl.Decimal(18, 2)})
    b = pl.DataFrame({"x": [Decimal("1.5")]}, schema={"x": pl.Decimal(18, 1)})
    with pytest.raises(AssertionError):
        assert_identical(a, b, "t")


CLAWBACK = """
clawbacks:
  clawback: {refunds: cancellations, payouts: [commission], basis: revenue}
"""


def test_spark_picks_the_same_refunds_for_a_clawback_and_leaves_them_out_of_the_same_sums(spark_session, tmp_path):
    """A recover-mode clawback: the refund of a Q1 line in Q2 is out of Q2's sums and handed to the close, the
    same rows and values on both engines (the SQL of ``credits.recover`` runs on each)."""
    from incentive.app.credit import credit_sources
    from incentive.policy.validate import load_policy

    crm = next(d for d in datasets() if d.name == "sales-rep-crm")
    policy = tmp_path / "sales-rep.yaml"
    policy.write_text(crm.policy.read_text(encoding="utf-8") + CLAWBACK, encoding="utf-8")
    checked = load_policy(str(policy))
    runs = {engine: credit_sources(checked, str(policy), crm.sources, "2026-Q2", crediting=str(crm.crediting),
                                   engine=engine) for engine in ("duckdb", "spark")}
    duck, spark = runs["duckdb"], runs["spark"]
    assert list(duck.recoveries) == list(spark.recoveries) == ["clawback"]
    assert duck.recoveries["clawback"].height == 2  # SO20260001's two owners
    assert_identical(duck.recoveries["clawback"], spark.recoveries["clawback"], "recovered credits")
    assert_identical(duck.period_frame, spark.period_frame, "period table")
    revenue = dict(zip(duck.period_frame["employee_id"].to_list(), duck.period_frame["revenue"].to_list()))
    assert revenue["E001"] == 0  # the cancellation is recovered at the close, not netted here
