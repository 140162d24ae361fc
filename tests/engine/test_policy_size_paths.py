"""D10: the paths that keep large policies linear give the same numbers as the plain ones.

The weighted score of many KPIs is added as a balanced tree, a long chain of
derived values is computed in stretches of ``MAX_LAZY_STEPS`` lazy steps, and
expression checking shares one view of the visible names per stage. None of
it may change a result: these tests pin the values, not the speed (the speed
is measured by ``benchmarks/policy_size.py``).
"""

from __future__ import annotations

from decimal import Decimal as D

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive.engine import context
from incentive.engine.kpis import _balanced_sum
from incentive.numeric import DTYPE
from tests.engine.policy_kit import person, run


@settings(max_examples=60, deadline=None)
@given(st.lists(st.decimals(-10**9, 10**9, places=12, allow_nan=False, allow_infinity=False), min_size=1, max_size=70))
def test_balanced_sum_is_the_exact_sum(values: list[D]) -> None:
    frame = pl.DataFrame({f"c{i}": [v] for i, v in enumerate(values)}, schema={f"c{i}": DTYPE for i in range(len(values))})
    got = frame.select(_balanced_sum([pl.col(f"c{i}") for i in range(len(values))]).alias("s")).item()
    assert got == sum(values, D(0))


def test_many_kpis_score_is_the_weighted_sum(tmp_path) -> None:
    n = 40  # weights 2.5 each; KPI i scores i % 7 * 10 points from its value
    kpis = "".join(f"  k{i}: {{value: x + {i % 7}, weight: 2.5, score: {{curve: [[0, 0], [10, 100]]}}}}\n"
                   for i in range(n))
    results = run(tmp_path, "inputs:\n  employee_id: {type: id}\n  x: {type: number}\nscore: {scale: 100, decimals: 4}\n"
                  "kpis:\n" + kpis, [{"employee_id": "E1", "x": "1"}, {"employee_id": "E2", "x": "0"}])
    expected = {e: sum((D(min(x + i % 7, 10)) * 10 * D("2.5") for i in range(n)), D(0)) / 100 for e, x in (("E1", 1), ("E2", 0))}
    assert person(results, "E1")["score"] == expected["E1"]
    assert person(results, "E2")["score"] == expected["E2"]


def test_a_chain_longer_than_one_lazy_stretch(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(context, "MAX_LAZY_STEPS", 4)  # many stretches, each computed, same values
    n = 30
    derived = "derived:\n  d0: x + 1\n" + "".join(f"  d{i}: d{i - 1} * 2 - d{i - 1} + 1\n" for i in range(1, n))
    body = "inputs:\n  employee_id: {type: id}\n  x: {type: number}\n" + derived + \
        f"kpis:\n  k: {{value: d{n - 1}, weight: 100, score: {{curve: [[0, 0], [100, 100]]}}}}\n"
    results = run(tmp_path, body, [{"employee_id": "E1", "x": "5"}, {"employee_id": "E2", "x": "-3"}])
    assert person(results, "E1")[f"d{n - 1}"] == D(5 + n)
    assert person(results, "E2")[f"d{n - 1}"] == D(-3 + n)
    assert person(results, "E1")["k"] == D(5 + n)
