"""The escapes the Markdown and HTML plan renderers rely on: policy text can open no syntax of its own."""

from __future__ import annotations

import re

import pytest

from incentive.documents.plan import md
from incentive.documents.plan.html import css_string


@pytest.mark.parametrize("value, shown", [
    ("# heading", "\\# heading"), ("- item", "\\- item"), ("1. first", "1\\. first"), ("---", "\\---"),
    ("*b* _i_ [x](y) `c` a|b ~s~", "\\*b\\* \\_i\\_ \\[x\\](y) \\`c\\` a\\|b \\~s\\~"),
    ("<script>&", "&lt;script&gt;&amp;"), ("https://x.example www.x.example", "https\\://x.example www\\.x.example"),
    ("two\nlines", "two lines"), ("0.8", "0.8"), ("2026-01-01", "2026-01-01"),
])
def test_markdown_text_is_literal(value, shown):
    assert md.text(value) == shown


def test_a_code_span_outlasts_any_backticks_and_keeps_table_cells_apart():
    span = md.code('a == "``x`"')
    fence = re.match(r"`+", span)[0]
    assert len(fence) == 3 and span == '```a == "``x`"```'
    assert md.code("a | b", in_table=True) == "`a \\| b`"


def test_a_css_string_cannot_be_closed_by_its_text():
    value = 'x"; } body { display: none } @page { content: "'
    literal = css_string(value)
    assert literal.startswith('"') and literal.endswith('"')
    assert not re.search(r'["{};]', literal[1:-1])
