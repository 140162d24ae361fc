"""Parsing: the allow-list, the limits, and hostile input refused fast."""

from __future__ import annotations

import time

import pytest

from incentive.policy.expr.parse import MAX_DEPTH, MAX_LENGTH, parse
from tests.expr.support import D, check_text, checked, codes


def parse_codes(text: str) -> list[str]:
    parsed, problems = parse(text)
    assert parsed is None
    return [p.code for p in problems]


@pytest.mark.parametrize("text, fragment", [
    ("n.__class__", "attribute access ('.__class__')"),
    ("s.upper()", "attribute access ('.upper')"),
    ("'x'.ljust(10**9)", "attribute access ('.ljust')"),
    ("n[0]", "subscripts"),
    ("[x for x in n]", "comprehensions"),
    ("{x for x in n}", "comprehensions"),
    ("{x: 1 for x in n}", "comprehensions"),
    ("sum(x for x in n)", "generator expressions"),
    ("lambda: 1", "lambda"),
    ("(y := 1)", "assignment expressions"),
    ("f'{n}'", "f-strings"),
    ("max(*n)", "starred arguments"),
    ("max(**n)", "keyword unpacking"),
    ("__import__('os')", "dunder names ('__import__')"),
    ("__builtins__", "dunder names"),
    ("n(1)", None),  # a call of a name that is not a library function: checked later
    ("(max)(1, 2)", None),
    ("getattr(n, 'x')(1)", "only library functions can be called"),
    ("{1: 2}", "dict literals"),
    ("{1, 2}", "set literals"),
    ("(1, 2)", "tuples are allowed only"),
    ("[1, 2]", "lists are allowed only"),
    ("n ** k", "literal integer exponent"),
    ("999999**999999", "literal integer exponent"),
    ("'x' * 10**9", "literal integer exponent"),
    ("n ** 5", "literal integer exponent"),
    ("n ** -1", "literal integer exponent"),
    ("n ** 2.0", "literal integer exponent"),
    ("n @ k", "operator '@'"),
    ("n << 2", "operator '<<'"),
    ("n | k", "operator '|'"),
    ("~n", "operator '~'"),
    ("n is None", "'is' / 'is not'"),
    ("None", "'None' is not allowed"),
    ("b'x' == s", "byte strings"),
    ("1j", "complex numbers"),
    ("...", "is not allowed"),
    ("s in t", "must be a literal list"),
    ("s in (t, 'a')", "may hold only literal numbers and texts"),
    ("n in (1, -2, 'a', n)", "may hold only literal"),
    ("n in (1, 2) == b", "must be the last comparison of a chain"),
])
def test_forbidden_constructs(text: str, fragment: str | None) -> None:
    parsed, problems = parse(text)
    if fragment is None:
        assert parsed is not None
        return
    assert parsed is None
    assert [p.code for p in problems] == ["expr-forbidden"], problems
    assert fragment in problems[0].message


def test_forbidden_message_points_at_the_construct() -> None:
    _, problems = parse("n + x.__class__")
    assert problems[0].start == 4


@pytest.mark.parametrize("text", ["", "   ", "n +", "1 if", "n = 1", "n ==", "(n", "n)", "'abc", "a b", "n\x00"])
def test_syntax_errors(text: str) -> None:
    assert parse_codes(text) == ["expr-syntax"]


def test_syntax_error_position_counts_characters() -> None:
    _, problems = parse('"华东华东" == )')
    assert problems[0].start == 10  # the ')' is the 11th character


def test_leading_blanks_and_trailing_newline_are_fine() -> None:
    assert checked("  n + 1\n").type.value == "number"


@pytest.mark.parametrize("text, code", [
    ("n + " * 600 + "n", "expr-too-complex"),  # > 2000 characters
    ("(" * 41 + "n" + ")" * 41, "expr-too-complex"),  # brackets too deep
    ("-" * 45 + "n", "expr-too-complex"),  # nesting without brackets
    ("+".join(["n"] * 300), "expr-too-complex"),  # deep left-leaning sum
    ("max(" + ", ".join(["n"] * 520) + ")", "expr-too-complex"),  # too many parts
    ("1" * 31, "expr-too-complex"),  # number literal of 31 digits
    ("s == '" + "x" * 201 + "'", "expr-too-complex"),  # text literal of 201 characters
])
def test_limits(text: str, code: str) -> None:
    assert parse_codes(text) == [code]


def test_limits_at_the_edge_are_accepted() -> None:
    assert parse("(" * MAX_DEPTH + "n" + ")" * MAX_DEPTH)[0] is not None
    assert parse("1" * 30)[0] is not None
    assert parse("s == '" + "x" * 200 + "'")[0] is not None
    assert parse("n" + " " * (MAX_LENGTH - 1))[0] is not None
    assert parse("'(((((((((((((((((((((((((((((((((((((((((((((((' == s")[0] is not None  # brackets in text


@pytest.mark.parametrize("text", [
    "(" * 10_000 + "n" + ")" * 10_000,
    "[" * 10_000,
    "-" * 100_000 + "n",
    "not " * 100_000 + "b",
    "'x' * 10**9",
    "'x'.ljust(10**9)",
    "999999**999999",
    "9" * 100_000,
    "x.__class__.__bases__[0].__subclasses__()",
    "__import__('os').system('echo hacked')",
    "(lambda: 1)()",
    "n" + " + n" * 499,  # under the length limit, but a 500-deep tree
])
def test_hostile_input_is_refused_fast(text: str) -> None:
    started = time.perf_counter()
    expr, problems = check_text(text)
    elapsed = time.perf_counter() - started
    assert expr is None
    assert problems and problems[0].code in ("expr-too-complex", "expr-forbidden", "expr-syntax")
    assert elapsed < 0.5


def test_numbers_are_exact_decimals_from_their_text() -> None:
    assert checked("0.1").node.value == D("0.1")
    assert checked("1_000.25").node.value == D("1000.25")
    assert checked("1e3").node.value == D(1000)
    assert checked("0x10").node.value == D(16)
    assert checked("0.1234567890125").node.value == D("0.123456789012")  # half-even at 12 places


def test_numbers_beyond_the_decimal_range_are_refused() -> None:
    assert codes("1e30") == ["expr-too-complex"]
    assert codes("n in (1, 1e40)") == ["expr-too-complex"]
