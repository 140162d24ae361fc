"""Sign-off and inquiries through the real command: approve, status, inquiry open / list / resolve, and verify
over them -- on the example sales-rep quarter with a policy that requires a manager's and HR's approval."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from incentive.app import close as closing
from incentive.app.inquiries import open_inquiry
from incentive.app.run import RunOptions
from incentive.ledger import Ledger
from incentive.numeric import plain_text

ROOT = Path(__file__).resolve().parents[2]
Q1 = ROOT / "examples" / "sales-rep" / "2026-Q1.csv"
SIGN_OFF = "sign_off:\n  roles: [manager, hr]\ninquiries:\n  appeal_window_days: 7\n"


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incentive", *args, "--ledger", str(cwd / "l.sqlite")], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def close(tmp: Path, data: Path = Q1) -> None:
    opts = closing.CloseOptions(out=str(tmp / "out"), ledger=str(tmp / "l.sqlite"), by="hr-test")
    closing.close_period(str(tmp / "p.yaml"), str(data), RunOptions(period="2026-Q1"), opts, notify=lambda _: None)


@pytest.fixture(scope="module")
def closed_once(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("signoff")
    text = (ROOT / "rules" / "sales-rep.yaml").read_text(encoding="utf-8")
    assert SIGN_OFF in text  # the shipped example requires a manager's and HR's approval
    (tmp / "p.yaml").write_text(text, encoding="utf-8")
    close(tmp)
    return tmp


@pytest.fixture
def work(closed_once, tmp_path) -> Path:
    for name in ("p.yaml", "l.sqlite"):
        shutil.copyfile(closed_once / name, tmp_path / name)
    return tmp_path


def events(tmp: Path) -> list:
    with Ledger(tmp / "l.sqlite", readonly=True) as ledger:
        return ledger.events()


def test_approvals_in_order_move_the_period_from_closed_to_approved(work):
    status = cli("status", "p.yaml", cwd=work)
    assert status.returncode == 0
    assert "closed" in status.stdout and "approval by manager, hr" in status.stdout
    unsaid = cli("approve", "p.yaml", "--period", "2026-Q1", "--as", "王经理", cwd=work)
    assert unsaid.returncode == 2 and "requires approvals by manager, hr; say which one" in unsaid.stderr
    manager = cli("approve", "p.yaml", "--period", "2026-Q1", "--as", "王经理", "--role", "manager", cwd=work)
    assert manager.returncode == 0, manager.stderr
    assert "state: closed; waiting for approval by hr" in manager.stdout
    twice = cli("approve", "p.yaml", "--period", "2026-Q1", "--as", "王经理", "--role", "manager", cwd=work)
    assert twice.returncode == 2 and "王经理 already approved sales-rep 2026-Q1" in twice.stderr
    hr = cli("approve", "p.yaml", "--period", "2026-Q1", "--as", "李芳", "--role", "hr", "--comment", "已核对",
             cwd=work)
    assert "state: approved; waiting for a payroll export" in hr.stdout
    recorded = events(work)
    assert [(e.kind, e.by, e.payload["role"]) for e in recorded] == [("approval", "王经理", "manager"),
                                                                   ("approval", "李芳", "hr")]
    assert recorded[1].payload["comment"] == "已核对"
    status = cli("status", "p.yaml", "--period", "2026-Q1", cwd=work).stdout
    assert "approved" in status and "manager: 王经理, hr: 李芳" in status
    assert cli("verify", cwd=work).returncode == 0


def test_a_reopen_clears_the_approvals_and_the_re_close_needs_them_again(work):
    for role, name in (("manager", "王经理"), ("hr", "李芳")):
        assert cli("approve", "p.yaml", "--period", "2026-Q1", "--as", name, "--role", role, cwd=work).returncode == 0
    cli("reopen", "p.yaml", "--period", "2026-Q1", "--reason", "数据更正", cwd=work)
    assert "draft" in cli("status", "p.yaml", cwd=work).stdout
    assert "a close (reopened: approvals of the earlier close no longer count)" in \
        cli("status", "p.yaml", cwd=work).stdout
    late = cli("approve", "p.yaml", "--period", "2026-Q1", "--as", "王经理", "--role", "manager", cwd=work)
    assert late.returncode == 2 and "is not closed (it was reopened and is not closed again)" in late.stderr
    close(work)
    assert "approval by manager, hr" in cli("status", "p.yaml", cwd=work).stdout


def test_an_approval_pinned_to_another_close_is_refused(work):
    out = cli("approve", "p.yaml", "--period", "2026-Q1", "--as", "王经理", "--role", "manager", "--entry",
              "0123456789ab", cwd=work)
    assert out.returncode == 2 and "not that one; review it and approve again" in out.stderr
    assert events(work) == []


def test_a_period_never_closed_cannot_be_approved(work):
    out = cli("approve", "p.yaml", "--period", "2026-Q2", "--as", "王经理", "--role", "manager", cwd=work)
    assert out.returncode == 2 and "sales-rep period 2026-Q2 is not closed (it was never closed)" in out.stderr


def test_a_tampered_approval_row_fails_verify(work):
    cli("approve", "p.yaml", "--period", "2026-Q1", "--as", "王经理", "--role", "manager", cwd=work)
    con = sqlite3.connect(work / "l.sqlite")
    con.execute("DROP TRIGGER events_append_only_u")
    con.execute("UPDATE events SET actor = '张总' WHERE seq = 1")
    con.commit()
    con.close()
    out = cli("verify", cwd=work)
    assert out.returncode == 1
    assert "event 1 (approval, sales-rep 2026-Q1): stored hash does not match its content — tampered" in out.stderr


def test_an_inquiry_resolved_with_a_correction_records_the_before_and_after_numbers(work):
    bad = cli("inquiry", "open", "p.yaml", "--period", "2026-Q1", "--employee", "E999", "--about", "commission",
              "--text", "?", cwd=work)
    assert bad.returncode == 2 and "no employee 'E999'" in bad.stderr
    bad = cli("inquiry", "open", "p.yaml", "--period", "2026-Q1", "--employee", "E007", "--about", "提成",
              "--text", "?", cwd=work)
    assert bad.returncode == 2 and "expected one of sales, collection" in bad.stderr
    assert events(work) == []
    opened = cli("inquiry", "open", "p.yaml", "--period", "2026-Q1", "--employee", "E007", "--about", "commission",
                 "--text", "三月的回款没有算进去", cwd=work)
    assert opened.returncode == 0 and opened.stdout.startswith("inquiry 1 opened: sales-rep 2026-Q1 E007")
    early = cli("inquiry", "resolve", "1", "--outcome", "corrected", "--note", "补录", cwd=work)
    assert early.returncode == 2 and "a correction needs the period closed again" in early.stderr
    # the correction: E007's revenue was short; reopen, close with the fixed file, resolve
    lines = Q1.read_text(encoding="utf-8").splitlines(keepends=True)
    fixed = work / "q1-fixed.csv"
    fixed.write_text("".join(l.replace(",227914.85,", ",427914.85,") if l.startswith("E007,") else l
                             for l in lines), encoding="utf-8")
    assert cli("reopen", "p.yaml", "--period", "2026-Q1", "--reason", "inquiry 1", cwd=work).returncode == 0
    close(work, fixed)
    resolved = cli("inquiry", "resolve", "1", "--outcome", "corrected", "--note", "回款补录", "--by", "李芳",
                   cwd=work)
    assert resolved.returncode == 0, resolved.stderr
    table = resolved.stdout
    assert "inquiry 1 resolved: corrected (李芳)" in table
    with Ledger(work / "l.sqlite", readonly=True) as ledger:
        closes = [e for e in ledger.entries() if e.kind == "close"]
        resolution = ledger.events(kind="resolution")[0]
        before = ledger.load_results(closes[0]).filter(employee_id="E007").row(0, named=True)
        after = ledger.load_results(closes[1]).filter(employee_id="E007").row(0, named=True)
    assert resolution.payload["before_entry"] == closes[0].entry_hash
    assert resolution.payload["after_entry"] == closes[1].entry_hash
    numbers = {n: (b, a) for n, b, a in resolution.payload["numbers"]}
    for name in ("commission", "total", "score"):
        assert numbers[name] == (plain_text(before[name]), plain_text(after[name]))
    assert numbers["total"][0] != numbers["total"][1]
    assert f"total       {numbers['total'][0]}" in table and numbers["total"][1] in table
    listed = cli("inquiry", "list", cwd=work).stdout
    assert "corrected" in listed and "回款补录" in listed
    assert cli("inquiry", "list", "--open", cwd=work).stdout.strip() == "no inquiries open"
    again = cli("inquiry", "resolve", "1", "--outcome", "no_change", "--note", "x", cwd=work)
    assert again.returncode == 2 and "inquiry 1 is already resolved" in again.stderr
    assert cli("verify", cwd=work).returncode == 0


def test_an_inquiry_after_the_appeal_window_is_accepted_and_marked_late(work):
    with Ledger(work / "l.sqlite", readonly=True) as ledger:
        closed_at = ledger.entries()[0].at
    day = closed_at[:10]
    on_time = open_inquiry(str(work / "p.yaml"), "2026-Q1", "E007", "total", "ok?", str(work / "l.sqlite"),
                           at=f"{day}T23:59:59Z")
    assert not on_time.late
    year, rest = int(day[:4]), day[4:]
    late = open_inquiry(str(work / "p.yaml"), "2026-Q1", "E007", "total", "late?", str(work / "l.sqlite"),
                        at=f"{year + 1}{rest}T00:00:00Z")
    assert late.late and late.opened.payload["window_end"] > closed_at
    assert "late" in cli("inquiry", "list", cwd=work).stdout


def test_a_removed_newest_approval_is_found_with_the_events_head_kept_outside(work):
    cli("approve", "p.yaml", "--period", "2026-Q1", "--as", "王经理", "--role", "manager", cwd=work)
    hr = cli("approve", "p.yaml", "--period", "2026-Q1", "--as", "李芳", "--role", "hr", cwd=work)
    head = hr.stdout.split("events head: ")[1].strip()
    assert cli("verify", "--head", head, cwd=work).returncode == 0
    con = sqlite3.connect(work / "l.sqlite")
    con.execute("DROP TRIGGER events_append_only_d")
    con.execute("DELETE FROM events WHERE seq = 2")
    con.commit()
    con.close()
    assert cli("verify", cwd=work).returncode == 0  # the chain alone cannot tell a cut-off end
    cut = cli("verify", "--head", head, cwd=work)
    assert cut.returncode == 1 and "(a head recorded earlier) is not in the ledger" in cut.stderr
