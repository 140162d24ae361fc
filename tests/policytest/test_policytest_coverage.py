"""Coverage: which branches of a policy no case exercises."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from incentive.policy.validate import load_policy
from incentive.policytest.coverage import coverage_of, items
from incentive.policytest.runner import run_file, run_paths
from tests.policytest.support import ROOT, col_of, line_of, mini, write

CASES = """\
policy: mini.yaml
defaults: {target: 100000}
cases:
  - name: nothing sold twice
    period: 2026-Q1
    history: [{period: 2025-Q4, results: [{employee_id: E1, revenue: 0}]}]
    input: [{employee_id: E1, revenue: 0}]
    expect: {E1: {total: 0, recommendations: [no_results_review]}}
  - name: above target
    period: 2026-Q1
    input: [{employee_id: E2, revenue: 120000}, {employee_id: E3, revenue: 50000, violation: true}]
    expect: {E2: {commission: "4000.00"}, E3: {commission: 0}}
"""


def test_a_small_policy_with_one_untested_tier(tmp_path: Path) -> None:
    policy = mini(tmp_path)
    run = run_file(write(tmp_path, "mini.test.yaml", CASES))
    assert [c.status for c in run.cases] == ["passed", "passed"]
    (outcome,) = coverage_of([run])
    assert outcome.policy == str(policy)
    assert (outcome.covered, outcome.total, outcome.percent) == (6, 7, Decimal("85.7"))
    (untested,) = outcome.untested
    assert (untested.file, untested.level, untested.code) == (str(policy), "warning", "untested")
    assert (untested.line, untested.col) == (line_of(policy, "from: 1.5"), col_of(policy, "{from: 1.5"))
    assert untested.message == "payout commission: tier 3 of 3 (attainment from 1.5) is never reached"
    assert outcome.headline() == f"coverage of {policy}: 6 of 7 items (85.7%)"


def test_the_minimum_is_per_policy(tmp_path: Path) -> None:
    mini(tmp_path)
    run = run_file(write(tmp_path, "mini.test.yaml", CASES))
    (below,) = coverage_of([run], Decimal(90))
    assert not below.ok and below.headline().endswith("(85.7%), below the minimum of 90%")
    (enough,) = coverage_of([run], Decimal("85.7"))
    assert enough.ok


def test_history_periods_do_not_count(tmp_path: Path) -> None:
    mini(tmp_path)
    # the earlier quarter (evaluated from its rows) reaches the third tier; the tested quarter does not
    text = CASES.replace("results: [{employee_id: E1, revenue: 0}]", "input: [{employee_id: E1, revenue: 200000}]")
    text = text.replace("total: 0, recommendations: [no_results_review]", "recommendations: []")
    run = run_file(write(tmp_path, "mini.test.yaml", text))
    assert [c.status for c in run.cases] == ["passed", "passed"]
    (outcome,) = coverage_of([run])
    assert [f.message for f in outcome.untested] == [
        "payout commission: tier 3 of 3 (attainment from 1.5) is never reached",
        "recommendation review (no_results_review) never fires"]


def test_items_of_a_shipped_policy() -> None:
    checked = load_policy(ROOT / "rules" / "sales-rep.yaml")
    found = items(checked.policy)
    kinds = {}
    for it in found:
        kinds[it.kind] = kinds.get(it.kind, 0) + 1
    assert kinds == {"kpi": 10, "eligibility": 2, "band": 3, "tier": 7, "gate": 2, "cap": 2, "penalty": 1,
                     "veto": 1, "recommendation": 4, "exit_guard": 1, "protected": 2}
    assert len({it.key for it in found}) == len(found)
    assert all(it.pos.line > 0 for it in found)


def test_the_shipped_policies_are_fully_covered() -> None:
    runs, _ = run_paths([ROOT / "rules"])
    outcomes = coverage_of(runs, Decimal(100))
    assert [Path(o.policy).name for o in outcomes] == ["collection-commission.yaml", "new-rep-draw.yaml",
                                                      "sales-manager.yaml", "sales-rep.yaml", "service-quality.yaml"]
    assert [str(f) for o in outcomes for f in o.untested] == []
    assert all(o.ok for o in outcomes)
    small = ("new-rep-draw.yaml", "collection-commission.yaml")
    assert all(o.total > 25 for o in outcomes if not o.policy.endswith(small))  # the big plans


GUARDED = """\
policy: guards
version: "1"
period: quarter
currency: CNY
inputs:
  employee_id: {type: id}
  sales: {type: money, min: 0}
  status: {type: text, required: false}
kpis:
  sales_kpi: {value: sales, weight: 100, score: {curve: [[0, 0], [100, 100]]}}
ranking:
  by: score
  bands: {A: {share: 0.5}, C: {share: 0.5}}
protected:
  pregnancy:
    when: status == "产期"
    article: 劳动合同法第四十二条(四)
recommendations:
  improvement: {when: band == "C", action: improvement_plan}
  exit: {when: streak(band == "C") >= 2, action: exit_review}
"""

GUARD_CASE = """\
policy: guards.yaml
cases:
  - name: {name}
    period: 2026-Q2
    history: [{{period: 2026-Q1, results: [{{employee_id: P2, band: C{earlier}}}]}}]
    input: [{{employee_id: P1, sales: 90}}, {{employee_id: P2, sales: 10{status}}}]
    expect: {{P2: {{exit.action: {action}}}}}
"""


def test_the_exit_guards_are_items_a_case_must_exercise(tmp_path: Path) -> None:
    """A plan with exit rules: each protected status and each exit rule's no-earlier-improvement path."""
    (tmp_path / "guards.yaml").write_text(GUARDED, encoding="utf-8")
    keys = [i.key for i in items(load_policy(str(tmp_path / "guards.yaml")).policy)]
    assert "protected.pregnancy" in keys and "recommendations.exit.without_improvement" in keys

    plain = GUARD_CASE.format(name="an exit review after a plan", earlier=", recommendations: [improvement_plan]",
                              status="", action="exit_review")
    (outcome,) = coverage_of([run_file(write(tmp_path, "a.test.yaml", plain))])
    guards = [f.message.split(":")[0] for f in outcome.untested if f.message.startswith(("protected", "recommendation"))]
    assert sorted(guards) == ["protected status pregnancy", "recommendation exit (exit_review)"]

    guarded = plain + GUARD_CASE.format(name="protected", earlier=", recommendations: [improvement_plan]",
                                        status=", status: 产期", action="legal_review").split("cases:\n")[1] \
        + GUARD_CASE.format(name="no plan on record", earlier="", status="", action="improvement_plan").split(
            "cases:\n")[1]
    run = run_file(write(tmp_path, "b.test.yaml", guarded))
    assert [c.status for c in run.cases] == ["passed"] * 3
    (outcome,) = coverage_of([run])
    assert [f.message for f in outcome.untested if "protected" in f.message or "improvement step" in f.message] == []
