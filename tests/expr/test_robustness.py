"""Any text at all: the checker returns a typed expression or at least one
problem with a known code; it never raises."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.expr.support import check_text

CODES = {"expr-syntax", "expr-forbidden", "expr-too-complex", "unknown-name", "unknown-function",
         "bad-arguments", "type-mismatch", "history-not-allowed"}

TOKENS = ["n", "k", "m", "d", "b", "s", "x", "0", "1", "2.5", "1e3", "'A'", "'华东'", "+", "-", "*", "/", "//", "%",
          "**", "==", "<", ">=", "!=", "and", "or", "not", "in", "not in", "if", "else", "(", ")", ",", "[", "]",
          "min", "max", "round", "safe_div", "streak", "prev", "count_last", "date", "days_between", "coalesce",
          "True", "None", ".", "lambda", ":", "=", "__class__", "n=", "default="]


def assert_well_behaved(text: str) -> None:
    expr, problems = check_text(text)
    if expr is None:
        assert problems, text
        assert {p.code for p in problems} <= CODES, problems
        assert all(0 <= p.start <= len(text) for p in problems), problems
    else:
        assert problems == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=12).map(" ".join))
def test_token_soup(text: str) -> None:
    assert_well_behaved(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text(text: str) -> None:
    assert_well_behaved(text)
