"""A Chinese plan document has no English prose: every word it prints is Chinese, bar what stays as written
(ids, expressions, the policy's own one-language text such as next steps, the example's data, file hashes)."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from incentive.app.plan import plan_document, render
from incentive.documents.plan.example import run_example
from incentive.documents.plan.words import WORDS
from incentive.policy.validate import load_policy

ROOT = Path(__file__).resolve().parents[2]
POLICIES = sorted(p.name for p in (ROOT / "rules").glob("*.yaml") if not p.name.endswith(".test.yaml"))
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_.:]*")
#: policy vocabulary that is an id, not prose: rounding and tier modes, aggregate functions, expression
#: functions, the command line the example names
KEYWORDS = {"half_up", "half_even", "marginal", "step", "linear", "sum", "count", "mean", "min", "max", "median",
            "all", "safe_div", "months_between", "days_between", "clamp", "streak", "count_last", "coalesce",
            "period_end", "period_days", "period_start", "CNY", "incentive", "sample", "rows", "seed", "sha256",
            "min_group", "and", "or", "not", "true", "false"}


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [str(k), *_strings(v)] if k not in ("zh",)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [str(value)]


@lru_cache(maxsize=None)
def _kept(name: str) -> frozenset[str]:
    """Every word that may stay as written: the policy's ids, expressions and one-language text (its English
    labels excluded: under zh each must be replaced by its zh label), and the example's data values."""
    spec = yaml.safe_load((ROOT / "rules" / name).read_text(encoding="utf-8"))
    spec.pop("description", None)
    english_labels = set()
    for value in _walk(spec):
        if isinstance(value, dict) and "en" in value and "zh" in value:
            english_labels.add(value["en"])
    words = {w for s in _strings(spec) if s not in english_labels for w in IDENT.findall(s)}
    checked = load_policy(ROOT / "rules" / name)
    for row in run_example(checked).results.frame.to_dicts():
        for key, value in row.items():
            words.add(key)
            if isinstance(value, str):
                words.update(IDENT.findall(value))
    return frozenset(words)


def _walk(value: object):
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


def leftover(text: str, name: str) -> list[str]:
    text = re.sub(r"`[^`\n]*`", " ", text)  # code spans: policy source
    text = re.sub(r"\b[0-9a-f]{64}\b", " ", text)  # the policy's sha256
    kept = _kept(name)
    return sorted({w for w in (t.rstrip(".:") for t in IDENT.findall(text.replace("\\", "")))
                   if w not in kept and w not in KEYWORDS and re.search(r"[A-Za-z]{3,}", w)
                   and not re.fullmatch(r"E\d+", w)})


@lru_cache(maxsize=None)
def _md(name: str, lang: str) -> str:
    return render(plan_document(str(ROOT / "rules" / name), lang), "md").decode()


@pytest.mark.parametrize("name", POLICIES)
def test_no_english_prose_in_a_zh_markdown_plan(name):
    assert leftover(_md(name, "zh"), name) == []


@pytest.mark.parametrize("name", POLICIES)
def test_no_english_prose_in_a_zh_html_plan(name):
    page = render(plan_document(str(ROOT / "rules" / name), "zh"), "html").decode()
    page = re.sub(r"<style\b[^>]*>.*?</style>", " ", page, flags=re.S)
    page = re.sub(r"<code>.*?</code>", " ", page, flags=re.S)
    page = re.sub(r"<(path|defs|clipPath|g|use|svg)\b[^>]*>", " ", page)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    assert leftover(text, name) == []


def test_the_check_sees_english_prose():
    """The same check on the English document finds its words: it can fail."""
    left = leftover(_md("sales-rep.yaml", "en"), "sales-rep.yaml")
    assert {"Marginal", "brackets", "Worked", "example", "Outstanding"} <= set(left)


def test_zh_plan_words_for_each_section():
    zh, en = _md("sales-rep.yaml", "zh"), _md("sales-rep.yaml", "en")
    for chinese, english in [("## 适用对象", "## Who this plan covers"), ("超额累进", "Marginal tiers"),
                             ("全额累进", "Step tiers"), ("## 计算示例", "## Worked example"),
                             ("## 排名与档位（271）", "## Ranking and bands (271)"), ("| 批准机构 | 销售委员会 |",
                                                                                     "| approved by | 销售委员会 |"),
                             ("| 销售额达成率 | `sales` |", "| Revenue attainment | `sales` |"),
                             ("| A | 优秀 | 20% |", "| A | Outstanding | 20% |"), ("绩效改进计划", "improvement plan"),
                             ("入职不满3个月", "fewer than 3 months of tenure"), ("连续两期优秀", "top band two periods running")]:
        assert chinese in zh and english not in zh, chinese
        assert english in en and chinese not in en, english


def test_every_word_has_both_languages():
    assert set(WORDS["zh"]) == set(WORDS["en"])
    assert all(WORDS["zh"][k] != WORDS["en"][k] for k in WORDS["en"] if re.search(r"[a-z]{3,}", WORDS["en"][k]))
