"""``evaluate`` and ``explain`` through the real command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "rules" / "sales-rep.yaml"
Q1 = ROOT / "examples" / "sales-rep" / "2026-Q1.csv"
Q3_GBK = ROOT / "examples" / "sales-rep" / "2026-Q3.csv"


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_evaluate_prints_the_summary_and_writes_results(tmp_path):
    out = cli("evaluate", str(POLICY), str(Q1), "--period", "2026-Q1", "--out", str(tmp_path / "o"), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "headcount" in out.stdout and "total (CNY)" in out.stdout
    results = pl.read_csv(tmp_path / "o" / "results.csv", infer_schema=False)
    assert results.height == 48
    assert {"score", "band", "commission", "bonus", "total", "recommendations"} <= set(results.columns)
    assert all(v.count(".") == 1 and len(v.split(".")[1]) == 2 for v in results.get_column("total").to_list())


def test_evaluate_reads_gbk_exports(tmp_path):
    out = cli("evaluate", str(POLICY), str(Q3_GBK), "--period", "2026-Q3", cwd=tmp_path)
    assert out.returncode == 0, out.stderr


def test_bad_data_lists_every_problem_exits_2_and_writes_nothing(tmp_path):
    rows = [line.split(",") for line in Q1.read_text(encoding="utf-8-sig").splitlines()]
    rows[1][5] = "lots"  # 销售额 not a number
    rows[3][12] = "maybe"  # 合规违规 not a boolean
    rows[4][0] = rows[5][0]  # duplicate id
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    out = cli("evaluate", str(POLICY), str(bad), "--period", "2026-Q1", "--out", str(tmp_path / "o"), cwd=tmp_path)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "bad.csv:2: column '销售额': value 'lots'" in out.stderr
    assert "bad.csv:4: column '合规违规': value 'maybe'" in out.stderr
    assert "a unique employee id" in out.stderr
    assert not (tmp_path / "o").exists()


def test_wrong_period_unit_is_a_usage_error(tmp_path):
    out = cli("evaluate", str(POLICY), str(Q1), "--period", "2026-03", cwd=tmp_path)
    assert out.returncode == 2 and "Traceback" not in out.stderr and "expected a quarter like 2026-Q3" in out.stderr


def test_explain_shows_tier_slices_gate_and_recommendation(tmp_path):
    out = cli("explain", str(POLICY), str(Q1), "--period", "2026-Q1", "--employee", "E007", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "commission (Commission) = 6,837.45" in text
    assert "@ 3% of 227,914.85" in text
    assert "gate collection_rate >= 0.6: false → pays 0" in text
    assert "improvement = improvement_plan" in text


def test_explain_json_and_chinese_labels(tmp_path):
    out = cli("explain", str(POLICY), str(Q1), "--period", "2026-Q1", "--employee", "E001", "--format", "json",
              "--lang", "zh", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    steps = {s["name"]: s for s in doc["steps"]}
    assert steps["commission"]["label"] == "提成"
    ev = cli("evaluate", str(POLICY), str(Q1), "--period", "2026-Q1", "--employee", "E001", "--out", str(tmp_path / "o"),
             cwd=tmp_path)
    total = pl.read_csv(tmp_path / "o" / "results.csv", infer_schema=False).get_column("total").item()
    assert steps["total"]["value"] == total.rstrip("0").rstrip(".")


def test_explain_unknown_employee_exits_2(tmp_path):
    out = cli("explain", str(POLICY), str(Q1), "--period", "2026-Q1", "--employee", "NOPE", cwd=tmp_path)
    assert out.returncode == 2 and "NOPE" in out.stderr and "Traceback" not in out.stderr


def test_a_lone_policy_is_not_evaluated_for_a_period_outside_its_effective_dates(tmp_path):
    """rules/sales-rep.yaml takes effect on 2026-01-01: 2025-Q4 is no period it applies to (a plan directory
    holds the version that does, docs/plan-versions.md)."""
    done = cli("evaluate", str(POLICY), str(ROOT / "examples" / "sales-rep" / "2026-Q1.csv"), "--period", "2025-Q4",
               "--out", "out", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--period 2025-Q4 (2025-10-01 to 2025-12-31) is not within the effective dates of policy sales-rep " \
           "(2026-01-01 to open)" in done.stderr
    assert not (tmp_path / "out").exists()
