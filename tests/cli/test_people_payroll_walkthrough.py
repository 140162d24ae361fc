"""docs/people-and-payroll.md, step by step on the shipped example: close, approvals, exports (refused before
the approvals), an inquiry resolved by a correction, verify. What HR reads in that page is what happens."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POLICY = str(ROOT / "rules" / "sales-rep.yaml")
EXAMPLE = ROOT / "examples" / "sales-rep"
DOC = (ROOT / "docs" / "people-and-payroll.md").read_text(encoding="utf-8")


def run(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "INCENTIVE_USER": "李芳", "INCENTIVE_LEDGER": str(tmp / "ledger.sqlite"),
           "INCENTIVE_OUT": str(tmp / "out")}
    return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=tmp, env=env, capture_output=True,
                          text=True, timeout=300)


def ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_close_approve_export_inquire_correct_verify(tmp_path):
    ok(run(tmp_path, "close", POLICY, str(EXAMPLE / "2026-Q1.csv"), "--period", "2026-Q1", "--quiet"))
    early = run(tmp_path, "export", POLICY, "--period", "2026-Q1", "--layout", "payroll-generic",
                "--out", "payroll-2026-Q1.csv")
    assert early.returncode == 2 and "needs approval by manager, hr" in early.stderr
    assert not (tmp_path / "payroll-2026-Q1.csv").exists()
    ok(run(tmp_path, "approve", POLICY, "--period", "2026-Q1", "--as", "王经理", "--role", "manager",
           "--comment", "已核对"))
    ok(run(tmp_path, "approve", POLICY, "--period", "2026-Q1", "--as", "李芳", "--role", "hr"))
    said = ok(run(tmp_path, "export", POLICY, "--period", "2026-Q1", "--layout", "payroll-generic",
                  "--out", "payroll-2026-Q1.csv"))
    with (tmp_path / "out" / "sales-rep" / "2026-Q1" / "payouts.csv").open(encoding="utf-8-sig") as f:
        closed_total = sum(Decimal(r["amount"]) for r in csv.DictReader(f))
    assert f"control total {closed_total:.2f} CNY (equals the close's payout total)" in said
    for layout, out in (("bank-cn-salary-xlsx", "bank-2026-Q1.xlsx"), ("tax-cn-salary", "tax-2026-Q1.xlsx")):
        ok(run(tmp_path, "export", POLICY, "--period", "2026-Q1", "--layout", layout,
               "--people", str(EXAMPLE / "people.csv"), "--out", out))
    assert "exported" in ok(run(tmp_path, "status", POLICY))

    opened = ok(run(tmp_path, "inquiry", "open", POLICY, "--period", "2026-Q1", "--employee", "E007",
                    "--about", "commission", "--text", "三月的一笔订单没有计入销售额"))
    number = opened.split()[1]
    assert f"incentive inquiry resolve {number} " in DOC  # the page names the number this walkthrough gets
    reopened = run(tmp_path, "reopen", POLICY, "--period", "2026-Q1", "--reason", f"inquiry {number}")
    assert reopened.returncode == 0 and "was exported to payroll (3 file(s)" in reopened.stderr
    ok(run(tmp_path, "close", POLICY, str(EXAMPLE / "2026-Q1-corrected.csv"), "--period", "2026-Q1", "--quiet"))
    resolved = ok(run(tmp_path, "inquiry", "resolve", number, "--outcome", "corrected", "--note", "补计订单"))
    changed = {line.split()[0]: line.split()[1:] for line in resolved.splitlines()[3:]}
    assert changed["commission"] == ["6837.45", "12837.45"] and changed["total"] == ["6237.45", "12237.45"]
    for name, (before, after) in changed.items():
        assert f"{name:<10}  {before:<8}  {after}" in DOC or name not in ("commission", "total")
    status = ok(run(tmp_path, "status", POLICY))  # the re-close is settled by true-ups, never exported itself
    assert "corrected" in status and "true-ups of the next period's close" in status
    close_dir = str(tmp_path / "out" / "sales-rep" / "2026-Q1")
    ok(run(tmp_path, "statements", close_dir, "--out", "st", "--employee", "E007", "--employee", "E001",
           "--lang", "zh"))
    page = (tmp_path / "st" / "E007.html").read_text(encoding="utf-8")
    assert f"#{number} 提成 · " in page and "已更正（本期已重新结算） · 补计订单" in page
    assert "您对本期的查询" not in (tmp_path / "st" / "E001.html").read_text(encoding="utf-8")
    ok(run(tmp_path, "statements", close_dir, "--out", "pdf", "--employee", "E007", "--format", "pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "pdf" / "E007.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert f"#{number}" in text and "corrected (the period was closed again)" in text and "12,237.45" in text
    assert ok(run(tmp_path, "verify")).endswith("verified: everything matches\n")
