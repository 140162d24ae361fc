"""Property: random small datasets credit identically on DuckDB and Spark (few examples: a Spark run takes seconds)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from incentive.credits.checks import check_links
from incentive.credits.engine import credit
from incentive.credits.load import load_definition
from incentive.credits.prepare import prepare
from tests.credits.conformance.test_conformance import assert_identical
from tests.credits.test_properties import CREDITING, END, START, scenarios, write

pytestmark = pytest.mark.spark


@settings(max_examples=2, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(case=scenarios())
def test_random_datasets_credit_identically_on_both_engines(spark_session, case):
    from incentive.credits.spark import SparkEngine

    assignments, lines, splits, _held, mode = case
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        (folder / "crediting.yaml").write_text(CREDITING, encoding="utf-8")
        definition = load_definition(folder / "crediting.yaml")
        data = prepare(definition, write(folder, assignments, lines, splits), currency="CNY", decimals=2)
        check_links(definition, data)
        duck = credit(definition, data, START, END, decimals=2, rounding=mode)
        engine = SparkEngine(session=spark_session.newSession())
        try:
            spark = credit(definition, data, START, END, decimals=2, rounding=mode, engine=engine)
        finally:
            engine.close()
    assert_identical(duck.credits, spark.credits, "credit table")
    assert_identical(duck.measures, spark.measures, "measures")
    assert (spark.outside, spark.excluded, spark.levels) == (duck.outside, duck.excluded, duck.levels)
