"""A4: what a veto forfeited is visible in the summary, results.csv and the report.

Q2 of the example: E028 scores 80.03 but a compliance violation forfeits
all of their pay (21,510.80) and forces band C. The penalty's own column
shows 0.00 -- a veto deducts nothing, it takes -- so the amount must appear
elsewhere: a ``forfeited`` column per person, a "forfeited by" line in the
totals, and in the report a table naming the band reason.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from incentive.cli.main import cli

ROOT = Path(__file__).parents[2]
POLICY = ROOT / "rules" / "sales-rep.yaml"
Q2 = ROOT / "examples" / "sales-rep" / "2026-Q2.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_evaluate_shows_the_forfeit_in_summary_results_and_report(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "incentive", "evaluate", str(POLICY), str(Q2), "--period", "2026-Q2",
                           "--out", str(tmp_path / "ev"), "--html", str(tmp_path / "r.html")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "forfeited by compliance (Compliance veto)  21,510.80" in proc.stdout
    rows = _rows(tmp_path / "ev" / "results.csv")
    header = list(rows[0])
    assert header.index("forfeited") == header.index("total") - 1  # beside the penalties, before the total
    e028 = next(r for r in rows if r["employee_id"] == "E028")
    assert (e028["compliance"], e028["forfeited"], e028["total"], e028["band"]) == ("0.00", "21510.80", "0.00", "C")
    assert e028["band_reason"] == "forced to band C by compliance"
    assert sum(Decimal(r["forfeited"]) for r in rows) == Decimal("21510.80")  # exact, and only E028
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<h3>forfeits and forced bands</h3>" in page
    assert "<td>E028</td><td>80.03</td><td>C</td><td>forced to band C by compliance</td><td>21,510.80</td>" in page


def test_close_results_csv_has_the_forfeited_column_and_verify_passes(tmp_path):
    runner = CliRunner()
    out, ledger = tmp_path / "out", tmp_path / "l.sqlite"
    result = runner.invoke(cli, ["close", str(POLICY), str(Q2), "--period", "2026-Q2", "--ledger", str(ledger),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    close_dir = out / "sales-rep" / "2026-Q2"
    e028 = next(r for r in _rows(close_dir / "results.csv") if r["employee_id"] == "E028")
    assert e028["forfeited"] == "21510.80"
    assert "forfeited by compliance" in (close_dir / "report.html").read_text(encoding="utf-8")
    check = runner.invoke(cli, ["verify", str(close_dir), "--ledger", str(ledger)])
    assert check.exit_code == 0, check.output


def test_a_policy_without_forfeits_gets_no_forfeited_column(tmp_path):
    fixture = ROOT / "tests" / "hostile" / "fixtures"
    result = CliRunner().invoke(cli, ["evaluate", str(fixture / "hostile.yaml"), str(fixture / "clean.csv"),
                                      "--period", "2026-01", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "forfeited" not in _rows(tmp_path / "results.csv")[0]
    assert "forfeited" not in result.stdout
