"""A small policy and helpers to write policy-test files for the ``incentive test`` tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: commission = revenue x 3% up to 100% of target, 5% to 150%, 7% above; a veto forfeits it;
#: no revenue two quarters running raises a review.
MINI = """\
policy: mini
version: "1"
title: Mini plan
period: quarter
currency: CNY
money: {decimals: 2, rounding: half_up}
inputs:
  employee_id: {type: id}
  revenue: {type: money, min: 0, column: 销售额}
  target: {type: money, min: 0.01}
  violation: {type: boolean, default: false}
  hired: {type: date, required: false}
derived:
  attainment: revenue / target
kpis:
  sales: {value: attainment, weight: 100, score: {curve: [[0, 0], [1, 100]]}}
score: {decimals: 2}
payouts:
  commission:
    base: revenue
    tiers: {basis: attainment, mode: marginal, table: [{from: 0, rate: 0.03}, {from: 1.0, rate: 0.05}, {from: 1.5, rate: 0.07}]}
penalties:
  compliance: {when: violation, forfeit: all}
recommendations:
  review:
    when: streak(revenue == 0) >= 2
    action: no_results_review
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def mini(folder: Path) -> Path:
    return write(folder, "mini.yaml", MINI)


def line_of(path: Path, needle: str) -> int:
    """1-based number of the first line of ``path`` containing ``needle``."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not in {path}")


def col_of(path: Path, needle: str) -> int:
    """1-based column where ``needle`` starts on its first line."""
    line = path.read_text(encoding="utf-8").splitlines()[line_of(path, needle) - 1]
    return line.index(needle) + 1
