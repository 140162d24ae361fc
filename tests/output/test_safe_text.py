"""OWASP CSV-injection neutralization of text cells."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive.output.safe_text import TRIGGERS, is_formula_like, neutralize, neutralize_expr


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "\x00x",
                                  "=HYPERLINK(\"http://x\")", "-2+3+cmd|' /C calc'!A0"])
def test_each_owasp_prefix_gets_a_quote(text):
    assert neutralize(text) == "'" + text


@pytest.mark.parametrize("text", [" =1+1", "  @x", "\u3000=1", "\u00a0+1", "\u200b-1", "\ufeff=1"])
def test_trigger_after_leading_whitespace_is_neutralized(text):
    assert neutralize(text) == "'" + text


@pytest.mark.parametrize("text", ["abc", "张三", "销售额", "1-2", "a=b", "", "'=1", "E001", "2026-Q3", "a @b"])
def test_plain_text_is_untouched(text):
    assert neutralize(text) == text


def test_vectorized_matches_and_keeps_nulls():
    values = ["=1", "张三", None, " -1", "ok", "@x"]
    out = pl.DataFrame({"t": values, "u": values}).select(neutralize_expr(pl.col("t")), neutralize_expr(pl.col("u")))
    assert out.columns == ["t", "u"]
    assert out["t"].to_list() == ["'=1", "张三", None, "' -1", "ok", "'@x"]


_text = st.text(alphabet=st.sampled_from(list(TRIGGERS) + [" ", "\u3000", "\u00a0", "a", "1", "中", "'", "\u2028"]),
                max_size=6) | st.text(max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(_text, max_size=8))
def test_vectorized_equals_scalar_and_result_is_never_a_formula(values):
    out = pl.DataFrame({"t": values}, schema={"t": pl.String}).select(neutralize_expr(pl.col("t"))).to_series()
    assert out.to_list() == [neutralize(v) for v in values]
    for original, safe in zip(values, out.to_list()):
        assert not is_formula_like(safe)
        assert safe in (original, "'" + original)
