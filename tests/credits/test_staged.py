"""Sources typed a slice at a time (``prepare.SLICE`` rows) credit and report exactly as read whole.

A Parquet source of millions of lines is read, typed and checked a slice at
a time and staged in Parquet files; the checks across rows (unique ids,
split shares, refunds beyond the line) run as SQL over the staged files.
Here the golden case's orders and splits are Parquet and the slices are a
few rows, so every rule meets rows of several slices.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import polars as pl
import pytest

from incentive.app.credit import run_credit
from incentive.credits import prepare as prepare_module
from incentive.credits.load import load_definition
from incentive.credits.prepare import prepare
from incentive.credits.sources import source_paths
from incentive.errors import UsageError

CASE = Path(__file__).resolve().parents[1] / "cases" / "credits" / "basic"
AS_PARQUET = ("orders", "splits")


def parquet_case(tmp_path: Path, edits: dict[str, tuple[str, str]] | None = None) -> tuple[Path, tuple[str, ...]]:
    case = tmp_path / "case"
    shutil.copytree(CASE, case, ignore=shutil.ignore_patterns("expected"))
    for name, (old, new) in (edits or {}).items():
        text = (case / name).read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        (case / name).write_text(text.replace(old, new), encoding="utf-8")
    for name in AS_PARQUET:
        pl.read_csv(case / f"{name}.csv", infer_schema=False).write_parquet(case / f"{name}.parquet",
                                                                            row_group_size=2)
        (case / f"{name}.csv").unlink()
    sources = tuple(str(case / (f"{n}.parquet" if n in AS_PARQUET else f"{n}.csv"))
                    for n in ("orders", "refunds", "splits", "assignments", "people"))
    return case, sources


@pytest.mark.parametrize("rows", [1, 2, 3])
def test_a_parquet_source_read_a_few_rows_at_a_time_credits_as_the_golden_case(tmp_path, monkeypatch, rows):
    monkeypatch.setattr(prepare_module, "SLICE", rows)
    case, sources = parquet_case(tmp_path)
    definition = load_definition(case / "crediting.yaml")
    data = prepare(definition, source_paths(sources, definition), currency="CNY", decimals=2)
    assert len(data.lines.parts) == math.ceil(7 / rows)  # the 7 orders really were typed in slices
    assert data.lines.height == 7 and data.splits.height == 4
    assert sorted(data.events.frame()["ek"].to_list()) == list(range(data.events.height))  # one key per event
    for period in ("2026-Q1", "2026-Q2"):
        out = tmp_path / period
        run_credit(str(case / "policy.yaml"), sources, period, str(out))
        for name in ("period.csv", "credits.csv"):
            expected = (CASE / "expected" / period / name).read_text(encoding="utf-8")
            assert (out / name).read_text(encoding="utf-8") == expected, (period, name)


BAD = {
    # SO-001 again in the last slice with an amount of 3 decimals, shares over 100% across slices, a split
    # row repeated, and a refund of more than its line (reported once the tables themselves are right)
    "orders.csv": ("SO-007,庚公司,老客户,E3,2026-04-02,700.00", "SO-001,庚公司,老客户,E3,2026-04-02,700.001"),
    "splits.csv": ("SO-006,E1,overlay,50%", "SO-006,E1,overlay,50%\nSO-003,E4,owner,10%\nSO-003,E1,owner,1%"),
    "refunds.csv": ("RF-2,SO-006,2026-03-20,100.00", "RF-2,SO-006,2026-03-20,300.01"),
}


def _message(tmp_path: Path, edits: dict[str, tuple[str, str]]) -> str:
    case, sources = parquet_case(tmp_path, edits)
    out = tmp_path / "out"
    with pytest.raises(UsageError) as err:
        run_credit(str(case / "policy.yaml"), sources, "2026-Q1", str(out))
    assert not out.exists()
    return str(err.value).replace(str(case), "CASE")


@pytest.mark.parametrize("edits", [{k: v} for k, v in BAD.items()] + [BAD], ids=[*BAD, "all"])
def test_problems_across_slices_are_reported_as_when_read_whole(tmp_path, monkeypatch, edits):
    whole = _message(tmp_path / "whole", edits)
    monkeypatch.setattr(prepare_module, "SLICE", 2)
    sliced = _message(tmp_path / "sliced", edits)
    assert sliced == whole
    if "orders.csv" in edits:
        assert "CASE/orders.parquet:7: column '订单编号': value 'SO-001': a unique line id; row 1 has the same" in whole
        assert "CASE/orders.parquet:7: column '订单金额': value '700.001': at most 2 decimal places" in whole
    if "splits.csv" in edits:
        assert ("CASE/splits.parquet:1: column '比例': value '1.109999': shares of line 'SO-003' in role 'owner' "
                "summing to at most 100%; rows 1, 2, 3, 5, 6 sum to 110.9999%") in whole
        assert ("CASE/splits.parquet:6: column '工号': value 'SO-003 / owner / E1': a unique person per line and role; "
                "row 1 has the same") in whole
    if edits.keys() == {"refunds.csv"}:
        assert ("CASE/refunds.csv:3: column '退款金额': value '300.01': refunds of line 'SO-006' of at most its amount "
                "300.00; rows 3 refund 300.01") in whole
