"""Plan versions through the real command: rules/sales-commission/ holds two versions of one policy, the
commission rate changing from 3% to 4% on 2026-02-15, in the middle of 2026-Q1 (docs/plan-versions.md)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import polars as pl

from incentive.app.versioned import VERSIONS_KEY
from incentive.ledger import Ledger

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "rules" / "sales-commission"
V1, V2 = PLAN / "2025.4.yaml", PLAN / "2026.1.yaml"
Q1 = ROOT / "examples" / "sales-commission" / "2026-Q1.csv"
Q4 = ROOT / "examples" / "sales-commission" / "2025-Q4.csv"


def cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incentive", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def results(out: Path) -> dict[str, dict[str, Decimal]]:
    frame = pl.read_csv(out / "results.csv", infer_schema=False)
    money = ("commission", "new_logo_bonus", "late_reports", "total")
    return {r["employee_id"]: {c: Decimal(r[c]) for c in money} for r in frame.to_dicts()}


def test_a_mid_quarter_change_is_weighted_by_days(tmp_path):
    run = cli("evaluate", PLAN, Q1, "--period", "2026-Q1", "--out", tmp_path / "o", cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert "45/90 days" in run.stderr and "version 2025.4" in run.stderr and "version 2026.1" in run.stderr
    got = results(tmp_path / "o")
    # Jan 1 - Feb 14 = 31 + 14 = 45 days under 2025.4 (3%), Feb 15 - Mar 31 = 14 + 31 = 45 under 2026.1 (4%,
    # and 300 per new customer): each amount is (amount under 2025.4 + amount under 2026.1) / 2.
    # E001: revenue 100,000, 2 new customers: (3,000 + 4,000) / 2; (0 + 600) / 2; total (3,000 + 4,600) / 2
    assert got["E001"] == {"commission": Decimal("3500.00"), "new_logo_bonus": Decimal("300.00"),
                           "late_reports": Decimal("0.00"), "total": Decimal("3800.00")}
    # E002: revenue 33,333.33: 999.9999 -> 1,000.00 and 1,333.3332 -> 1,333.33; (1,000.00 + 1,333.33) / 2 =
    # 1,166.665 -> 1,166.67 (half_up); one missed report costs 100 under both; total (900.00 + 1,533.33) / 2
    assert got["E002"] == {"commission": Decimal("1166.67"), "new_logo_bonus": Decimal("150.00"),
                           "late_reports": Decimal("100.00"), "total": Decimal("1216.67")}
    # E003: no revenue, 3 missed reports: the floor keeps the total at 0 under both versions
    assert got["E003"]["late_reports"] == Decimal("300.00") and got["E003"]["total"] == Decimal("0.00")
    # E004: 250,000.50: 7,500.015 -> 7,500.02 and 10,000.02; (7,500.02 + 10,000.02) / 2 = 8,750.02
    assert got["E004"]["commission"] == got["E004"]["total"] == Decimal("8750.02")
    assert sum(p["total"] for p in got.values()) == Decimal("13766.69")
    assert "13,766.69" in run.stdout and "sales-commission 2026.1" in run.stdout  # the primary (a tie: the later)


def test_a_period_inside_one_version_is_exactly_that_file(tmp_path):
    for period, data, version in (("2025-Q4", Q4, V1), ("2026-Q2", Q1, V2)):
        plan = cli("evaluate", PLAN, data, "--period", period, "--out", tmp_path / f"plan-{period}", cwd=ROOT)
        alone = cli("evaluate", version, data, "--period", period, "--out", tmp_path / f"file-{period}", cwd=ROOT)
        assert plan.returncode == alone.returncode == 0, plan.stderr + alone.stderr
        assert plan.stdout == alone.stdout
        assert plan.stderr.replace(f"plan-{period}", "X") == alone.stderr.replace(f"file-{period}", "X")
        for name in ("results.csv", "recommendations.csv"):
            assert (tmp_path / f"plan-{period}" / name).read_bytes() == (tmp_path / f"file-{period}" / name).read_bytes()


def test_a_period_no_version_covers_is_exit_2_naming_the_period_and_the_ranges(tmp_path):
    run = cli("evaluate", PLAN, Q4, "--period", "2025-Q3", "--out", tmp_path / "o", cwd=ROOT)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "2025-Q3" in run.stderr and "2025-10-01 to 2026-02-14" in run.stderr and "2026-02-15 to open end" in run.stderr
    assert not (tmp_path / "o").exists()


def test_split_error_refuses_the_split_period_only(tmp_path):
    plan = tmp_path / "plan"
    shutil.copytree(PLAN, plan)
    text = (plan / "2026.1.yaml").read_text(encoding="utf-8")
    (plan / "2026.1.yaml").write_text(text.replace("effective: {start: 2026-02-15}",
                                                   "effective: {start: 2026-02-15, split: error}"), encoding="utf-8")
    run = cli("evaluate", plan, Q1, "--period", "2026-Q1", "--out", tmp_path / "o", cwd=tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    for part in ("2026-Q1", "version 2025.4", "2026-01-01 to 2026-02-14", "version 2026.1", "2026-02-15 to 2026-03-31",
                 "split: error"):
        assert part in run.stderr, run.stderr
    assert not (tmp_path / "o").exists()
    assert cli("evaluate", plan, Q1, "--period", "2026-Q2", cwd=tmp_path).returncode == 0
    warned = cli("validate", plan, cwd=tmp_path)
    assert warned.returncode == 0 and "version-split" in warned.stdout


def test_an_overlap_in_the_plan_is_exit_2(tmp_path):
    plan = tmp_path / "plan"
    shutil.copytree(PLAN, plan)
    text = (plan / "2026.1.yaml").read_text(encoding="utf-8")
    (plan / "2026.1.yaml").write_text(text.replace("start: 2026-02-15", "start: 2026-02-01"), encoding="utf-8")
    run = cli("evaluate", plan, Q1, "--period", "2026-Q1", cwd=tmp_path)
    assert run.returncode == 2 and "version-overlap" in run.stderr and "2026-02-01 to 2026-02-14" in run.stderr


def test_explain_shows_each_version_its_days_and_the_weighted_amount():
    run = cli("explain", "rules/sales-commission", Q1, "--period", "2026-Q1", "--employee", "E002", cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert "version 2025.4 (rules/sales-commission/2025.4.yaml): 2026-01-01 – 2026-02-14, 45/90 days" in run.stdout
    assert "commission (Commission): 1,000.00 × 45/90 + 1,333.33 × 45/90 = 1,166.67" in run.stdout
    assert "total: 900.00 × 45/90 + 1,533.33 × 45/90 = 1,216.67" in run.stdout
    zh = cli("explain", PLAN, Q1, "--period", "2026-Q1", "--employee", "E002", "--lang", "zh", cwd=ROOT)
    assert "versions (方案版本) = 1,216.67" in zh.stdout and "45/90 天" in zh.stdout
    assert "合计：900.00 × 45/90 + 1,533.33 × 45/90 = 1,216.67" in zh.stdout


def test_validate_the_plan_directory_is_clean():
    run = cli("validate", "--strict", PLAN, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr


def test_close_of_a_plan_closes_the_version_covering_the_period(tmp_path):
    args = ("--ledger", tmp_path / "l.sqlite", "--out", tmp_path / "out")
    done = cli("close", PLAN, Q4, "--period", "2025-Q4", *args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "closed sales-commission 2025-Q4" in done.stdout
    policy_copy = next((tmp_path / "out" / "sales-commission" / "2025-Q4").glob("policy*"))
    assert "version: \"2025.4\"" in policy_copy.read_text(encoding="utf-8")
    assert cli("verify", "--ledger", tmp_path / "l.sqlite", cwd=tmp_path).returncode == 0


def test_a_split_period_closes_the_weighted_results_and_records_every_version(tmp_path):
    args = ("--ledger", tmp_path / "l.sqlite", "--out", tmp_path / "out")
    done = cli("close", PLAN, Q1, "--period", "2026-Q1", *args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "split between plan versions, weighted by days" in done.stderr and "45/90 days" in done.stderr
    closed = tmp_path / "out" / "sales-commission" / "2026-Q1"
    dry = cli("evaluate", PLAN, Q1, "--period", "2026-Q1", "--out", tmp_path / "dry", cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    # the close records exactly what evaluate computes for the split period
    assert (closed / "results.csv").read_bytes() == (tmp_path / "dry" / "results.csv").read_bytes()
    assert results(closed)["E001"]["commission"] == Decimal("3500.00")
    per_version = pl.read_csv(closed / "versions.csv", infer_schema=False).filter(
        (pl.col("employee_id") == "E001") & (pl.col("component") == "commission"))
    assert per_version.select("version", "days", "amount").rows() == [("2025.4", "45", "3000.00"),
                                                                      ("2026.1", "45", "4000.00")]
    with Ledger(tmp_path / "l.sqlite", readonly=True) as store:
        entry = store.get_close("sales-commission", "2026-Q1")
    recorded = entry.totals[VERSIONS_KEY]
    assert [(v["file"], v["days"], v["primary"]) for v in recorded] == [("2025.4.yaml", 45, False),
                                                                       ("2026.1.yaml", 45, True)]
    assert recorded[0]["text"] == V1.read_text(encoding="utf-8") and 'version: "2026.1"' in entry.policy_text
    verified = cli("verify", "--ledger", tmp_path / "l.sqlite", cwd=tmp_path)
    assert verified.returncode == 0 and "everything matches" in verified.stdout
    explained = cli("explain", "--close", closed, "--employee", "E001", cwd=tmp_path)
    assert "commission (Commission): 3,000.00 × 45/90 + 4,000.00 × 45/90 = 3,500.00" in explained.stdout
    made = cli("statements", closed, "--out", tmp_path / "st", "--employee", "E002", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    page = (tmp_path / "st" / "E002.html").read_text(encoding="utf-8")
    assert "Plan versions: the period is split between them" in page
    assert "Commission (Commission): 1,000.00 × 45/90 + 1,333.33 × 45/90 = 1,166.67" in page
    again = cli("close", PLAN, Q1, "--period", "2026-Q1", *args, cwd=tmp_path)
    assert again.returncode == 0 and "nothing to do" in again.stdout
    # the same primary file with another version beside it is other inputs: a refusal, nothing recorded
    changed = tmp_path / "plan"
    shutil.copytree(PLAN, changed)
    minor = changed / "2025.4.yaml"
    minor.write_text(minor.read_text(encoding="utf-8").replace("revenue * 0.03", "revenue * 0.035"), encoding="utf-8")
    refused = cli("close", changed, Q1, "--period", "2026-Q1", *args, cwd=tmp_path)
    assert refused.returncode == 2 and "already closed" in refused.stderr and "Traceback" not in refused.stderr


def test_unequal_days_and_a_component_only_the_minor_version_has(tmp_path):
    """2026.1 taking over on 2026-03-15: 73/90 days under 2025.4 (now the primary), 17/90 under 2026.1."""
    plan = tmp_path / "plan"
    shutil.copytree(PLAN, plan)
    for name, old, new in (("2025.4.yaml", "end: 2026-02-14", "end: 2026-03-14"),
                           ("2026.1.yaml", "start: 2026-02-15", "start: 2026-03-15")):
        (plan / name).write_text((plan / name).read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    run = cli("evaluate", plan, Q1, "--period", "2026-Q1", "--out", tmp_path / "o", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "sales-commission 2025.4 — 2026-Q1" in run.stdout and "new_logo_bonus (New-customer bonus)" in run.stdout
    # 2025.4 has no new-customer input: its warning says it is that version's (2026.1 reads the column)
    assert "version 2025.4: " in run.stderr and "ignored columns the policy does not use: 新客户数" in run.stderr
    e001 = results(tmp_path / "o")["E001"]
    # 3,000 × 73/90 + 4,000 × 17/90 = 3,188.888… ; 600 × 17/90 = 113.333… ; 3,000 × 73/90 + 4,600 × 17/90 = 3,302.222…
    assert e001 == {"commission": Decimal("3188.89"), "new_logo_bonus": Decimal("113.33"),
                    "late_reports": Decimal("0.00"), "total": Decimal("3302.22")}
    header = (tmp_path / "o" / "results.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header.index("commission") < header.index("new_logo_bonus") < header.index("late_reports")
    explained = cli("explain", plan, Q1, "--period", "2026-Q1", "--employee", "E001", cwd=tmp_path)
    assert "new_logo_bonus (New-customer bonus): 0.00 × 73/90 + 600.00 × 17/90 = 113.33" in explained.stdout
    assert "the rule and steps are version 2026.1's" in explained.stdout  # the bonus is only 2026.1's


def test_diff_and_sweep_of_a_plan_take_the_version_covering_the_period(tmp_path):
    done = cli("diff", PLAN, V2, Q4, "--period", "2025-Q4", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"old: {V1}" in done.stdout and f"new: {V2}" in done.stdout
    assert "11,500.02  15,333.35" in done.stdout  # 3% (2025.4) against 4% (2026.1) on the Q4 data
    swept = cli("sweep", PLAN, Q4, "--period", "2025-Q4", "--set-range",
                "payouts.commission.amount=revenue * 0.03,revenue * 0.04", cwd=tmp_path)
    assert swept.returncode == 0 and "11,500.02" in swept.stdout, swept.stderr
    split = cli("diff", PLAN, V2, Q1, "--period", "2026-Q1", cwd=tmp_path)
    assert split.returncode == 2 and "Traceback" not in split.stderr
    assert "split between version 2025.4" in split.stderr and "compare the version files" in split.stderr


def test_a_split_period_is_not_closed_from_crediting_sources(tmp_path):
    """Each version would credit the sources anew: the close says to credit once and close the period table."""
    crm = ROOT / "examples" / "sales-rep-crm"
    sources = [f"orders={crm / 'orders.csv'}", f"refunds={crm / 'refunds.csv'}", f"splits={crm / 'splits.csv'}",
               f"assignments={crm / 'org.csv'}", f"people={crm / 'people.csv'}", "--crediting", crm / "crediting.yaml"]
    done = cli("close", PLAN, *sources, "--period", "2026-Q1", "--ledger", tmp_path / "l.sqlite", "--out",
               tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "period 2026-Q1 is split between plan versions" in done.stderr and "incentive credit" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "l.sqlite").exists()
