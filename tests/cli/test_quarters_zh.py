"""Issue 12's end-to-end promises, through the real command.

The three example quarters closed in Chinese verify clean (the language is
recorded with each close and reused by the re-run), and a close that cannot
see the history of earlier closes says so instead of silently dropping the
history-driven recommendations.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "rules" / "sales-rep.yaml"
DATA = ROOT / "examples" / "sales-rep"
QUARTERS = ["2026-Q1", "2026-Q2", "2026-Q3"]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INCENTIVE_")}
    return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=env)


def test_three_quarters_closed_in_chinese_verify_clean(tmp_path: Path) -> None:
    ledger = str(tmp_path / "ledger.sqlite")
    for quarter in QUARTERS:
        done = cli("close", str(POLICY), str(DATA / f"{quarter}.csv"), "--period", quarter, "--lang", "zh",
                   "--ledger", ledger, "--out", str(tmp_path / "out"), "--by", "hr", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    checked = cli("verify", "--ledger", ledger, cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "FAILED" not in checked.stdout + checked.stderr
    for quarter in QUARTERS:
        checked = cli("verify", str(tmp_path / "out" / "sales-rep" / quarter), "--ledger", ledger, cwd=tmp_path)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_close_that_sees_no_history_says_so(tmp_path: Path) -> None:
    elsewhere = tmp_path / "hr-share"
    elsewhere.mkdir()
    for quarter in QUARTERS[:2]:
        done = cli("close", str(POLICY), str(DATA / f"{quarter}.csv"), "--period", quarter,
                   "--ledger", str(elsewhere / "ledger.sqlite"), "--out", str(elsewhere / "out"), cwd=elsewhere)
        assert done.returncode == 0, done.stderr
    here = tmp_path / "laptop"
    here.mkdir()
    done = cli("close", str(POLICY), str(DATA / "2026-Q3.csv"), "--period", "2026-Q3", cwd=here)
    assert done.returncode == 0, done.stderr
    said = done.stderr.lower()
    assert "history" in said and "sales-rep" in said, done.stderr
    created = here / "incentive-ledger.sqlite"
    assert str(created.resolve()) in done.stderr, "creating a ledger is announced with its full path"

    strict = cli("close", str(POLICY), str(DATA / "2026-Q3.csv"), "--period", "2026-Q3", "--strict",
                 "--ledger", str(tmp_path / "fresh.sqlite"), "--out", str(tmp_path / "strict-out"), cwd=tmp_path)
    assert strict.returncode == 2, strict.stderr
    assert not (tmp_path / "strict-out").exists()
    assert not (tmp_path / "fresh.sqlite").exists(), "a refused close creates no ledger"


def test_what_if_commands_say_when_they_see_no_history(tmp_path: Path) -> None:
    """diff and sweep evaluate like evaluate does: without history they say so, once."""
    q3 = str(DATA / "2026-Q3.csv")
    for args in (["diff", str(POLICY), str(POLICY), q3], ["sweep", str(POLICY), q3, "--set-range",
                                                           "kpis.sales.weight=40,40"]):
        done = cli(*args, "--period", "2026-Q3", "--ledger", str(tmp_path / "none.sqlite"), cwd=tmp_path)
        assert done.returncode in (0, 1), done.stderr
        notes = [line for line in done.stderr.splitlines() if "no ledger" in line]
        assert len(notes) == 1 and "sales-rep" in notes[0], done.stderr
        assert not (tmp_path / "none.sqlite").exists()
