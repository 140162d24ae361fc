"""Library code used from Python leaves process-wide state as it found it (issue 17 item 3)."""

from __future__ import annotations

import os
import threading
from decimal import Decimal
from pathlib import Path

import polars as pl

from incentive.engine.pipeline import evaluate
from incentive.io import read_period_data
from incentive.io.periods import parse_period
from incentive.output.tables import write_csv
from incentive.policy.validate import load_policy

ROOT = Path(__file__).resolve().parents[2]


def _evaluate_and_write(tmp_path: Path) -> bytes:
    checked = load_policy(str(ROOT / "rules" / "sales-rep.yaml"))
    data = read_period_data(ROOT / "examples" / "sales-rep" / "2026-Q1.csv", checked.policy)
    results = evaluate(checked, data, parse_period("2026-Q1", "quarter"))
    target = tmp_path / "results.csv"
    write_csv(results.frame, target)
    return target.read_bytes()


def test_evaluate_and_the_csv_writer_leave_polars_config_and_environment_unchanged(tmp_path: Path) -> None:
    config, environment = pl.Config.state(), dict(os.environ)
    written = _evaluate_and_write(tmp_path)
    assert pl.Config.state() == config
    assert dict(os.environ) == environment
    assert written  # the write really happened


def test_the_csv_writer_restores_a_setting_the_caller_chose(tmp_path: Path) -> None:
    frame = pl.DataFrame({"x": [Decimal("1.50")]}, schema={"x": pl.Decimal(38, 12)})
    with pl.Config(trim_decimal_zeros=True):
        write_csv(frame, tmp_path / "a.csv")
        assert pl.Config.state()["set_trim_decimal_zeros"] is True
    assert pl.Config.state()["set_trim_decimal_zeros"] is False
    write_csv(frame, tmp_path / "b.csv")
    assert pl.Config.state()["set_trim_decimal_zeros"] is False
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_concurrent_csv_writes_give_the_same_bytes_and_restore_the_setting(tmp_path: Path) -> None:
    values = [Decimal(f"{i}.{i % 7}0") for i in range(20_000)]
    frame = pl.DataFrame({"x": values}, schema={"x": pl.Decimal(38, 12)})
    write_csv(frame, tmp_path / "alone.csv")
    threads = [threading.Thread(target=write_csv, args=(frame, tmp_path / f"t{i}.csv")) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = (tmp_path / "alone.csv").read_bytes()
    assert all((tmp_path / f"t{i}.csv").read_bytes() == expected for i in range(4))
    assert pl.Config.state()["set_trim_decimal_zeros"] is False
