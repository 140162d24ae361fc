"""Clawbacks through the real commands: a deal paid in one quarter and cancelled in the next is taken back
as its pro-rata share of what the quarter that paid it paid, never by editing that quarter's close.

The CRM example's order SO20260001 (29,378.90, split 50/50 between E001 and E007, dated 2026-01-18) is
cancelled on 2026-04-08 (examples/sales-rep-crm/refunds.csv). The policy here is rules/sales-rep.yaml
with a recover-mode clawback on commission, measured by revenue. Q2 and Q3 get a few orders of their own
(written below) so there is pay to recover from: E001's Q2 pay covers the recovery; E007's does not (a
small order and a late-report penalty), so it is carried and recovered in Q3."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import polars as pl
import pytest

from incentive.app.clawbacks import CLAWBACKS_KEY
from incentive.ledger import Ledger

ROOT = Path(__file__).resolve().parents[2]
CRM = ROOT / "examples" / "sales-rep-crm"
CLAWBACK = """
clawbacks:
  clawback:
    label: {en: Clawback of refunded deals, zh: 退单追回}
    refunds: cancellations
    payouts: [commission]
    basis: revenue
"""
LATER_ORDERS = [  # 订单编号, 客户名称, 客户类型, 产品线, 负责人工号, 下单日期, 订单金额, 回款日期, 回款金额, 订单状态
    "SO20269001,远航科技有限公司,老客户,企业版,E001,2026-05-10,100000.00,,,已完成",
    "SO20269002,远航科技有限公司,老客户,标准版,E007,2026-05-12,1000.00,,,已完成",
    "SO20269003,远航科技有限公司,老客户,企业版,E007,2026-08-03,50000.00,,,已完成",
]


def cli(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=tmp, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "INCENTIVE_USER": "hr-test"})


def ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def setup_files(tmp: Path) -> None:
    policy = (ROOT / "rules" / "sales-rep.yaml").read_text("utf-8") + CLAWBACK
    (tmp / "sales-rep.yaml").write_text(policy, encoding="utf-8")
    orders = (CRM / "orders.csv").read_text("utf-8").rstrip("\n") + "\n" + "\n".join(LATER_ORDERS) + "\n"
    (tmp / "orders.csv").write_text(orders, encoding="utf-8")


def sources(tmp: Path) -> list[str]:
    return [f"orders={tmp / 'orders.csv'}", f"cancellations={CRM / 'refunds.csv'}", f"splits={CRM / 'splits.csv'}",
            f"assignments={CRM / 'org.csv'}", f"people={CRM / 'people.csv'}", "--crediting", str(CRM / "crediting.yaml")]


def close(tmp: Path, quarter: str, ledger: str = "l.sqlite", out: str = "out") -> subprocess.CompletedProcess:
    return cli(tmp, "close", str(tmp / "sales-rep.yaml"), *sources(tmp), "--period", quarter,
               "--ledger", str(tmp / ledger), "--out", str(tmp / out))


def row(tmp: Path, quarter: str, employee: str) -> dict:
    frame = pl.read_parquet(tmp / "out" / "sales-rep" / quarter / "audit.parquet")
    return frame.filter(pl.col("employee_id") == employee).row(0, named=True)


def share(paid: Decimal, refunded: Decimal, basis: Decimal) -> Decimal:
    """The pro-rata share the issue asks for, computed here independently of the engine."""
    return (paid * refunded / basis).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def chain(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("clawbacks")
    setup_files(tmp)
    for quarter in ("2026-Q1", "2026-Q2", "2026-Q3"):
        done = close(tmp, quarter)
        ok(done)
        (tmp / f"{quarter}.stderr").write_text(done.stderr, encoding="utf-8")
    return tmp


def test_the_cancelled_deal_is_taken_back_at_the_rate_the_quarter_that_paid_it_paid(chain):
    q1 = row(chain, "2026-Q1", "E001")
    q2 = row(chain, "2026-Q2", "E001")
    expected = share(q1["commission"], Decimal("14689.45"), q1["revenue"])
    assert expected == Decimal("534.47")  # 26,723.62 × 14,689.45 / 734,472.34
    assert q2["clawback.new"] == -expected and q2["clawback"] == -expected and q2["clawback.carried"] == 0
    # recovered from this quarter's pay, not netted from its measures: Q2 revenue is the Q2 order alone
    assert q2["revenue"] == Decimal("100000")
    assert q2["total"] == q2["total.before_floor"] - expected
    deals = json.loads(q2["clawback.deals"])
    assert [(d["line"], d["refund"], d["period"], d["recovered"]) for d in deals] == [
        ("SO20260001", "ZF20260001", "2026-Q1", "-534.47")]
    assert "are recovered by clawback clawback" in (chain / "2026-Q2.stderr").read_text("utf-8")


def test_what_pay_cannot_cover_is_carried_and_recovered_by_the_next_close(chain):
    q1, q2, q3 = (row(chain, q, "E007") for q in ("2026-Q1", "2026-Q2", "2026-Q3"))
    owed = share(q1["commission"], Decimal("14689.45"), q1["revenue"])
    assert owed == Decimal("440.68")
    assert q2["total.before_floor"] <= 0 and q2["clawback"] == 0 and q2["clawback.carried"] == -owed
    assert q2["total"] >= 0
    assert q3["clawback.opening"] == -owed and q3["clawback.new"] == 0
    assert q3["clawback"] == -owed and q3["clawback.carried"] == 0
    assert q3["total"] == q3["total.before_floor"] - owed


def test_the_close_that_paid_the_deal_is_never_edited_and_verify_passes(chain):
    with Ledger(chain / "l.sqlite", readonly=True) as store:
        closes = [e for e in store.entries("sales-rep") if e.kind == "close"]
        q1 = store.get_close("sales-rep", "2026-Q1")
        record = store.get_close("sales-rep", "2026-Q2").totals[CLAWBACKS_KEY]
    assert [e.period for e in closes] == ["2026-Q1", "2026-Q2", "2026-Q3"]  # no second Q1 close
    assert {(r["employee"], r["of"], r["recovered"]) for r in record} == {
        ("E001", q1.entry_hash, "-534.47"), ("E007", q1.entry_hash, "-440.68")}
    done = ok(cli(chain, "verify", "--ledger", str(chain / "l.sqlite")))
    assert "everything matches" in done


def test_explain_names_the_deal_the_period_and_the_rate(chain):
    text = ok(cli(chain, "explain", "--close", str(chain / "out" / "sales-rep" / "2026-Q2"), "--employee", "E001"))
    assert ("deal SO20260001 (2026-Q1), refund ZF20260001: 26,723.62 commission paid in 2026-Q1 × 14,689.45 "
            "refunded / 734,472.34 revenue = -534.47") in text
    zh = ok(cli(chain, "explain", "--close", str(chain / "out" / "sales-rep" / "2026-Q3"), "--employee", "E007",
                "--lang", "zh"))
    assert "上期结转待追回：-440.68" in zh and "结转至下期：0.00" in zh


def test_results_statements_and_the_payroll_export_show_the_clawback_as_its_own_line(chain, tmp_path):
    with open(chain / "out" / "sales-rep" / "2026-Q2" / "results.csv", encoding="utf-8-sig") as f:
        header = next(csv.reader(f))
    assert header.index("clawback") < header.index("total")
    ok(cli(chain, "statements", str(chain / "out" / "sales-rep" / "2026-Q2"), "--out", str(tmp_path / "st"),
           "--employee", "E001"))
    page = (tmp_path / "st" / "E001.html").read_text("utf-8")
    assert "Clawback of refunded deals" in page and "deal SO20260001 (2026-Q1)" in page and "-534.47" in page
    for name, role in (("王经理", "manager"), ("李芳", "hr")):
        ok(cli(chain, "approve", str(chain / "sales-rep.yaml"), "--period", "2026-Q2", "--as", name, "--role", role,
               "--ledger", str(chain / "l.sqlite")))
    ok(cli(chain, "export", str(chain / "sales-rep.yaml"), "--period", "2026-Q2", "--layout", "payroll-generic",
           "--ledger", str(chain / "l.sqlite"), "--out", str(tmp_path / "q2.csv")))
    with open(tmp_path / "q2.csv", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    clawed = [r for r in rows if r["component"] == "clawback"]
    assert [(r["employee_id"], r["amount"], r["component_label"]) for r in clawed] == [
        ("E001", "-534.47", "Clawback of refunded deals SO20260001 (2026-Q1)")]  # E007: nothing recovered in Q2
    # the control total still equals the close's total (the export refuses otherwise)
    totals = pl.read_csv(chain / "out" / "sales-rep" / "2026-Q2" / "payouts.csv", infer_schema=False)
    assert sum(Decimal(r["amount"]) for r in rows if r["employee_id"] == "E001") == Decimal(
        totals.filter(pl.col("employee_id") == "E001")["amount"][0])


def test_reopening_a_quarter_whose_carried_clawback_a_later_close_used_needs_cascade(chain):
    done = cli(chain, "reopen", str(chain / "sales-rep.yaml"), "--period", "2026-Q2", "--reason", "check",
               "--ledger", str(chain / "l.sqlite"))
    assert done.returncode == 2 and "--cascade" in done.stderr and "2026-Q3" in done.stderr


def test_a_refund_whose_quarter_was_never_closed_is_refused_and_nothing_is_written(tmp_path):
    setup_files(tmp_path)
    done = close(tmp_path, "2026-Q2", ledger="fresh.sqlite", out="fresh")
    assert done.returncode == 2, done.stderr
    assert "refund ZF20260001 of line SO20260001 (dated 2026-01-18, 2026-Q1)" in done.stderr
    assert "sales-rep 2026-Q1 has no close in this ledger; close 2026-Q1 first" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "fresh" / "sales-rep" / "2026-Q2").exists()
    if (tmp_path / "fresh.sqlite").exists():
        with Ledger(tmp_path / "fresh.sqlite", readonly=True) as store:
            assert store.entries("sales-rep") == []


def test_the_carried_recovery_is_a_balance_in_balances_csv_and_incentive_balances(chain):
    frame = pl.read_csv(chain / "out" / "sales-rep" / "2026-Q2" / "balances.csv", infer_schema=False)
    e007 = frame.filter((pl.col("employee_id") == "E007") & (pl.col("draw") == "clawback")).row(0, named=True)
    assert (e007["status"], e007["opening"], e007["shortfall"], e007["recovered"], e007["closing"]) == (
        "clawback", "0.00", "440.68", "0.00", "440.68")
    listed = ok(cli(chain, "balances", str(chain / "sales-rep.yaml"), "--employee", "E007",
                    "--ledger", str(chain / "l.sqlite")))
    q3 = next(line for line in listed.splitlines() if line.startswith("2026-Q3"))
    assert q3.split()[2:8] == ["clawback", "440.68", "0.00", "440.68", "0.00", "0.00"]


def test_history_shows_what_each_quarter_took_back(chain):
    text = ok(cli(chain, "history", "--employee", "E007", "--ledger", str(chain / "l.sqlite")))
    header, _, *lines = text.splitlines()
    assert "clawback" in header.split()
    at = header.split().index("clawback")
    assert [line.split()[at] for line in lines] == ["0.00", "0.00", "-440.68"]


def test_a_dry_run_with_the_ledger_recovers_what_the_close_did(chain, tmp_path):
    policy = str(chain / "sales-rep.yaml")
    dry = cli(chain, "evaluate", policy, *sources(chain), "--period", "2026-Q2", "--ledger", str(chain / "l.sqlite"),
              "--out", str(tmp_path / "dry"))
    assert dry.returncode == 0, dry.stderr
    closed = chain / "out" / "sales-rep" / "2026-Q2" / "results.csv"
    assert (tmp_path / "dry" / "results.csv").read_bytes() == closed.read_bytes()
    alone = cli(chain, "evaluate", policy, *sources(chain), "--period", "2026-Q2", "--out", str(tmp_path / "alone"))
    assert alone.returncode == 0, alone.stderr
    assert "not recovered here: the close reads what they earned from the ledger" in alone.stderr
