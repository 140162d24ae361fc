"""Reading policy-test files: the model, and every format error at file:line:col."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from incentive.errors import PolicyLoadError, Pos
from incentive.policytest.loader import load_test_file
from tests.policytest.support import col_of, line_of, write

GOOD = """\
policy: ../rules/mini.yaml
overrides: ["kpis.sales.weight=100"]
defaults: {target: 100000}
cases:
  - name: at target
    period: 2026-Q1
    tolerance: 0.01
    input:
      - {employee_id: E1, revenue: 100000}
    history:
      - {period: 2025-Q4, results: [{employee_id: E1, score: 50}]}
      - period: 2025-Q3
        input: [{employee_id: E1, revenue: 0}]
    expect:
      E1:
        commission: "3000.00"
        score: 100
        recommendations: [b, a, a]
"""


def errors(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, "t.test.yaml", text)
    with pytest.raises(PolicyLoadError) as info:
        load_test_file(path)
    return [str(f) for f in info.value.findings]


def test_a_good_file_becomes_the_model(tmp_path: Path) -> None:
    path = write(tmp_path / "tests", "t.test.yaml", GOOD)
    test = load_test_file(path)
    assert Path(test.policy) == tmp_path / "rules" / "mini.yaml"
    assert test.policy_pos == Pos(1, 9)
    assert [o.text for o in test.overrides] == ["kpis.sales.weight=100"]
    assert [(c.key, c.value) for c in test.defaults] == [("target", 100000)]
    (case,) = test.cases
    assert (case.name, case.period, case.tolerance) == ("at target", "2026-Q1", Decimal("0.01"))
    assert [(c.key, c.value) for c in case.rows[0].cells] == [("employee_id", "E1"), ("revenue", 100000)]
    assert [(h.period, h.kind) for h in case.history] == [("2025-Q4", "results"), ("2025-Q3", "input")]
    commission, score, recs = case.expectations
    assert (commission.employee, commission.quantity, commission.expected) == ("E1", "commission", "3000.00")
    assert commission.pos == Pos(line_of(path, "commission:"), col_of(path, "commission:"))
    assert score.expected == 100
    assert recs.expected == ("a", "b")  # a set of actions, kept sorted


def test_yaml_12_scalars_keep_text_as_text(tmp_path: Path) -> None:
    test = load_test_file(write(tmp_path, "t.test.yaml", GOOD.replace("revenue: 100000}", "revenue: 100000, region: NO}")))
    cells = dict((c.key, c.value) for c in test.cases[0].rows[0].cells)
    assert cells["region"] == "NO"  # YAML 1.1 would read Norway as false


def test_unknown_and_missing_keys_point_at_their_line(tmp_path: Path) -> None:
    found = errors(tmp_path, """\
        policy: p.yaml
        cases:
          - name: x
            priod: 2026-Q1
            input: [{employee_id: E1}]
            expect: {E1: {total: 1}}
        extra: 1
        """)
    assert [f.split(": ", 1)[1] for f in found] == [
        "error schema-required cases[0]: 'period' is required",
        "error schema-unknown-key cases[0]: unknown key 'priod' (did you mean 'period'?); "
        "allowed: name, description, period, overrides, input, history, expect, tolerance",
        "error schema-unknown-key top level: unknown key 'extra'; allowed: policy, description, overrides, "
        "defaults, cases",
    ]
    assert [f.split(": ", 1)[0].rsplit(":", 2)[1:] for f in found] == [["3", "5"], ["4", "5"], ["7", "1"]]


def test_wrong_types_and_values(tmp_path: Path) -> None:
    found = errors(tmp_path, """\
        policy: p.yaml
        overrides: [50]
        cases:
          - name: x
            period: [2026]
            input: []
            expect: {E1: 3}
            tolerance: -1
          - name: y
            period: 2026-Q1
            input: [{a: [1]}, 7]
            expect: {}
            history: [{period: 2025-Q4}, {period: 2025-Q3, input: [{a: 1}], results: [{a: 1}]}]
          - name: z
            period: 2026-Q1
            input: [{employee_id: E1}]
            expect: {E1: {recommendations: [1], band: [A]}}
        """)
    text = "\n".join(found)
    for expected in (
        ":2:13: error schema-value overrides[0]: expected PATH=VALUE text, got a number (quote the whole item)",
        ":5:13: error schema-type cases[0].period: expected a period label such as 2026-Q3, 2026-10 or 2026, got a list",
        ":6:12: error schema-value cases[0].input: at least one row is needed",
        ":7:18: error schema-type cases[0].expect.E1: expected a mapping of quantity -> expected value, got a number",
        ":8:16: error schema-value cases[0].tolerance: expected a number of 0 or more (e.g. 0.01), got -1",
        ":11:17: error schema-type cases[1].input[0].a: expected a single value, got a list",
        ":11:23: error schema-type cases[1].input[1]: expected a mapping of column -> value, got a number",
        ":12:13: error schema-value cases[1].expect: expect at least one value",
        ":13:15: error schema-value cases[1].history[0]: give exactly one of 'input'",
        ":13:34: error schema-value cases[1].history[1]: give exactly one of 'input'",
        ":17:36: error schema-type cases[2].expect.E1.recommendations: expected a list of recommended actions "
        "such as [improvement_plan] ([] for none), got a number in the list",
        ":17:47: error schema-type cases[2].expect.E1.band: expected a single value, got a list",
    ):
        assert expected in text, expected
    assert len(found) == 12


def test_duplicate_case_names_and_yaml_keys(tmp_path: Path) -> None:
    found = errors(tmp_path, """\
        policy: p.yaml
        cases:
          - {name: same, period: 2026-Q1, input: [{employee_id: E1}], expect: {E1: {total: 1}}}
          - {name: same, period: 2026-Q1, input: [{employee_id: E1}], expect: {E1: {total: 1, total: 2}}}
        """)
    assert any(":4:12: error duplicate-id case name 'same' is already used at line 3" in f for f in found)
    assert any(":4:87: error yaml-duplicate-key duplicate key 'total'" in f for f in found)


def test_anchors_and_bad_yaml_are_refused(tmp_path: Path) -> None:
    found = errors(tmp_path, "policy: p.yaml\ncases:\n  - &c {name: a}\n")
    assert found and ":3:5: error yaml-alias anchors (&c) are not allowed" in found[0]
    found = errors(tmp_path, "policy: p.yaml\ncases: [\n")
    assert len(found) == 1 and ": error yaml-syntax " in found[0]


@pytest.mark.parametrize(("text", "message"), [
    ("", "error not-a-test the document is empty"),
    ("- a\n", "error not-a-test the document is a list"),
    ("policy: ~\ncases: ~\n", "error schema-type policy: expected the path of the policy file"),
])
def test_not_a_test_file(tmp_path: Path, text: str, message: str) -> None:
    found = errors(tmp_path, text)
    assert message in found[0]


def test_a_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(PolicyLoadError) as info:
        load_test_file(tmp_path / "nope.test.yaml")
    assert str(info.value).endswith(":0:0: error file-unreadable no such file")
