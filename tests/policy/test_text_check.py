"""Policy text that displays as something else is refused: bidi controls, invisible and control characters."""

from __future__ import annotations

import pytest

from incentive.policy.text_check import text_findings
from incentive.policy.yamlsafe import load_yaml

BASE = 'policy: t\ntitle: {text}\nreason: plain\n'


@pytest.mark.parametrize("char", ["\\u202e", "\\u2066", "\\u200b", "\\u2060", "\\ufeff", "\\x07", "\\u2028", "\\u200f"])
def test_each_kind_is_an_error_at_its_character(char):
    doc = load_yaml(BASE.format(text=f'"ab{char}c"').encode(), "p.yaml")
    [f] = text_findings(doc)
    assert (f.line, f.col, f.level, f.code) == (2, 11, "error", "invisible-char")
    assert f.message.startswith("title: text has U+") and "at character 3" in f.message


@pytest.mark.parametrize("text", ['"销售额 达成率"', '"line one\\nline two\\tend"', "'emoji 👍 and ⅓'", '"العربية"'])
def test_ordinary_text_passes(text):
    assert text_findings(load_yaml(BASE.format(text=text).encode(), "p.yaml")) == []


def test_a_key_is_checked_too():
    doc = load_yaml('policy: t\ninputs:\n  "sa\\u200dles": {type: money}\n'.encode(), "p.yaml")
    [f] = text_findings(doc)
    assert f.line == 3 and "key has U+200D" in f.message
