"""``incentive credit`` through the real command, on the hand-written golden case."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "tests" / "cases" / "credits" / "basic"
SOURCES = [str(CASE / n) for n in ("orders.csv", "refunds.csv", "splits.csv", "assignments.csv", "people.csv")]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=300)


@pytest.mark.parametrize("period", ["2026-Q1", "2026-Q2"])
def test_the_period_and_credit_tables_equal_the_hand_computed_ones(tmp_path, period):
    out = cli("credit", str(CASE / "policy.yaml"), *SOURCES, "--period", period, "--out", str(tmp_path / "o"),
              cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    for name in ("period.csv", "credits.csv"):
        expected = (CASE / "expected" / period / name).read_text(encoding="utf-8")
        assert (tmp_path / "o" / name).read_text(encoding="utf-8") == expected, name
    listing = json.loads((tmp_path / "o" / "sources.json").read_text(encoding="utf-8"))
    assert set(listing["sources"]) == {"orders", "refunds", "splits", "assignments", "people"}
    assert all(len(s["sha256"]) == 64 for s in listing["sources"].values())


def test_warnings_are_counted_on_stderr(tmp_path):
    out = cli("credit", str(CASE / "policy.yaml"), *SOURCES, "--period", "2026-Q1", "--out", str(tmp_path / "o"),
              cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    # SO-005's order (2025-12-20), SO-007 (2026-04-02) and refund RF-1 (2026-04-10) fall outside Q1
    assert "3 line amounts dated outside 2026-Q1" in out.stderr
    assert "1 line amounts in 2026-Q1 were excluded by classification" in out.stderr  # SO-004 已作废
    assert "1 credited people are not in" in out.stderr  # D1, the director, is not in the plan's people file


def test_sources_can_be_named_explicitly_and_parquet_is_written(tmp_path):
    import polars as pl

    renamed = tmp_path / "crm-export.csv"
    renamed.write_bytes((CASE / "orders.csv").read_bytes())
    args = [f"orders={renamed}", *SOURCES[1:]]
    out = cli("credit", str(CASE / "policy.yaml"), *args, "--period", "2026-Q1", "--out", str(tmp_path / "o"),
              "--format", "parquet", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    period = pl.read_parquet(tmp_path / "o" / "period.parquet")
    expected = pl.read_csv(CASE / "expected" / "2026-Q1" / "period.csv", infer_schema=False)
    assert period.columns == expected.columns
    assert [str(v) for v in period["revenue"]] == expected["revenue"].to_list()  # exact decimals, not floats
    assert period.schema["revenue"] == pl.Decimal(38, 2)


def test_bad_input_exits_2_without_writing(tmp_path):
    bad = tmp_path / "orders.csv"
    bad.write_text((CASE / "orders.csv").read_text(encoding="utf-8").replace("1000.00,2026-02-01", "1000.005,2026-02-01"),
                   encoding="utf-8")
    out = cli("credit", str(CASE / "policy.yaml"), str(bad), *SOURCES[1:], "--period", "2026-Q1",
              "--out", str(tmp_path / "o"), cwd=tmp_path)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "orders.csv:2: column '订单金额': value '1000.005': at most 2 decimal places" in out.stderr
    assert not (tmp_path / "o").exists()


def test_a_gbk_export_reads_like_utf8(tmp_path):
    gbk = tmp_path / "orders.csv"
    gbk.write_bytes((CASE / "orders.csv").read_text(encoding="utf-8").encode("gbk"))
    out = cli("credit", str(CASE / "policy.yaml"), str(gbk), *SOURCES[1:], "--period", "2026-Q1",
              "--out", str(tmp_path / "o"), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    expected = (CASE / "expected" / "2026-Q1" / "credits.csv").read_text(encoding="utf-8")
    assert (tmp_path / "o" / "credits.csv").read_text(encoding="utf-8") == expected


def test_an_xlsx_export_credits_like_the_csv(tmp_path):
    import polars as pl

    book = tmp_path / "orders.xlsx"
    pl.read_csv(CASE / "orders.csv", infer_schema=False).write_excel(book)
    out = cli("credit", str(CASE / "policy.yaml"), f"orders={book}", *SOURCES[1:], "--period", "2026-Q1",
              "--out", str(tmp_path / "o"), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    expected = (CASE / "expected" / "2026-Q1" / "credits.csv").read_text(encoding="utf-8")
    assert (tmp_path / "o" / "credits.csv").read_text(encoding="utf-8") == expected


def test_a_period_without_lines_gives_zeros_for_everyone(tmp_path):
    out = cli("credit", str(CASE / "policy.yaml"), *SOURCES, "--period", "2024-Q1", "--out", str(tmp_path / "o"),
              cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    lines = (tmp_path / "o" / "period.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[1] == "E1,张三,T2,0.00,0.00,0.00,0.00,0,0,,5000.00"
    assert (tmp_path / "o" / "credits.csv").read_text(encoding="utf-8-sig").count("\n") == 1  # the header only


def test_spaces_around_cells_of_every_source_are_ignored(tmp_path):
    """Exports pad cells with spaces, tabs, no-break and full-width spaces: the same credits as without them."""
    import shutil

    from incentive.app.credit import run_credit

    case = tmp_path / "case"
    shutil.copytree(CASE, case, ignore=shutil.ignore_patterns("expected"))
    for name in ("orders.csv", "splits.csv", "assignments.csv", "refunds.csv"):
        path = case / name
        head, *rows = path.read_text(encoding="utf-8").splitlines()
        padded = [",".join(f"\u3000{cell}\xa0 " if cell else "\t" for cell in row.split(",")) for row in rows]
        path.write_text("\n".join([head, *padded]) + "\n", encoding="utf-8")
    run_credit(str(case / "policy.yaml"), tuple(str(case / f) for f in ("orders.csv", "refunds.csv", "splits.csv",
                                                                         "assignments.csv", "people.csv")),
               "2026-Q1", str(tmp_path / "o"))
    for name in ("period.csv", "credits.csv"):
        expected = (CASE / "expected" / "2026-Q1" / name).read_text(encoding="utf-8")
        assert (tmp_path / "o" / name).read_text(encoding="utf-8") == expected, name
