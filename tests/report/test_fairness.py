"""The adverse-impact report on generated data: a planted disparity is flagged with the hand-computed
Fisher p-value, equal treatment raises no flag, small groups are neither pass nor fail, and nothing
depends on the row order."""

from __future__ import annotations

import csv
import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incentive.app.run import RunOptions, run_evaluation
from incentive.report.fairness import fairness_report
from incentive.report.fairness_text import fairness_table, fixed, flag_lines, p_text

POLICY = """
policy: fair-test
version: "1"
period: quarter
currency: CNY
inputs:
  employee_id: {type: id}
  gender: {type: text, column: 性别}
  perf: {type: number, min: 0}
fairness: {columns: [gender], min_group: 5}
kpis:
  result: {value: perf, weight: 100, score: {curve: [[0, 0], [100, 100]]}}
ranking:
  by: score
  bands: {A: {share: 0.2}, B: {share: 0.8}}
payouts:
  bonus: {amount: perf * 10}
recommendations:
  spotlight: {when: band == "A", action: recognition}
"""


def write(tmp: Path, people: list[tuple[str, str, int]], name: str = "data.csv") -> Path:
    path = tmp / name
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["employee_id", "性别", "perf"])
        writer.writerows(people)
    return path


def evaluate(tmp: Path, people: list[tuple[str, str, int]], name: str = "data.csv"):
    policy = tmp / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    return run_evaluation(str(policy), str(write(tmp, people, name)), RunOptions(period="2026-Q1"))


def planted() -> list[tuple[str, str, int]]:
    """50 men and 50 women; the top 20 performers (band A) are 15 men and 5 women."""
    men = [(f"M{i:02d}", "男", 100 - i) for i in range(15)] + [(f"M{i:02d}", "男", 90 - i) for i in range(15, 50)]
    women = [(f"F{i:02d}", "女", 90 - i * 2) for i in range(5)] + [(f"F{i:02d}", "女", 78 - i // 2)
                                                                  for i in range(5, 50)]
    return men + women


def hypergeometric_p(a: int, b: int, c: int, d: int) -> float:
    """Two-sided Fisher p by hand: the probability of every table with the same margins that is at most
    as likely as the observed one (with the usual relative tolerance for ties of probability)."""
    row, col, n = a + b, a + c, a + b + c + d
    def prob(x: int) -> Fraction:
        return Fraction(math.comb(row, x) * math.comb(n - row, col - x), math.comb(n, col))
    observed = prob(a)
    lo, hi = max(0, col - (n - row)), min(row, col)
    return float(sum(p for x in range(lo, hi + 1) if (p := prob(x)) <= observed * Fraction(1 + 10**-7)))


def cell(report, group: str, kind: str, sid: str):
    return next(c for c in report.cells if c.group == group and (c.selection.kind, c.selection.id) == (kind, sid))


def test_a_planted_disparity_is_flagged_with_the_exact_fisher_p(tmp_path):
    results = evaluate(tmp_path, planted())
    report = fairness_report(results)
    women, men = cell(report, "女", "band", "A"), cell(report, "男", "band", "A")
    assert (women.headcount, women.selected, men.selected) == (50, 5, 15)
    assert women.rate == Fraction(1, 10) and men.rate == Fraction(3, 10)
    assert women.ratio == Fraction(1, 3) and women.reference == "男" and women.status == "flag"
    assert men.ratio == 1 and men.status == "pass"
    expected = hypergeometric_p(5, 45, 15, 35)
    assert women.p_value == pytest.approx(expected, rel=1e-9)
    assert 0.01 < expected < 0.05  # the planted split is unlikely by chance
    # the same disparity through the action that band A raises
    assert cell(report, "女", "action", "recognition").status == "flag"
    line = flag_lines(results.checked.policy, report)[0]
    assert line == (f"fairness: gender=女 band A selection rate 0.1000 is 0.3333 of 男's (four-fifths rule); "
                    f"Fisher p={p_text(expected)}")
    zh = flag_lines(results.checked.policy, report, "zh")[0]
    assert zh.startswith("公平性：性别=女：A 档入选率 0.1000，为 男 的 0.3333 倍") and "费希尔精确检验" in zh


def test_equal_treatment_raises_no_flag(tmp_path):
    # each man has a woman with the same performance: every selection splits evenly
    people = [(f"{g}{i:02d}", name, 100 - i) for i in range(50) for g, name in (("M", "男"), ("F", "女"))]
    report = fairness_report(evaluate(tmp_path, people))
    assert report.flags() == []
    assert {c.status for c in report.cells} <= {"pass", "no_selection", "not_judged"}
    a = cell(report, "女", "band", "A")
    assert a.rate == cell(report, "男", "band", "A").rate and a.ratio == 1 and a.p_value == pytest.approx(1.0)
    assert [g.ratio for g in report.pay] == [1, 1]


def test_a_small_group_is_too_small_not_pass_or_fail_and_never_the_reference(tmp_path):
    people = planted() + [(f"X{i}", "未说明", 200) for i in range(3)]  # 3 people, all at the very top
    report = fairness_report(evaluate(tmp_path, people))
    small = cell(report, "未说明", "band", "A")
    assert (small.headcount, small.selected, small.status) == (3, 3, "too_small")
    assert small.ratio is None and small.p_value is None and small.reference is None
    assert cell(report, "女", "band", "A").reference == "男"  # the most-favoured group is a group of size
    pay = next(g for g in report.pay if g.group == "未说明")
    assert pay.median_total is None and pay.ratio is None  # a median of three people is their pay
    # the others are compared against everyone else, the small group included
    women, men = cell(report, "女", "band", "A"), cell(report, "男", "band", "A")
    others = (men.selected + small.selected, men.headcount - men.selected + small.headcount - small.selected)
    assert women.p_value == pytest.approx(hypergeometric_p(women.selected, women.headcount - women.selected,
                                                           *others), rel=1e-9)


def test_pay_quartiles_and_medians_are_exact(tmp_path):
    results = evaluate(tmp_path, planted())
    report = fairness_report(results)
    quartiles = [c for c in report.cells if c.selection.kind == "pay_quartile"]
    assert sum(c.selected for c in quartiles) == 100  # every person in exactly one quartile
    assert {c.selection.id for c in quartiles} == {"Q1", "Q2", "Q3", "Q4"}
    totals = sorted(10 * p for _, _, p in planted())
    cut = totals[74]  # nearest rank: the 75th of 100 totals
    top = [g for _, g, p in planted() if 10 * p > cut]
    assert cell(report, "男", "pay_quartile", "Q4").selected == top.count("男")
    assert cell(report, "女", "pay_quartile", "Q4").selected == top.count("女")
    women = next(g for g in report.pay if g.group == "女")
    totals = sorted(Decimal(10 * p) for _, g, p in planted() if g == "女")
    assert women.median_total == (totals[24] + totals[25]) / 2
    table = fairness_table(report, 2)
    assert table.schema["median_total"] == pl.Decimal(38, 2)
    assert all(v == "" or len(v.split(".")[1]) == 4 for v in table.get_column("rate").to_list())
    assert fixed(Fraction(2, 3)) == "0.6667" and p_text(0.0310344) == "0.03103" and p_text(1.0) == "1.000"


def test_no_fairness_section_no_report(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY.replace("fairness: {columns: [gender], min_group: 5}\n", "")
                      .replace("  gender: {type: text, column: 性别}\n", ""), encoding="utf-8")
    results = run_evaluation(str(policy), str(write(tmp_path, planted())), RunOptions(period="2026-Q1"))
    assert fairness_report(results) is None and flag_lines(results.checked.policy, None) == []


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(list(range(103))))
def test_the_report_does_not_depend_on_row_order(tmp_path, order):
    people = planted() + [(f"X{i}", "未说明", 50) for i in range(3)]
    first = fairness_table(fairness_report(evaluate(tmp_path, people, "a.csv")), 2)
    shuffled = fairness_table(fairness_report(evaluate(tmp_path, [people[i] for i in order], "b.csv")), 2)
    assert first.equals(shuffled)


def test_an_adverse_outcome_flags_the_group_selected_more_often(tmp_path):
    """The bottom band (here B) is adverse: the four-fifths rule compares the rates of avoiding it.
    Women are in B 45 times in 50, men 35: women avoid it at 0.1 against men's 0.3, a ratio of 1/3,
    so women are flagged -- never the men, whose lower bottom-band rate is no adverse impact."""
    results = evaluate(tmp_path, planted())
    report = fairness_report(results)
    women, men = cell(report, "女", "band", "B"), cell(report, "男", "band", "B")
    assert women.selection.direction == "adverse"
    assert (women.rate, men.rate) == (Fraction(9, 10), Fraction(7, 10))
    assert women.ratio == Fraction(1, 3) and women.reference == "男" and women.status == "flag"
    assert men.ratio == 1 and men.status == "pass"
    assert women.p_value == pytest.approx(hypergeometric_p(45, 5, 35, 15), rel=1e-9)
    lines = flag_lines(results.checked.policy, report)
    assert "fairness: gender=女 band B rate 0.9000: 女 avoid it at 0.3333 of 男's rate (four-fifths rule)" \
        in [line.split("; Fisher")[0] for line in lines]
    assert not any(line.startswith("fairness: gender=男") and " band B " in line for line in lines)
    # the lowest pay quartile is adverse too, the middle ones are reported but not judged
    assert cell(report, "女", "pay_quartile", "Q1").selection.direction == "adverse"
    assert {cell(report, g, "pay_quartile", q).status for g in ("男", "女") for q in ("Q2", "Q3")} == {"not_judged"}


def test_the_report_is_computed_once_per_evaluation(tmp_path, monkeypatch):
    """A close reads it for fairness.csv, the report page and the terminal: one computation."""
    from dataclasses import replace

    from incentive.report import fairness

    results = evaluate(tmp_path, planted())
    calls = []
    real = fairness._compute
    monkeypatch.setattr(fairness, "_compute", lambda r: calls.append(r) or real(r))
    first = fairness_report(results)
    assert fairness_report(results) is first and len(calls) == 1
    other = replace(results, frame=results.frame.head(0))  # another evaluation: its own report
    assert fairness_report(other) is not first and len(calls) == 2
