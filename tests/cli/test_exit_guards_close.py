"""Exit-type recommendations over real closes into a temporary ledger (issue 16, items 2 and 3).

Ten people, bands A 50% / B 30% / C 20%: P09 and P10 are at the bottom every
quarter. P10 is on maternity leave (``status: 产期``). An exit review is
never raised for P10 (``legal_review``, naming the status and the article),
and for P09 only once an earlier closed period recorded an improvement step.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

QUARTERS = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]

POLICY = """\
policy: guards
version: "1"
period: quarter
currency: CNY
inputs:
  employee_id: {type: id}
  sales: {type: money, min: 0}
  status: {type: text, required: false, column: 员工状态}
  medical_leave_until: {type: date, required: false}
kpis:
  sales_kpi: {value: sales, weight: 100, score: {curve: [[0, 0], [100, 100]]}}
ranking:
  by: score
  bands:
    A: {share: 0.5}
    B: {share: 0.3}
    C: {share: 0.2}
recommendations:
{improvement}  exit:
    when: streak(band == "C") >= 3
    action: exit_review
    reason: {en: bottom band three quarters running, zh: 连续三期末位}
protected:
  pregnancy:
    when: status == "孕期" or status == "产期" or status == "哺乳期"
    article: 劳动合同法第四十二条(四)
    reason: {en: "pregnancy, maternity or nursing", zh: 孕期、产期、哺乳期}
  medical:
    when: medical_leave_until >= period_end
    article: 劳动合同法第四十二条(三)
    reason: {en: medical treatment period, zh: 医疗期内}
"""

IMPROVEMENT = """\
  improvement:
    when: band == "C"
    action: improvement_plan
"""


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def write_data(path: Path) -> None:
    rows = ["employee_id,sales,员工状态,medical_leave_until"]
    for i in range(1, 11):
        status = "产期" if i == 10 else ""
        rows.append(f"P{i:02d},{110 - i * 10},{status},")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def setup(tmp: Path, *, improvement: bool) -> Path:
    (tmp / "guards.yaml").write_text(POLICY.replace("{improvement}", IMPROVEMENT if improvement else ""), encoding="utf-8")
    write_data(tmp / "data.csv")
    return tmp


def close(tmp: Path, quarter: str, *extra: str, run=cli) -> subprocess.CompletedProcess:
    done = run("close", "guards.yaml", "data.csv", "--period", quarter, "--ledger", "ledger.sqlite",
               "--out", "out", "--by", "hr-test", *extra, cwd=tmp)
    assert done.returncode == 0, done.stderr
    return done


def recs(tmp: Path, quarter: str) -> pl.DataFrame:
    return pl.read_csv(tmp / "out" / "guards" / quarter / "recommendations.csv", infer_schema=False)


def actions(tmp: Path, quarter: str) -> dict[str, str]:
    frame = pl.read_csv(tmp / "out" / "guards" / quarter / "results.csv", infer_schema=False)
    return {r["employee_id"]: r["recommendations"] or "" for r in frame.iter_rows(named=True)}


@pytest.fixture(scope="module")
def with_plans(tmp_path_factory, incentive_in_process) -> Path:
    """Three quarters closed with the bottom-band improvement rule (in this process: the set-up)."""
    tmp = setup(tmp_path_factory.mktemp("guards"), improvement=True)
    for q in QUARTERS[:3]:
        close(tmp, q, run=incentive_in_process)
    return tmp


@pytest.fixture(scope="module")
def without_plans(tmp_path_factory, incentive_in_process) -> Path:
    """Four quarters closed with no improvement rule at all (in this process: the set-up)."""
    tmp = setup(tmp_path_factory.mktemp("noplans"), improvement=False)
    for q in QUARTERS:
        close(tmp, q, run=incentive_in_process)
    return tmp


def test_protected_person_at_the_bottom_three_quarters_gets_legal_review(with_plans):
    q3 = actions(with_plans, "2026-Q3")
    assert q3["P10"] == "improvement_plan; legal_review"  # the bottom-band improvement plan still applies
    assert all("exit_review" not in actions(with_plans, q)["P10"] for q in QUARTERS[:3])
    row = recs(with_plans, "2026-Q3").filter((pl.col("employee_id") == "P10") & (pl.col("rule") == "exit")).row(
        0, named=True)
    assert row["action"] == "legal_review" and row["replaces"] == "exit_review"
    assert "pregnancy, maternity or nursing (劳动合同法第四十二条(四))" in row["reason"]
    assert "medical" not in row["reason"]
    assert "protected=pregnancy (status=产期)" in row["evidence"] and "band=C" in row["evidence"]


def test_earlier_improvement_plans_then_three_bottom_quarters_raise_an_exit_review(with_plans):
    assert [actions(with_plans, q)["P09"] for q in QUARTERS[:3]] == \
        ["improvement_plan", "improvement_plan", "improvement_plan; exit_review"]
    row = recs(with_plans, "2026-Q3").filter((pl.col("employee_id") == "P09") & (pl.col("rule") == "exit")).row(
        0, named=True)
    assert row["action"] == "exit_review" and row["replaces"] == "" and row["reason"] == "bottom band three quarters running"


def test_no_earlier_improvement_action_never_gives_an_exit_review(without_plans):
    q3 = recs(without_plans, "2026-Q3").filter(pl.col("employee_id") == "P09").row(0, named=True)
    assert q3["action"] == "improvement_plan" and q3["replaces"] == "exit_review"
    assert q3["reason"].startswith("no earlier improvement action (improvement_plan, coaching, training, transfer)")
    assert "earlier_improvement=none" in q3["evidence"]
    assert [actions(without_plans, q)["P09"] for q in QUARTERS[:3]] == ["", "", "improvement_plan"]
    # the improvement plan the guard raised in Q3 is recorded: Q4's exit review follows it
    assert actions(without_plans, "2026-Q4")["P09"] == "exit_review"
    assert all("exit_review" not in actions(without_plans, q)["P10"] for q in QUARTERS)
    assert actions(without_plans, "2026-Q4")["P10"] == "legal_review"


def test_evaluate_with_the_ledger_reads_the_same_history_read_only(without_plans, tmp_path):
    before = (without_plans / "ledger.sqlite").read_bytes()
    done = cli("evaluate", "guards.yaml", "data.csv", "--period", "2027-Q1", "--ledger", "ledger.sqlite",
               "--out", str(tmp_path), "--lang", "zh", cwd=without_plans)
    assert done.returncode == 0, done.stderr
    frame = pl.read_csv(tmp_path / "recommendations.csv", infer_schema=False)
    p09 = frame.filter(pl.col("employee_id") == "P09").row(0, named=True)
    assert p09["action"] == "exit_review"  # Q3's recorded improvement plan counts
    p10 = frame.filter(pl.col("employee_id") == "P10").row(0, named=True)
    assert p10["action"] == "legal_review" and "受保护状态：孕期、产期、哺乳期（劳动合同法第四十二条(四)）" in p10["reason"]
    assert (without_plans / "ledger.sqlite").read_bytes() == before


def test_explain_names_the_replacement_and_why(without_plans):
    shown = {}
    for who in ("P09", "P10"):
        done = cli("explain", "guards.yaml", "data.csv", "--period", "2026-Q3", "--ledger", "ledger.sqlite",
                   "--employee", who, "--lang", "zh", cwd=without_plans)
        assert done.returncode == 0, done.stderr
        shown[who] = done.stdout
    assert "exit = improvement_plan (绩效改进计划)" in shown["P09"] and "此前已结期间的记录中没有改进措施" in shown["P09"]
    assert "exit = legal_review (法律审查)" in shown["P10"] and "劳动合同法第四十二条(四)" in shown["P10"]
    assert "exit_review (" not in shown["P10"]


def test_medical_leave_until_after_the_period_protects(tmp_path):
    tmp = setup(tmp_path, improvement=True)
    rows = (tmp / "data.csv").read_text(encoding="utf-8").splitlines()
    rows[9] = "P09,20,,2026-12-31"  # P09 on medical leave until after every quarter
    (tmp / "data.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    for q in QUARTERS[:3]:
        close(tmp, q)
    row = recs(tmp, "2026-Q3").filter((pl.col("employee_id") == "P09") & (pl.col("rule") == "exit")).row(0, named=True)
    assert row["action"] == "legal_review" and "劳动合同法第四十二条(三)" in row["reason"]
    assert "protected=medical (medical_leave_until=2026-12-31, period_end=2026-09-30)" in row["evidence"]


def test_a_protected_condition_that_is_not_boolean_is_a_finding_at_its_position(tmp_path):
    text = POLICY.replace("{improvement}", IMPROVEMENT).replace(
        'when: status == "孕期" or status == "产期" or status == "哺乳期"', "when: status")
    (tmp_path / "guards.yaml").write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.strip() == "when: status")
    done = cli("validate", "guards.yaml", cwd=tmp_path)
    assert done.returncode != 0
    assert (f"guards.yaml:{line}:11: error type-mismatch protected.pregnancy.when must be a condition (bool), "
            "but 'status' is text") in done.stdout
    write_data(tmp_path / "data.csv")
    refused = cli("close", "guards.yaml", "data.csv", "--period", "2026-Q1", "--ledger", "ledger.sqlite",
                  "--out", "out", "--by", "hr-test", cwd=tmp_path)
    assert refused.returncode == 2 and not (tmp_path / "out").exists() and not (tmp_path / "ledger.sqlite").exists()


def test_the_report_lists_the_withheld_exit_recommendations(without_plans):
    page = (without_plans / "out" / "guards" / "2026-Q3" / "report.html").read_text(encoding="utf-8")
    assert "exit recommendations withheld" in page
    assert "legal_review (legal review)" in page and "improvement_plan (improvement plan)" in page
    assert "劳动合同法第四十二条(四)" in page
    q1 = (without_plans / "out" / "guards" / "2026-Q1" / "report.html").read_text(encoding="utf-8")
    assert "exit recommendations withheld" not in q1  # nothing fired, nothing withheld
