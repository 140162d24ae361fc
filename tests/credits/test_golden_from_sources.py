"""The golden case evaluated and closed from its sources equals its hand-computed period tables."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "tests" / "cases" / "credits" / "basic"
POLICY = str(CASE / "policy.yaml")
SOURCES = [str(CASE / n) for n in ("orders.csv", "refunds.csv", "splits.csv", "assignments.csv", "people.csv")]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=300)


@pytest.mark.parametrize("period", ["2026-Q1", "2026-Q2"])  # Q2: SO-006's refund RF-1 lands a quarter later
def test_evaluate_from_sources_is_evaluating_the_expected_period_table(tmp_path, period):
    expected = CASE / "expected" / period / "period.csv"
    a = cli("evaluate", POLICY, str(expected), "--period", period, "--out", str(tmp_path / "a"), cwd=tmp_path)
    b = cli("evaluate", POLICY, *SOURCES, "--period", period, "--out", str(tmp_path / "b"), cwd=tmp_path)
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    assert (tmp_path / "a" / "results.csv").read_bytes() == (tmp_path / "b" / "results.csv").read_bytes()


def test_a_gbk_export_closes_to_the_same_recorded_period_table(tmp_path):
    exported = []
    for source in SOURCES:
        copy = tmp_path / Path(source).name
        copy.write_bytes(Path(source).read_text(encoding="utf-8-sig").encode("gbk"))
        exported.append(str(copy))
    gbk = tmp_path / "orders.csv"
    done = cli("close", POLICY, *exported, "--period", "2026-Q1", "--encoding", "gbk",
               "--out", str(tmp_path / "o"), "--ledger", str(tmp_path / "l.sqlite"), "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    directory = tmp_path / "o" / "credit-basic" / "2026-Q1"
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    expected = CASE / "expected" / "2026-Q1"
    assert manifest["data"]["sha256"] == hashlib.sha256((expected / "period.csv").read_bytes()).hexdigest()
    assert (directory / "credits.csv").read_bytes() == (expected / "credits.csv").read_bytes()
    assert manifest["sources"]["sources"]["orders"]["sha256"] == hashlib.sha256(gbk.read_bytes()).hexdigest()
    assert manifest["options"]["run"]["encoding"] is None  # --encoding read the sources; the table is UTF-8
    verify = cli("verify", str(directory), "--ledger", str(tmp_path / "l.sqlite"), cwd=tmp_path)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "measures revenue, collected, overlay_revenue, team_revenue, orders, first_order re-aggregated" \
        in verify.stdout
