"""Build small policies and data sets for engine tests, through the real loader."""

from __future__ import annotations

import textwrap
from pathlib import Path

import polars as pl

from incentive.engine.pipeline import evaluate
from incentive.io import read_period_data
from incentive.io.periods import parse_period
from incentive.policy.validate import load_policy

HEADER = """\
policy: test-plan
version: "1"
title: Test plan
period: {period}
currency: CNY
money: {{decimals: {decimals}, rounding: {rounding}}}
"""

ONE_KPI = """\
kpis:
  k: {value: 1, weight: 100, score: {curve: [[0, 0], [1, 100]]}}
"""


def write_policy(tmp_path: Path, body: str, *, period: str = "quarter", rounding: str = "half_up",
                 decimals: int = 2, kpis: bool = True, name: str = "policy.yaml") -> Path:
    text = HEADER.format(period=period, rounding=rounding, decimals=decimals) + textwrap.dedent(body)
    if kpis and "\nkpis:" not in "\n" + textwrap.dedent(body):
        text += ONE_KPI
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def write_csv(tmp_path: Path, rows: list[dict], name: str = "data.csv") -> Path:
    path = tmp_path / name
    pl.DataFrame(rows, schema={k: pl.String for k in rows[0]}).write_csv(path)
    return path


def run(tmp_path: Path, body: str, rows: list[dict], *, period: str = "2026-Q1", unit: str = "quarter",
        rounding: str = "half_up", money_decimals: int = 2, history=None):
    policy_path = write_policy(tmp_path, body, period=unit, rounding=rounding, decimals=money_decimals)
    checked = load_policy(str(policy_path))
    data = read_period_data(write_csv(tmp_path, rows), checked.policy)
    return evaluate(checked, data, parse_period(period, unit), history=history)


def person(results, employee_id: str) -> dict:
    frame = results.frame.filter(pl.col(results.id_column) == employee_id)
    assert frame.height == 1, f"{employee_id} not found"
    return frame.to_dicts()[0]
