"""B7: below the first tier's ``from`` nothing is paid, in every tier mode.

``linear`` used to pay the first rate below its first point while the
``tiers-start`` warning and the reference said nothing is paid; now all three
modes, ``explain`` and the docs agree (an OpenFisca marginal scale likewise
starts at its first threshold). At the first ``from`` the first tier applies.
"""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive.engine.tiers import tier_amount
from incentive.numeric import DTYPE
from incentive.policy.model import Tier
from tests.engine.policy_kit import write_csv, write_policy

MODES = ("marginal", "step", "linear")


def amounts(mode: str, table: tuple[Tier, ...], bases: list[D], bases_are_basis: bool) -> list[D]:
    frame = pl.DataFrame({"base": bases}, schema={"base": DTYPE})
    basis = None if bases_are_basis else pl.col("base") / 2
    return frame.select(tier_amount(mode, table, pl.col("base"), basis).alias("a"))["a"].to_list()


@st.composite
def tables(draw) -> tuple[Tier, ...]:
    starts = sorted(set(draw(st.lists(st.integers(1, 10_000), min_size=1, max_size=5))))
    return tuple(Tier(start=D(s), rate=D(draw(st.integers(1, 100))) / 100) for s in starts)


@settings(max_examples=60, deadline=None)
@given(table=tables(), data=st.data())
def test_every_mode_pays_nothing_below_the_first_from(table, data) -> None:
    first = table[0].start
    below = [D(data.draw(st.integers(-5_000, int(first) - 1))) for _ in range(3)]
    for mode in MODES:
        assert amounts(mode, table, below, True) == [D(0)] * 3, mode
    # at the first from the first tier's rate applies (marginal: a zero-width slice pays 0)
    at = amounts("step", table, [first], True)[0], amounts("linear", table, [first], True)[0]
    assert at == (first * table[0].rate, first * table[0].rate)


def test_linear_below_the_first_point_through_the_cli(tmp_path: Path) -> None:
    policy = write_policy(tmp_path, """\
        inputs:
          employee_id: {type: id}
          revenue: {type: money, min: 0}
          quota: {type: money, min: 0.01}
        derived:
          attainment: revenue / quota
        payouts:
          commission:
            base: revenue
            tiers: {basis: attainment, mode: linear, table: [{from: 0.5, rate: 0.02}, {from: 1.5, rate: 0.06}]}
        """)
    data = write_csv(tmp_path, [{"employee_id": "LOW", "revenue": "10000", "quota": "100000"}])
    done = subprocess.run([sys.executable, "-m", "incentive", "explain", str(policy), str(data), "--period",
                           "2026-Q1", "--employee", "LOW"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "basis 0.1 below the first tier: 0" in done.stdout
    assert "commission" in done.stdout and "0.00" in done.stdout
    validated = subprocess.run([sys.executable, "-m", "incentive", "validate", str(policy)],
                               capture_output=True, text=True, timeout=60)
    assert "tiers-start" in validated.stdout and "pays nothing" in validated.stdout
