"""True-ups through the real commands: a quarter exported to payroll, reopened and re-closed with corrected
data, is never paid twice -- the re-close records the difference, the next quarter's close pays it as a line
of its own (results, payouts, explain, the payroll export, history), a second correction that takes the
money back is recovered in the quarter after, and ``verify`` re-runs the whole chain exactly.

E007's collections were corrected (examples/sales-rep/2026-Q1-corrected.csv): commission 6,837.45 →
12,837.45, total 6,237.45 → 12,237.45."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from incentive.app.true_ups import APPLIED_KEY, TRUE_UPS_KEY
from incentive.ledger import Ledger

ROOT = Path(__file__).resolve().parents[2]
POLICY = str(ROOT / "rules" / "sales-rep.yaml")
DATA = ROOT / "examples" / "sales-rep"


def cli(tmp: Path, *args: str, run=None) -> subprocess.CompletedProcess:
    """The command in a fresh process, or through ``run`` (``incentive_in_process``: a fixture's set-up)."""
    args = (*args, *(("--ledger", str(tmp / "l.sqlite")) if args[0] not in ("explain", "statements") else ()))
    if run is not None:
        return run(*args, cwd=tmp, env={"INCENTIVE_USER": "hr-test"})
    return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=tmp, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "INCENTIVE_USER": "hr-test"})


def ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def close(tmp: Path, quarter: str, data: str | None = None, run=None) -> subprocess.CompletedProcess:
    return cli(tmp, "close", POLICY, str(DATA / (data or f"{quarter}.csv")), "--period", quarter, "--out",
               str(tmp / "out"), run=run)


def approve(tmp: Path, quarter: str, run=None) -> None:
    for name, role in (("王经理", "manager"), ("李芳", "hr")):
        ok(cli(tmp, "approve", POLICY, "--period", quarter, "--as", name, "--role", role, run=run))


def row(tmp: Path, quarter: str, employee: str = "E007") -> dict:
    frame = pl.read_parquet(tmp / "out" / "sales-rep" / quarter / "audit.parquet")
    return frame.filter(pl.col("employee_id") == employee).row(0, named=True)


@pytest.fixture(scope="module")
def chain(tmp_path_factory, incentive_in_process) -> Path:
    """Q1 closed, approved, exported; reopened and re-closed corrected; Q2 closed (pays the true-up),
    approved and exported (in this process: the set-up; the tests read what it left). Later, in the tests:
    Q1 corrected back; Q3 closed (recovers it)."""
    tmp = tmp_path_factory.mktemp("true-ups")
    run = incentive_in_process
    ok(close(tmp, "2026-Q1", run=run))
    approve(tmp, "2026-Q1", run=run)
    ok(cli(tmp, "export", POLICY, "--period", "2026-Q1", "--layout", "payroll-generic", "--out", str(tmp / "q1.csv"),
           run=run))
    tmp.joinpath("reopen1.txt").write_text(cli(tmp, "reopen", POLICY, "--period", "2026-Q1", "--reason",
                                               "E007 collections corrected", run=run).stderr, encoding="utf-8")
    ok(close(tmp, "2026-Q1", "2026-Q1-corrected.csv", run=run))
    ok(close(tmp, "2026-Q2", run=run))
    approve(tmp, "2026-Q2", run=run)
    ok(cli(tmp, "export", POLICY, "--period", "2026-Q2", "--layout", "payroll-generic", "--out", str(tmp / "q2.csv"),
           run=run))
    return tmp


def test_the_re_close_records_the_difference_against_what_payroll_paid(chain):
    assert "next period's close pays or recovers them as a true-up" in (chain / "reopen1.txt").read_text("utf-8")
    with Ledger(chain / "l.sqlite", readonly=True) as store:
        [first, second] = [e for e in store.entries("sales-rep") if e.kind == "close" and e.period == "2026-Q1"]
        record = store.get_close("sales-rep", "2026-Q1").totals[TRUE_UPS_KEY]
    assert record["of"] == first.entry_hash
    assert record["rows"] == [
        {"employee": "E007", "component": "commission", "paid": "6837.45", "corrected": "12837.45", "difference": "6000"},
        {"employee": "E007", "component": "total", "paid": "6237.45", "corrected": "12237.45", "difference": "6000"}]
    assert second.entry_hash != first.entry_hash


def test_the_next_quarter_pays_the_true_up_as_its_own_line(chain):
    r = row(chain, "2026-Q2")
    assert r["true_up"] == Decimal("6000") and r["total"] == r["total.before_floor"] + Decimal("6000")
    other = row(chain, "2026-Q2", "E001")
    assert other["true_up"] == 0 and other["total"] == other["total.before_floor"]
    with open(chain / "out" / "sales-rep" / "2026-Q2" / "results.csv", encoding="utf-8-sig") as f:
        header = next(csv.reader(f))
    assert header.index("true_up") < header.index("total")
    payouts = {r["employee_id"]: r["amount"] for r in csv.DictReader(
        open(chain / "out" / "sales-rep" / "2026-Q2" / "payouts.csv", encoding="utf-8-sig"))}
    assert Decimal(payouts["E007"]) == r["total"]


def test_the_payroll_export_has_a_true_up_row_and_the_control_total_still_matches(chain):
    rows = list(csv.reader(open(chain / "q2.csv", encoding="utf-8-sig")))
    mine = [x for x in rows if "E007" in x]
    assert any("true_up" in x and "6000.00" in x for x in mine), mine
    assert not any("true_up" in x for x in rows if "E001" in x)  # no zero rows for everyone else


def test_the_corrected_quarter_cannot_be_exported_again(chain, tmp_path):
    out = tmp_path / "again.csv"
    done = cli(chain, "export", POLICY, "--period", "2026-Q1", "--layout", "payroll-generic", "--out", str(out))
    assert done.returncode == 2 and "already paid" in done.stderr and "ledger entry 1" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and not out.exists()


def test_explain_shows_what_was_due_paid_and_carried(chain):
    shown = ok(cli(chain, "explain", "--close", str(chain / "out" / "sales-rep" / "2026-Q2"), "--employee", "E007"))
    assert "true_up (true-up) = 6,000.00" in shown and "carried to the next close: 0.00" in shown
    zh = ok(cli(chain, "explain", "--close", str(chain / "out" / "sales-rep" / "2026-Q2"), "--employee", "E007",
                "--lang", "zh"))
    assert "以前期间补差" in zh and "结转至下期：0.00" in zh


def test_the_statement_shows_the_true_up_as_its_own_section(chain, tmp_path):
    ok(cli(chain, "statements", str(chain / "out" / "sales-rep" / "2026-Q2"), "--out", str(tmp_path / "st"),
           "--employee", "E007", "--lang", "zh"))
    page = (tmp_path / "st" / "E007.html").read_text("utf-8")
    section = page[page.index("<h2>以前期间调整</h2>"):]
    assert "6,000.00" in section[:section.index("</section>")]
    assert "加以前期间补差 6,000.00 = 12,466.92" in page


@pytest.fixture(scope="module")
def recovered(chain) -> Path:
    """The chain, then Q1 corrected back to the original data (its true-up rows kept aside) and Q3 closed.

    A fixture, not the first steps of the test below, so that the test after it finds this state on
    whichever pytest worker it runs (on another worker, the module's fixtures are made afresh)."""
    # from here on the chain changes (the tests above read it first: a worker runs a module's tests in order)
    ok(cli(chain, "reopen", POLICY, "--period", "2026-Q1", "--reason", "the correction was wrong"))
    ok(close(chain, "2026-Q1"))
    with Ledger(chain / "l.sqlite", readonly=True) as store:
        rows = store.get_close("sales-rep", "2026-Q1").totals[TRUE_UPS_KEY]["rows"]
    chain.joinpath("q1-back-true-ups.json").write_text(json.dumps(rows), encoding="utf-8")
    ok(close(chain, "2026-Q3"))
    return chain


def test_a_correction_back_is_recovered_in_the_quarter_after_and_verify_passes(recovered):
    chain = recovered
    rows = json.loads(chain.joinpath("q1-back-true-ups.json").read_text(encoding="utf-8"))
    # what was paid for Q1 is the export (6,237.45) plus the 6,000 Q2 paid: the total is 6,000 too much
    assert rows == [{"employee": "E007", "component": "total", "paid": "12237.45", "corrected": "6237.45",
                     "difference": "-6000"}]
    r = row(chain, "2026-Q3")
    assert r["total.true_up_due"] == Decimal("-6000")
    assert r["true_up"] + r["total.true_up_carried"] == Decimal("-6000") and r["total"] >= 0
    assert r["total"] == max(r["total.before_floor"] - 6000, Decimal(0))
    with Ledger(chain / "l.sqlite", readonly=True) as store:
        applied = store.get_close("sales-rep", "2026-Q3").totals[APPLIED_KEY]
    assert [(a["employee"], a["period"], a["due"]) for a in applied] == [("E007", "2026-Q1", "-6000")]
    assert "verified: everything matches" in ok(cli(chain, "verify"))
    history = ok(cli(chain, "history", "--employee", "E007"))
    assert "true-up" in history and "6,000.00" in history and "-6,000.00" in history
    assert "2026-Q1 (re-closed; 2 earlier closes superseded)" in history
    status = ok(cli(chain, "status", POLICY, "--period", "2026-Q1"))
    assert "corrected" in status and "nothing: payroll paid ledger entry 1" in status
    log = [line.split(None, 4) for line in status.split("ledger entries of 2026-Q1:")[1].strip().splitlines()]
    assert [(n, kind) for _, n, kind, *_ in log] == [("1", "close"), ("2", "reopen"), ("3", "close"),
                                                     ("5", "reopen"), ("6", "close")]
    assert "(superseded, exported to payroll)" in log[0][4] and "E007 collections corrected" in log[1][4]
    assert "(current, 1 difference(s) against entry 1 as true-ups)" in log[4][4]


def test_reopening_the_close_that_paid_a_true_up_makes_it_due_again(recovered):
    chain = recovered
    before = row(chain, "2026-Q3")
    ok(cli(chain, "reopen", POLICY, "--period", "2026-Q3", "--reason", "recheck"))
    ok(close(chain, "2026-Q3"))
    after = row(chain, "2026-Q3")
    assert after["true_up"] == before["true_up"] and after["total"] == before["total"]
