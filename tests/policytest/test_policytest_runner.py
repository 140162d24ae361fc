"""Running policy tests: comparisons, failures, test-file errors found with the policy, history, overrides."""

from __future__ import annotations

from pathlib import Path

from incentive.policytest.runner import FileRun, discover, exit_status, run_file, run_paths
from tests.policytest.support import col_of, line_of, mini, write

HEAD = """\
policy: mini.yaml
defaults: {target: 100000}
cases:
"""

AT_TARGET = """\
  - name: at target
    period: 2026-Q1
    input:
      - {employee_id: E1, revenue: 100000}
      - {employee_id: E2, 销售额: 160000}
    expect:
      E1:
        attainment: 1
        sales: 100
        score: 100.00
        commission: "3000.00"
        total: 3000
        violation: false
        period_end: 2026-03-31
        employee_id: E1
        recommendations: []
      E2:
        commission: 6200.000      # 3,000 + 50,000 x 5% + 10,000 x 7%
"""


def run_text(tmp_path: Path, cases: str, head: str = HEAD, keyword: str | None = None) -> tuple[FileRun, Path]:
    mini(tmp_path)
    path = write(tmp_path, "mini.test.yaml", head + cases)
    return run_file(path, keyword), path


def messages(run: FileRun) -> list[str]:
    return [str(p) for c in run.cases for p in [*c.errors, *c.failures]] + [str(f) for f in run.errors]


def test_passing_expectations_compare_exactly(tmp_path: Path) -> None:
    run, _ = run_text(tmp_path, AT_TARGET)
    assert messages(run) == []
    assert [c.status for c in run.cases] == ["passed"]
    assert exit_status([run]) == 0


def test_a_broken_expectation_fails_with_expected_and_actual_at_its_line(tmp_path: Path) -> None:
    run, path = run_text(tmp_path, AT_TARGET.replace('commission: "3000.00"', 'commission: "2999.99"')
                         .replace("score: 100.00", "score: 99.5")
                         .replace("recommendations: []", "recommendations: [no_results_review]")
                         .replace("violation: false", "violation: true"))
    (case,) = run.cases
    assert case.status == "failed" and not case.errors
    line = line_of(path, "2999.99")
    assert str(case.failures[0]) == (f"{path}:{line - 1}:9: case 'at target': employee E1: score expected 99.5, "
                                     f"got 100")
    assert str(case.failures[1]) == (f"{path}:{line}:9: case 'at target': employee E1: commission expected "
                                     f"2999.99, got 3000.00")
    assert [f.message.split(": ", 2)[2] for f in case.failures[2:]] == [
        "violation expected true, got false",
        "recommendations expected [no_results_review], got []",
    ]
    assert dict(case.failures[1].details) == {"case": "at target", "employee": "E1", "quantity": "commission",
                                              "expected": "2999.99", "actual": "3000.00"}
    assert exit_status([run]) == 1


def test_money_is_exact_whatever_the_tolerance(tmp_path: Path) -> None:
    cases = """\
  - name: tolerant
    period: 2026-Q1
    tolerance: 0.5
    input: [{employee_id: E1, revenue: 100000}, {employee_id: E3, revenue: 50000}]
    expect:
      E1: {score: 100.4, commission: "3000.01"}
      E3: {score: 49.4, sales: 50.5}
"""
    run, _ = run_text(tmp_path, cases)
    assert [f.message.split(": ", 2)[2] for f in run.cases[0].failures] == [
        "commission expected 3000.01, got 3000.00",  # money: never within a tolerance
        "score expected 49.4 ± 0.5, got 50",
    ]


def test_null_text_and_dates(tmp_path: Path) -> None:
    cases = """\
  - name: nulls
    period: 2026-Q1
    input: [{employee_id: E1, revenue: 100000, hired: 2025-05-06}, {employee_id: "007", revenue: 100000}]
    expect:
      E1: {hired: 2025-05-06, band: null, rank: null}
      "007": {employee_id: "007", hired: null, commission: null}
"""
    run, _ = run_text(tmp_path, cases)
    assert [f.message.split(": ", 2)[2] for f in run.cases[0].failures] == ["commission expected null, got 3000.00"]


def test_problems_of_the_test_itself_are_errors_at_their_line(tmp_path: Path) -> None:
    cases = """\
  - name: broken
    period: 2026-Q1
    input:
      - {employee_id: E1, revenue: 100000}
    expect:
      E1: {comission: 1, commission: abc, violation: "no", sales: true}
      E9: {total: 1}
"""
    run, path = run_text(tmp_path, cases)
    (case,) = run.cases
    assert case.status == "error" and exit_status([run]) == 2
    row = line_of(path, "comission")
    assert [str(e).removeprefix(f"{path}:") for e in case.errors] == [
        f"{row}:12: error unknown-name case 'broken': employee E1: no quantity 'comission' in the results "
        f"(did you mean 'commission'?)",
        f"{row}:{col_of(path, 'abc')}: error type-mismatch case 'broken': employee E1: commission is an amount of money, but the "
        f"expected value is the text 'abc'",
        f"{row}:{col_of(path, 'no')}: error type-mismatch case 'broken': employee E1: violation is true or false, but the expected "
        f"value is the text 'no'",
        f"{row}:{col_of(path, 'true')}: error type-mismatch case 'broken': employee E1: sales is a number, but the expected value is "
        f"the boolean true",
        f"{row + 1}:7: error unknown-employee case 'broken': employee 'E9' is not in the case's input rows (ids: E1)",
    ]


def test_bad_input_rows_are_reported_at_the_cell(tmp_path: Path) -> None:
    cases = """\
  - name: bad rows
    period: 2026-Q1
    input:
      - {employee_id: E1, revenue: -5}
      - {employee_id: E2, revnue: 5}
    expect:
      E1: {total: 0}
"""
    run, path = run_text(tmp_path, cases)
    (case,) = run.cases
    assert [str(e) for e in case.errors] == [
        f"{path}:{line_of(path, 'revnue')}:{col_of(path, 'revnue')}: error unknown-input case 'bad rows': input "
        f"row 2: 'revnue' is not an input of policy 'mini' (by id or column header) (did you mean 'revenue'?)",
    ]
    run, path = run_text(tmp_path, cases.replace("revnue: 5", "revenue: 5"))
    (error,) = run.cases[0].errors
    assert str(error) == (f"{path}:{line_of(path, '-5')}:{col_of(path, '-5')}: error bad-input case 'bad rows': "
                          f"input row 1, column 'revenue': value '-5': at least 0")


def test_one_input_given_twice_and_an_unknown_default(tmp_path: Path) -> None:
    cases = """\
  - name: twice
    period: 2026-Q1
    input: [{employee_id: E1, revenue: 1, 销售额: 2}]
    expect: {E1: {total: 0}}
"""
    run, _ = run_text(tmp_path, cases)
    assert "error duplicate-input case 'twice': input row 1: '销售额' and 'revenue'" in messages(run)[0]
    run, path = run_text(tmp_path, cases, head=HEAD.replace("{target: 100000}", "{targte: 100000}"))
    assert run.cases == [] and [str(e) for e in run.errors] == [
        f"{path}:2:12: error unknown-input defaults: 'targte' is not an input of policy 'mini' (by id or column "
        f"header) (did you mean 'target'?)"]


def test_overrides_make_a_parametric_variant(tmp_path: Path) -> None:
    cases = """\
  - name: higher base rate
    period: 2026-Q1
    overrides: ["payouts.commission.tiers.table[0].rate=0.04"]
    input: [{employee_id: E1, revenue: 100000}]
    expect: {E1: {commission: "4000.00"}}
  - name: the file's policy is untouched
    period: 2026-Q1
    input: [{employee_id: E1, revenue: 100000}]
    expect: {E1: {commission: "3000.00"}}
  - name: a bad override
    period: 2026-Q1
    overrides: ["payouts.comission.cap=1"]
    input: [{employee_id: E1, revenue: 100000}]
    expect: {E1: {commission: "3000.00"}}
  - name: an invalid variant
    period: 2026-Q1
    overrides: ["kpis.sales.weight=50"]
    input: [{employee_id: E1, revenue: 100000}]
    expect: {E1: {commission: "3000.00"}}
"""
    run, path = run_text(tmp_path, cases)
    assert [c.status for c in run.cases] == ["passed", "passed", "error", "error"]
    bad = run.cases[2].errors[0]
    assert (bad.line, bad.col, bad.code) == (line_of(path, "comission.cap"), col_of(path, "payouts.comission"),
                                             "bad-override")
    assert bad.message == ("case 'a bad override': override 'payouts.comission.cap=1': there is no key 'comission' "
                           "in payouts (did you mean 'commission'?)")
    invalid = run.cases[3].errors
    assert invalid[0].code == "invalid-override" and "weights" in invalid[0].message
    assert any(f.code == "weights-sum" and f.file.endswith("mini.yaml") for f in invalid[1:])


def test_file_overrides_apply_to_every_case(tmp_path: Path) -> None:
    head = HEAD.replace("defaults:", 'overrides: ["payouts.commission.tiers.table[0].rate=0.04"]\ndefaults:')
    run, _ = run_text(tmp_path, AT_TARGET.replace('"3000.00"', '"4000.00"').replace("total: 3000", "total: 4000")
                      .replace("6200.000", "7200"), head=head)
    assert messages(run) == []


def test_history_from_input_rows_and_from_recorded_results(tmp_path: Path) -> None:
    cases = """\
  - name: no revenue twice, evaluated
    period: 2026-Q1
    history:
      - {period: 2025-Q4, input: [{employee_id: E1, revenue: 0}, {employee_id: E2, revenue: 5}]}
    input: [{employee_id: E1, revenue: 0}, {employee_id: E2, revenue: 0}]
    expect:
      E1: {recommendations: [no_results_review]}
      E2: {recommendations: []}
  - name: no revenue three times, recorded
    period: 2026-01
    history:
      - {period: 2025年第3季度, results: [{employee_id: E1, revenue: 0}]}
      - {period: 2025-Q4, results: [{employee_id: E1, revenue: "0.00"}]}
    input: [{employee_id: E1, revenue: 0}]
    expect:
      E1: {recommendations: [no_results_review]}
  - name: a gap breaks the streak
    period: 2026-Q1
    history:
      - {period: 2025-Q3, results: [{employee_id: E1, revenue: 0}]}
    input: [{employee_id: E1, revenue: 0}]
    expect:
      E1: {recommendations: []}
"""
    run, _ = run_text(tmp_path, cases)
    assert [c.status for c in run.cases] == ["passed", "error", "passed"]
    assert "bad-period case 'no revenue three times, recorded': period '2026-01' is a month" in messages(run)[0]
    run, _ = run_text(tmp_path, cases.replace("period: 2026-01", "period: 2026-Q1"))
    assert messages(run) == [] and [c.status for c in run.cases] == ["passed"] * 3


def test_history_problems(tmp_path: Path) -> None:
    cases = """\
  - name: later history
    period: 2026-Q1
    history:
      - {period: 2026-Q2, results: [{employee_id: E1, band: C}]}
      - {period: 2025-Q4, results: [{employee_id: E1, band: C}]}
      - {period: 2025-Q4, results: [{employee_id: E1, band: C}]}
    input: [{employee_id: E1, revenue: 0}]
    expect: {E1: {total: 0}}
  - name: recorded values
    period: 2026-Q1
    history:
      - {period: 2025-Q4, results: [{employee_id: E1, revnue: 0}, {revenue: abc}]}
    input: [{employee_id: E1, revenue: 0}]
    expect: {E1: {total: 0}}
"""
    run, _ = run_text(tmp_path, cases)
    first, second = ([e.message for e in c.errors] for c in run.cases)
    assert first == ["case 'later history': history period 2026-Q2 is not before the case's period 2026-Q1",
                     "case 'later history': history period 2025-Q4 is already given at line 8"]
    assert second == [
        "case 'recorded values': history 2025-Q4 results row 1: no quantity 'revnue' in policy 'mini' "
        "(did you mean 'revenue'?)",
        "case 'recorded values': history 2025-Q4 results row 2: revenue is an amount of money; got the text 'abc'",
        "case 'recorded values': history 2025-Q4 results row 2: the employee id ('employee_id') is required",
    ]


def test_keyword_selects_cases_by_name(tmp_path: Path) -> None:
    cases = AT_TARGET + AT_TARGET.replace("at target", "Above TARGET")
    run, _ = run_text(tmp_path, cases, keyword="above")
    assert [c.case.name for c in run.cases] == ["Above TARGET"] and run.deselected == 1
    run, _ = run_text(tmp_path, cases, keyword="target")
    assert len(run.cases) == 2 and run.deselected == 0


def test_an_unusable_policy_stops_the_file(tmp_path: Path) -> None:
    run, path = run_text(tmp_path, AT_TARGET, head=HEAD.replace("mini.yaml", "nope.yaml"))
    assert [str(e) for e in run.errors] == [
        f"{path}:1:9: error file-unreadable policy file not found: {tmp_path / 'nope.yaml'} (paths are relative to "
        f"the test file)"]
    write(tmp_path, "broken.yaml", "policy: x\nversion: '1'\nperiod: quarter\ncurrency: CNY\ninputs: {}\n")
    run, _ = run_text(tmp_path, AT_TARGET, head=HEAD.replace("mini.yaml", "broken.yaml"))
    assert run.errors[0].code == "invalid-policy" and run.errors[0].line == 1
    assert all(f.file.endswith("broken.yaml") for f in run.errors[1:]) and len(run.errors) > 1
    assert exit_status([run]) == 2


def test_discovery_walks_directories_for_test_files(tmp_path: Path) -> None:
    for name in ("a.test.yaml", "sub/b.test.yml", "sub/policy.yaml", ".hidden/c.test.yaml", "sub/.d.test.yaml"):
        write(tmp_path, name, "x: 1\n")
    (tmp_path / "empty").mkdir()
    files, problems = discover([tmp_path, tmp_path / "a.test.yaml", tmp_path / "sub" / "policy.yaml",
                                tmp_path / "missing", tmp_path / "empty"])
    assert [p.relative_to(tmp_path).as_posix() for p in files] == ["a.test.yaml", "sub/b.test.yml", "sub/policy.yaml"]
    assert [(p.code, p.message) for p in problems] == [
        ("file-unreadable", "no such file or directory"),
        ("no-tests", "no *.test.yaml or *.test.yml files in this directory")]


def test_the_shipped_policies_pass_their_tests() -> None:
    root = Path(__file__).resolve().parents[2]
    runs, problems = run_paths([root / "rules"])
    assert problems == [] and len(runs) == 5
    assert [m for r in runs for m in messages(r)] == []
    assert all(r.cases for r in runs) and exit_status(runs) == 0


def test_an_evaluation_the_engine_refuses_is_an_error_of_the_case(tmp_path: Path) -> None:
    cases = """\
  - name: division by zero
    period: 2026-Q1
    overrides: ["derived.attainment=revenue / (target - target)"]
    input: [{employee_id: E1, revenue: 100000}]
    expect: {E1: {total: 0}}
"""
    run, path = run_text(tmp_path, cases)
    (error,) = run.cases[0].errors
    assert (error.line, error.code) == (line_of(path, "- name: division"), "evaluation-error")
    assert error.message.startswith("case 'division by zero': the policy cannot be evaluated on this input: ")
    assert "E1" in error.message
