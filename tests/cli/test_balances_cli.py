"""Draw balances through the real command: closes in order (out-of-order ones refused, nothing recorded),
balances.csv, a departure reported, `incentive balances`, reopen order, verify."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from incentive.ledger import Ledger

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "rules" / "new-rep-draw.yaml"
MONTHS = {"2026-08": "N1,甲,5000\nN2,乙,40000\nN3,丙,1000\n", "2026-09": "N1,甲,30000\nN2,乙,1000\n",
          "2026-10": "N1,甲,20000\n"}


def cli(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incentive", *args, "--ledger", str(tmp / "l.sqlite")], cwd=tmp,
                          capture_output=True, text=True, timeout=300)


def close(tmp: Path, month: str) -> subprocess.CompletedProcess:
    path = tmp / f"{month}.csv"
    path.write_text("工号,姓名,销售额\n" + MONTHS[month], encoding="utf-8")
    return cli(tmp, "close", str(POLICY), str(path), "--period", month, "--out", str(tmp / "out"), "--quiet")


@pytest.fixture(scope="module")
def august(tmp_path_factory) -> Path:
    """2026-08 closed (shared: closing is the slow part; each test works in a copy)."""
    tmp = tmp_path_factory.mktemp("august")
    done = close(tmp, "2026-08")
    assert done.returncode == 0, done.stderr
    return tmp


@pytest.fixture(scope="module")
def september(august, tmp_path_factory) -> Path:
    """2026-08 and 2026-09 closed in order."""
    tmp = copy_of(august, tmp_path_factory.mktemp("september"))
    done = close(tmp, "2026-09")
    assert done.returncode == 0, done.stderr
    return tmp


def copy_of(closed: Path, tmp_path: Path) -> Path:
    """A copy of a closed folder (ledger, data, outputs) a test may change; the ledger refers to no path."""
    target = tmp_path / "copy"
    shutil.copytree(closed, target)
    return target


def entries(tmp: Path) -> int:
    with Ledger(tmp / "l.sqlite", readonly=True) as ledger:
        return len(ledger.entries())


def test_balances_carry_in_period_order_and_a_leaver_is_reported(august, tmp_path):
    tmp_path = copy_of(august, tmp_path)  # 2026-08 closed
    skipped = close(tmp_path, "2026-10")
    assert skipped.returncode == 2 and entries(tmp_path) == 1
    assert "start from the closing balances of 2026-09, which is not closed (last closed: 2026-08)" in skipped.stderr
    sept = close(tmp_path, "2026-09")
    assert sept.returncode == 0, sept.stderr
    assert "N3 owed 1400 on draw advance at the last close and is not in this period's data: reported for " \
           "recovery" in sept.stderr
    rows = {r["employee_id"]: r for r in csv.DictReader(
        (tmp_path / "out" / "new-rep-draw" / "2026-09" / "balances.csv").open(encoding="utf-8-sig"))}
    assert (rows["N1"]["opening"], rows["N1"]["recovered"], rows["N1"]["paid"], rows["N1"]["closing"]) == \
        ("1000.00", "1000.00", "2000.00", "0.00")
    assert (rows["N2"]["shortfall"], rows["N2"]["closing"]) == ("1400.00", "1400.00")
    assert (rows["N3"]["closing"], rows["N3"]["status"]) == ("1400.00", "left: reported for recovery")
    listed = cli(tmp_path, "balances", str(POLICY), "--employee", "N1")
    assert listed.returncode == 0
    lines = [line.split() for line in listed.stdout.splitlines()[2:]]
    assert lines == [["2026-08", "N1", "advance", "0.00", "1000.00", "0.00", "0.00", "1000.00"],
                     ["2026-09", "N1", "advance", "1000.00", "0.00", "1000.00", "0.00", "0.00"]]
    assert "left: reported for recovery" in cli(tmp_path, "balances", str(POLICY), "--period", "2026-09").stdout
    assert cli(tmp_path, "verify").returncode == 0


def test_a_period_whose_balances_a_later_close_used_is_reopened_only_after_it(september, tmp_path):
    tmp_path = copy_of(september, tmp_path)  # 2026-08 and 2026-09 closed
    early = cli(tmp_path, "reopen", str(POLICY), "--period", "2026-08", "--reason", "fix")
    assert early.returncode == 2 and "the balances of 2026-09 (ledger entry 2) start from this close" in \
        early.stderr
    assert entries(tmp_path) == 2
    assert cli(tmp_path, "reopen", str(POLICY), "--period", "2026-09", "--reason", "fix").returncode == 0
    assert cli(tmp_path, "reopen", str(POLICY), "--period", "2026-08", "--reason", "fix").returncode == 0
    again = close(tmp_path, "2026-09")
    assert again.returncode == 2 and "2026-08, which was reopened and is not closed again" in again.stderr
    assert close(tmp_path, "2026-08").returncode == 0 and close(tmp_path, "2026-09").returncode == 0
    assert cli(tmp_path, "verify").returncode == 0


def test_cascade_reopens_the_later_periods_newest_first_and_they_close_again_in_order(september, tmp_path):
    tmp_path = copy_of(september, tmp_path)  # 2026-08 and 2026-09 closed
    assert close(tmp_path, "2026-10").returncode == 0
    paid_before = (tmp_path / "out" / "new-rep-draw" / "2026-10" / "payouts.csv").read_bytes()
    done = cli(tmp_path, "reopen", str(POLICY), "--period", "2026-08", "--reason", "fix", "--cascade")
    assert done.returncode == 0, done.stderr
    assert done.stderr.index("reopened new-rep-draw 2026-10 first") < done.stderr.index("reopened new-rep-draw 2026-09 first")
    with Ledger(tmp_path / "l.sqlite", readonly=True) as ledger:
        assert [ledger.status("new-rep-draw", m).state for m in MONTHS] == ["reopened"] * 3
        assert [e.period for e in ledger.entries() if e.kind == "reopen"] == ["2026-10", "2026-09", "2026-08"]
        assert ledger.entries()[-2].reason == "cascade from 2026-08: fix"
    refused = close(tmp_path, "2026-09")  # still in order: August first
    assert refused.returncode == 2 and "close 2026-08 first" in refused.stderr
    for month in MONTHS:
        assert close(tmp_path, month).returncode == 0
    assert (tmp_path / "out" / "new-rep-draw" / "2026-10" / "payouts.csv").read_bytes() == paid_before
    assert cli(tmp_path, "verify").returncode == 0
