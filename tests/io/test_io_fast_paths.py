"""The plain-cell fast path of ``column_plan`` reads exactly like the general path."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive.io.coerce import coerce_series, column_plan, only_plain_cells
from incentive.policy.model import Input


def _fast(raw: pl.Series, inp: Input, grouping: bool) -> pl.DataFrame:
    plan = column_plan(pl.col("c"), inp, key="k", grouping=grouping, plain=True)
    lf = pl.DataFrame({"c": raw}).lazy()
    for stage in plan.stages:
        lf = lf.with_columns(**stage)
    return lf.select(plan.value.alias("value"), plan.bad.alias("bad"), plan.empty.alias("empty")).collect()


def _assert_same(cells: list[str | None], inp: Input, grouping: bool = True) -> None:
    raw = pl.Series(cells, dtype=pl.String)
    assert pl.DataFrame({"c": raw}).select(only_plain_cells(pl.col("c"), inp)).item(), cells
    fast = _fast(raw, inp, grouping)
    general = coerce_series(raw, inp, grouping=grouping)
    assert fast["bad"].to_list() == general["bad"].to_list()
    assert fast["empty"].to_list() == general["empty"].to_list()
    ok = ~general["bad"]
    assert fast["value"].filter(ok).to_list() == general["value"].filter(ok).to_list()


_PLAIN = {
    "integer": ["12", "-3", "+7", "007", "12.0", "12.", "", None, "99999999999999999999", "123456789012345678901234567890"],
    "number": ["1234.5", "-0.25", ".5", "12.", "0.123456789012", "", None, "1" * 30],
    "money": ["712681.75", "-5", "+0.01", "", None, "100000000000000000000"],
    "percent": ["0.85", "1", "-0.5", "", None],
}


@pytest.mark.parametrize("type_", sorted(_PLAIN))
@pytest.mark.parametrize("grouping", [True, False])
def test_plain_numbers_read_like_the_general_path(type_, grouping):
    _assert_same(_PLAIN[type_], Input(id="x", type=type_, required=False), grouping)
    _assert_same(_PLAIN[type_], Input(id="x", type=type_, required=True, min=0, max=100), grouping)


def test_plain_booleans_read_like_the_general_path():
    cells = ["true", "false", "t", "f", "yes", "no", "y", "n", "1", "0", "是", "否", "", None]
    _assert_same(cells, Input(id="x", type="boolean", required=False))
    _assert_same(cells, Input(id="x", type="boolean", required=True, default=False))


@pytest.mark.parametrize("type_, cells", [
    ("integer", ["12", " 12"]), ("integer", ["1,234"]), ("integer", ["  "]),
    ("number", ["1.5e3"]), ("number", ["1.1234567890123"]), ("number", ["NaN"]), ("number", ["12\n"]),
    ("money", ["¥5"]), ("money", ["(5)"]), ("money", ["5元"]), ("money", ["- 5"]),
    ("percent", ["85%"]), ("percent", ["85 ％"]),
    ("boolean", ["TRUE"]), ("boolean", ["Yes"]), ("boolean", [" y"]), ("boolean", ["maybe"]),
])
def test_other_forms_take_the_general_path(type_, cells):
    raw = pl.DataFrame({"c": pl.Series([*cells, "1"], dtype=pl.String)})
    assert not raw.select(only_plain_cells(pl.col("c"), Input(id="x", type=type_))).item()


def test_no_fast_path_for_text_like_types():
    for type_ in ("id", "text", "date"):
        assert only_plain_cells(pl.col("c"), Input(id="x", type=type_)) is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.from_regex(r"\A[+-]?([0-9]{0,25}(\.[0-9]{0,13})?)?\Z"), min_size=1, max_size=8),
       st.sampled_from(["integer", "number", "money", "percent"]), st.booleans())
def test_any_plain_column_reads_like_the_general_path(cells, type_, grouping):
    inp = Input(id="x", type=type_, required=False)
    raw = pl.Series(cells, dtype=pl.String)
    if pl.DataFrame({"c": raw}).select(only_plain_cells(pl.col("c"), inp)).item():
        _assert_same(cells, inp, grouping)
