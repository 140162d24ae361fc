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
                     "veto": 1, "recommendation": 4}
    assert len({it.key for it in found}) == len(found)
    assert all(it.pos.line > 0 for it in found)


def test_the_shipped_policies_are_fully_covered() -> None:
    runs, _ = run_paths([ROOT / "rules"])
    outcomes = coverage_of(runs, Decimal(100))
    assert [Path(o.policy).name for o in outcomes] == ["sales-manager.yaml", "sales-rep.yaml", "service-quality.yaml"]
    assert [str(f) for o in outcomes for f in o.untested] == []
    assert all(o.ok and o.total > 25 for o in outcomes)
