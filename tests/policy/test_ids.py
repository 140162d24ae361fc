"""D15: one id rule, matched against the whole text, at every place a policy names something.

JSON Schema ``pattern`` is ECMA-262 (``$`` = end of text); Python's ``re.search``
let ``$`` match before a trailing newline, so ``"sales-rep\\n"`` became a
directory name. Generated ids with a control character, a newline, a path
separator or a leading dot must be refused wherever an id is written.
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive.policy.ids import (ID_MAX, ID_PATTERN, POLICY_ID_MAX, POLICY_ID_PATTERN, ecma_regex, ecma_search,
                                  is_id, is_policy_id)
from incentive.policy.schema import load_schema, schema_findings
from incentive.policy.yamlsafe import load_yaml

# A policy using every kind of id once; {X} marks the id under test (written as a JSON string, which
# YAML double-quoted scalars read the same way).
TEMPLATE = """\
policy: {POLICY}
version: "1"
period: month
currency: CNY
inputs:
  employee_id: {type: id}
  {INPUT}: {type: money}
  team: {type: text}
derived:
  {DERIVED}: revenue * 2
aggregates:
  {GROUP}: {sum: revenue, by: {BY}}
kpis:
  {KPI}: {value: revenue, weight: 100, score: {curve: [[0, 0], [1, 100]]}}
ranking:
  by: score
  bands:
    {BAND}: {share: 0.5}
    C: {share: 0.5}
payouts:
  {COMPONENT}: {amount: 1, band_factor: {{BAND_FACTOR}: 1, C: 1}}
budgets:
  {BUDGET}: {amount: 100}
penalties:
  {PENALTY}: {when: revenue < 0, forfeit: [{FORFEIT}], band: {VETO_BAND}}
recommendations:
  {ACTION}: {when: band == "C", action: coaching}
"""
PLACES = ["INPUT", "DERIVED", "GROUP", "BY", "KPI", "BAND", "COMPONENT", "BAND_FACTOR", "BUDGET", "PENALTY",
          "FORFEIT", "VETO_BAND", "ACTION"]
GOOD = {"POLICY": "p", "INPUT": "revenue", "DERIVED": "double", "GROUP": "team_revenue", "BY": "team",
        "KPI": "sales", "BAND": "A", "COMPONENT": "bonus", "BAND_FACTOR": "A", "BUDGET": "pool",
        "PENALTY": "fine", "FORFEIT": "bonus", "VETO_BAND": "C", "ACTION": "coach"}


def policy_text(**ids: str) -> str:
    text = TEMPLATE
    for name, value in {**GOOD, **ids}.items():
        text = text.replace("{" + name + "}", json.dumps(value))
    return text


def schema_errors(text: str) -> list[str]:
    doc = load_yaml(text, "p.yaml")
    return [str(f) for f in schema_findings(doc, "p.yaml")]


def test_the_template_is_valid() -> None:
    assert schema_errors(policy_text()) == []


def test_the_schema_spells_the_documented_patterns() -> None:
    schema = load_schema()
    assert schema["properties"]["policy"]["pattern"] == POLICY_ID_PATTERN
    assert schema["properties"]["policy"]["maxLength"] == POLICY_ID_MAX
    assert schema["$defs"]["id"]["pattern"] == ID_PATTERN
    assert schema["$defs"]["id"]["maxLength"] == ID_MAX
    assert schema["$defs"]["columns"]["pattern"] == ID_PATTERN


@pytest.mark.parametrize("place", ["POLICY", *PLACES])
def test_a_trailing_newline_is_refused_everywhere(place: str) -> None:
    value = GOOD[place] + "\n"
    found = schema_errors(policy_text(**{place: value}))
    assert found, place
    assert any(repr(value) in f and "error schema-value" in f for f in found), found


BAD_CHARS = st.sampled_from(["\n", "\r", "\t", "\x00", "\x1b", "\x7f", "\u2028", "/", "\\", " "])


@st.composite
def hostile_ids(draw, good: str) -> str:
    """A valid id with something no id may hold put somewhere in it, or a leading dot."""
    if draw(st.booleans()):
        return "." + draw(st.sampled_from([good, "", ".", "git"]))
    at = draw(st.integers(0, len(good)))
    return good[:at] + draw(BAD_CHARS) + good[at:]


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_generated_bad_ids_are_refused_at_every_place(data) -> None:
    place = data.draw(st.sampled_from(["POLICY", *PLACES]))
    value = data.draw(hostile_ids(GOOD[place]))
    assert not (is_policy_id(value) if place == "POLICY" else is_id(value))
    assert schema_errors(policy_text(**{place: value})), (place, value)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=12))
def test_the_id_rule_is_a_whole_text_match(text: str) -> None:
    whole_id = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text) is not None and len(text) <= ID_MAX
    whole_policy = re.fullmatch(r"[a-z][a-z0-9_-]*", text) is not None
    assert is_id(text) == whole_id
    assert is_policy_id(text) == whole_policy
    if any(c in text for c in "\n\r\x00/\\") or text.startswith("."):
        assert not is_id(text) and not is_policy_id(text)


def test_ecma_dollar_is_end_of_text_only() -> None:
    assert ecma_search("^a$", "a") and not ecma_search("^a$", "a\n")
    assert ecma_regex(r"^[$]\$$").pattern == r"^[$]\$\Z"  # a literal $ in a class or escaped is kept
    assert ecma_search(r"^[$]\$$", "$$")
