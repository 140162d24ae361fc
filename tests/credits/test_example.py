"""The CRM example: crediting its orders gives the per-person example data, and the same evaluation."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CRM = ROOT / "examples" / "sales-rep-crm"
POLICY = ROOT / "rules" / "sales-rep.yaml"
Q1 = ROOT / "examples" / "sales-rep" / "2026-Q1.csv"
SOURCES = [f"orders={CRM / 'orders.csv'}", f"cancellations={CRM / 'refunds.csv'}", f"splits={CRM / 'splits.csv'}",
           f"assignments={CRM / 'org.csv'}", f"people={CRM / 'people.csv'}"]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=300)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def credited(tmp_path: Path, period: str) -> Path:
    out = tmp_path / period
    done = cli("credit", str(POLICY), *SOURCES, "--crediting", str(CRM / "crediting.yaml"), "--period", period,
               "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def q1(tmp_path_factory) -> Path:
    return credited(tmp_path_factory.mktemp("crm"), "2026-Q1")


def test_credited_measures_equal_the_per_person_example(q1):
    got = {r["employee_id"]: r for r in rows(q1 / "period.csv")}
    for person in rows(Q1):
        mine = got[person["工号"]]
        assert Decimal(mine["revenue"]) == Decimal(person["销售额"])
        assert Decimal(mine["collected"]) == Decimal(person["回款额"])
        assert int(mine["new_customers"]) == int(person["新客户数"])


def test_a_close_from_the_crm_export_evaluates_exactly_as_the_per_person_file(q1, tmp_path):
    a = cli("evaluate", str(POLICY), str(q1 / "period.csv"), "--period", "2026-Q1", "--out", str(tmp_path / "a"),
            cwd=tmp_path)
    b = cli("evaluate", str(POLICY), str(Q1), "--period", "2026-Q1", "--out", str(tmp_path / "b"), cwd=tmp_path)
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    for name in ("results.csv", "ranking.csv", "recommendations.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_the_mid_quarter_move_credits_each_line_to_the_team_of_its_date(q1):
    mover = [r for r in rows(q1 / "credits.csv") if r["person"] == "E005" and r["credit"] == "direct"]
    assert mover
    teams = {date.fromisoformat(r["line_date"]) < date(2026, 2, 16): r["team"] for r in mover}
    assert teams == {True: "华东二组", False: "华南二组"}


def test_the_next_quarter_cancellation_lands_negative_in_q2_on_the_original_people(tmp_path):
    q2 = credited(tmp_path, "2026-Q2")
    cancel = rows(CRM / "refunds.csv")[0]
    shares = {r["工号"]: r["分成比例"] for r in rows(CRM / "splits.csv") if r["订单编号"] == cancel["订单编号"]}
    assert shares, "the example cancels a split deal"
    direct = [r for r in rows(q2 / "credits.csv") if r["kind"] == "refund" and r["credit"] == "direct"]
    assert {r["person"]: r["share"] for r in direct} == {p: str(Decimal(s.rstrip("%")) / 100) for p, s in shares.items()}
    assert sum(Decimal(r["credited"]) for r in direct) == -Decimal(cancel["作废金额"])
    period = {r["employee_id"]: r for r in rows(q2 / "period.csv")}
    for r in direct:
        assert Decimal(period[r["person"]]["revenue"]) == Decimal(r["credited"]) < 0
    rollup = {r["person"] for r in rows(q2 / "credits.csv") if r["kind"] == "refund" and r["credit"] == "rollup"}
    assert {"VP01"} < rollup  # the roll-up goes back up the chain that held the line
