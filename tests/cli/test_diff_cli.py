"""``incentive diff``, ``sweep``, ``sample`` and ``evaluate --html`` as real processes."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from tests.compare.crafted import WEIGHT_CHANGE, write_crafted

ROOT = Path(__file__).resolve().parents[2]
POLICY = str(ROOT / "rules" / "sales-rep.yaml")
Q1 = str(ROOT / "examples" / "sales-rep" / "2026-Q1.csv")
SETS = [arg for s in WEIGHT_CHANGE for arg in ("--set", s)]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def test_diff_of_a_policy_against_itself(tmp_path):
    out = tmp_path / "deltas.csv"
    proc = run("diff", POLICY, POLICY, Q1, "--period", "2026-Q1", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "(0 people moved)" in proc.stdout
    assert "biggest gainers" not in proc.stdout and "biggest losers" not in proc.stdout
    total = next(line for line in proc.stdout.splitlines() if line.startswith("total (CNY)"))
    assert total.split()[2:] == ["967,811.20", "967,811.20", "0.00", "0.0%"]
    frame = pl.read_csv(out, infer_schema=False)
    assert frame.height == 48
    deltas = [c for c in frame.columns if c.endswith(".delta")]
    assert "total.delta" in deltas and "commission.delta" in deltas and "late_reports.delta" in deltas
    for c in deltas:
        assert set(frame.get_column(c).to_list()) <= {"0.00", "0"}, c
    assert frame.columns[:3] == ["employee_id", "name", "region"]
    assert frame.get_column("band.old").to_list() == frame.get_column("band.new").to_list()


def test_weight_change_on_crafted_data(tmp_path):
    data = write_crafted(tmp_path / "crafted.csv")
    out = tmp_path / "deltas.json"
    html = tmp_path / "diff.html"
    proc = run("diff", POLICY, POLICY, str(data), "--period", "2026-Q1", *SETS, "--out", str(out), "--html", str(html),
               "--top", "1")
    assert proc.returncode == 0, proc.stderr
    assert "--set kpis.sales.weight=50 --set kpis.collection.weight=15" in proc.stdout
    gainers = proc.stdout.split("biggest gainers")[1].split("biggest losers")[0]
    losers = proc.stdout.split("biggest losers")[1]
    assert "X01" in gainers and "+3,600.00" in gainers and "Y01" not in gainers
    assert "Y01" in losers and "-5,000.00" in losers
    rows = {r["employee_id"]: r for r in json.loads(out.read_text(encoding="utf-8"))}
    assert Decimal(rows["X01"]["total.delta"]) == 3600 and Decimal(rows["Y01"]["total.delta"]) == -5000
    assert sum(Decimal(r["total.delta"]) for r in rows.values()) == Decimal("-1400.00")
    page = html.read_text(encoding="utf-8")
    assert page.count("<svg") == 4 and "http://" not in page and "https://" not in page


def test_diff_xlsx_out_and_group_by_team(tmp_path):
    out = tmp_path / "deltas.xlsx"
    proc = run("diff", POLICY, POLICY, Q1, "--period", "2026-Q1", *SETS, "--by", "team", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "cost by team" in proc.stdout and "华东一组" in proc.stdout
    frame = pl.read_excel(out)
    assert frame.height == 48 and "team" in frame.columns and "total.delta" in frame.columns


@pytest.mark.parametrize("args, message", [
    (["--set", "kpis.sales.weight=forty"], "--set kpis.sales.weight=forty"),
    (["--set", "kpiz.sales.weight=50"], "did you mean 'kpis'"),
    (["--by", "nosuch"], "--by nosuch"),
    (["--out", "deltas.txt"], "--out deltas.txt"),
    (["--period", "2026-13"], "2026-13"),
])
def test_diff_usage_errors_exit_2_without_traceback(args, message, tmp_path):
    base = ["diff", POLICY, POLICY, Q1]
    if "--period" not in args:
        base += ["--period", "2026-Q1"]
    proc = run(*base, *args, cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_sweep_prints_exact_values_and_writes_the_table(tmp_path):
    out = tmp_path / "sweep.csv"
    proc = run("sweep", POLICY, Q1, "--period", "2026-Q1", "--set-range",
               "payouts.commission.tiers.table[1].rate=0.03:0.07:0.01", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    table = pl.read_csv(out, infer_schema=False)
    assert table.get_column("value").to_list() == ["0.03", "0.04", "0.05", "0.06", "0.07"]
    commission = [Decimal(v) for v in table.get_column("commission").to_list()]
    assert commission == sorted(commission) and len(set(commission)) == 5
    assert table.get_column("total").to_list()[2] == "967811.20"
    assert {"band:A", "band:B", "band:C"} <= set(table.columns)
    assert "0.06" in proc.stdout and "sweep of payouts.commission.tiers.table[1].rate" in proc.stdout


def test_sweep_bad_range_exits_2():
    proc = run("sweep", POLICY, Q1, "--period", "2026-Q1", "--set-range", "kpis.sales.weight=60:40:5")
    assert proc.returncode == 2 and "never reaches" in proc.stderr


def test_sample_is_deterministic_and_feeds_evaluate(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for path in (a, b):
        proc = run("sample", POLICY, "--rows", "300", "--seed", "7", "--out", str(path))
        assert proc.returncode == 0, proc.stderr
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()
    header = a.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("工号,姓名,区域,团队,入职日期,销售额")
    html = tmp_path / "report.html"
    proc = run("evaluate", POLICY, str(a), "--period", "2026-Q1", "--html", str(html))
    assert proc.returncode == 0, proc.stderr
    assert "headcount" in proc.stdout and html.read_text(encoding="utf-8").count("<svg") == 6  # with fairness


def test_sample_to_stdout_and_other_formats(tmp_path):
    proc = run("sample", POLICY, "--rows", "5", "--seed", "1")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 6 and lines[0].startswith("工号,")
    for fmt in ("xlsx", "json", "parquet"):
        out = tmp_path / f"s.{fmt}"
        proc = run("sample", POLICY, "--rows", "50", "--seed", "1", "--out", str(out), "--period", "2026-Q3")
        assert proc.returncode == 0, proc.stderr
        ev = run("evaluate", POLICY, str(out), "--period", "2026-Q3")
        assert ev.returncode == 0, ev.stderr


@pytest.mark.parametrize("args, message", [
    (["--rows", "0"], "--rows"),
    (["--rows", "5", "--out", "x.csv", "--format", "xlsx"], "does not match"),
    (["--rows", "5", "--format", "parquet"], "give --out FILE"),
    (["--rows", "5", "--period", "2026-07"], "2026-07"),
])
def test_sample_usage_errors_exit_2(args, message, tmp_path):
    proc = run("sample", POLICY, *args, cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
