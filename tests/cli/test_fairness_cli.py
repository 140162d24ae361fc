"""The adverse-impact report through the real commands: a close writes fairness.csv into its manifest and
verify re-derives it; evaluate --out writes it too; the flag lines go to stderr; validate refuses a policy
that reads a fairness column; a missing column or an empty cell stops the run with nothing written."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "rules" / "sales-rep.yaml"
Q1 = ROOT / "examples" / "sales-rep" / "2026-Q1.csv"


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_a_close_writes_fairness_csv_into_its_manifest_and_verify_passes(tmp_path):
    done = cli("close", str(POLICY), str(Q1), "--period", "2026-Q1", "--ledger", str(tmp_path / "l.sqlite"),
               "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    directory = tmp_path / "out" / "sales-rep" / "2026-Q1"
    with open(directory / "fairness.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    a_band = {r["group"]: r for r in rows if r["selection_kind"] == "band" and r["selection"] == "A"}
    assert set(a_band) == {"男", "女"} and a_band["男"]["four_fifths"] == "flag"
    assert a_band["男"]["rate"] == "0.1579" and a_band["男"]["ratio"] == "0.6541"
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    assert "fairness.csv" in manifest["files"]
    assert ("fairness: gender=男 band A selection rate 0.1579 is 0.6541 of 女's (four-fifths rule); Fisher p=0.7185"
            in done.stderr.splitlines())
    ok = cli("verify", "--ledger", str(tmp_path / "l.sqlite"), cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    (directory / "fairness.csv").write_text("tampered\n", encoding="utf-8")
    bad = cli("verify", str(directory), "--ledger", str(tmp_path / "l.sqlite"), cwd=tmp_path)
    assert bad.returncode != 0 and "fairness.csv" in bad.stdout + bad.stderr


def test_evaluate_out_writes_fairness_csv_with_chinese_headers(tmp_path):
    done = cli("evaluate", str(POLICY), str(Q1), "--period", "2026-Q1", "--out", str(tmp_path / "ev"), "--lang",
               "zh", "--headers", "labels", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    header = (tmp_path / "ev" / "fairness.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("字段,组别,类别,入选项,方向,人数,入选人数,入选率")
    assert "公平性：性别=男：A 档入选率 0.1579，为 女 的 0.6541 倍（低于五分之四规则）；费希尔精确检验 p=0.7185" in done.stderr


def test_validate_and_evaluate_refuse_a_policy_that_reads_a_fairness_column(tmp_path):
    text = POLICY.read_text(encoding="utf-8").replace("    gate: collection_rate >= 0.6\n",
                                                      '    gate: collection_rate >= 0.6 and gender == "男"\n')
    policy = tmp_path / "sales-rep.yaml"
    policy.write_text(text, encoding="utf-8")
    found = cli("validate", str(policy), cwd=tmp_path)
    assert found.returncode == 1
    line = next(x for x in found.stdout.splitlines() if "fairness-column-used" in x)
    row = next(i for i, x in enumerate(text.splitlines(), 1) if 'gender == "男"' in x)
    assert line.startswith(f"{policy}:{row}:") and "payouts.bonus.gate reads the fairness column 'gender'" in line
    refused = cli("evaluate", str(policy), str(Q1), "--period", "2026-Q1", "--out", str(tmp_path / "ev"),
                  cwd=tmp_path)
    assert refused.returncode == 2 and "fairness-column-used" in refused.stderr
    assert not (tmp_path / "ev").exists()


def _rewrite(source: Path, target: Path, change) -> Path:
    with open(source, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    with open(target, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(change(rows))
    return target


def test_a_missing_fairness_column_stops_the_close_with_nothing_written(tmp_path):
    data = _rewrite(Q1, tmp_path / "q1.csv", lambda rows: [r[:-1] for r in rows])  # 性别 is the last column
    done = cli("close", str(POLICY), str(data), "--period", "2026-Q1", "--ledger", str(tmp_path / "l.sqlite"),
               "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 2
    assert f"{data}:1: column '性别': a column '性别' or 'gender' for input gender (text)" in done.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "l.sqlite").exists()


def test_empty_fairness_cells_are_named_by_row_with_nothing_written(tmp_path):
    def blank(rows: list[list[str]]) -> list[list[str]]:
        for i in (3, 7):
            rows[i][-1] = ""
        return rows

    data = _rewrite(Q1, tmp_path / "q1.csv", blank)
    done = cli("evaluate", str(POLICY), str(data), "--period", "2026-Q1", "--out", str(tmp_path / "ev"),
               cwd=tmp_path)
    assert done.returncode == 2
    for row in (4, 8):  # the file's line numbers, header on line 1
        assert f"{data}:{row}: column '性别': a value: '性别' is required and has no default" in done.stderr
    assert not (tmp_path / "ev").exists()


def test_a_close_on_planted_data_flags_it_with_the_hand_computed_fisher_p(tmp_path):
    """The Done-when of issue 16: a close on generated data where women's A-band rate is under 80% of men's."""
    from tests.report.test_fairness import POLICY as PLANTED_POLICY, hypergeometric_p, planted, write

    from incentive.report.fairness_text import p_text

    policy = tmp_path / "fair-test.yaml"
    policy.write_text(PLANTED_POLICY, encoding="utf-8")
    data = write(tmp_path, planted())
    done = cli("close", str(policy), str(data), "--period", "2026-Q1", "--ledger", str(tmp_path / "l.sqlite"),
               "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    with open(tmp_path / "out" / "fair-test" / "2026-Q1" / "fairness.csv", encoding="utf-8-sig", newline="") as fh:
        women = next(r for r in csv.DictReader(fh)
                     if r["group"] == "女" and r["selection_kind"] == "band" and r["selection"] == "A")
    assert (women["selected"], women["rate"], women["ratio"], women["four_fifths"]) == ("5", "0.1000", "0.3333", "flag")
    assert women["fisher_p"] == p_text(hypergeometric_p(5, 45, 15, 35))
    assert f"Fisher p={women['fisher_p']}" in done.stderr
