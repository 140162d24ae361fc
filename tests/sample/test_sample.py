"""``sample``: synthetic data that the reader accepts for every policy, stable for a seed, realistic."""

from __future__ import annotations

import hashlib
import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from incentive.app.run import load
from incentive.engine.pipeline import evaluate
from incentive.errors import UsageError
from incentive.io import read_period_data
from incentive.io.periods import parse_period
from incentive.policy.model import Input
from incentive.sample import default_period, format_for, sample_frame, write_sample
from incentive.sample.roles import role_of

ROOT = Path(__file__).resolve().parents[2]
RULES = sorted(p for p in (ROOT / "rules").glob("*.yaml") if not p.name.endswith(".test.yaml"))  # not policy tests
SALES_REP = ROOT / "rules" / "sales-rep.yaml"

ODD = """\
policy: odd-plan
version: "1"
title: Odd inputs
period: month
currency: USD
money: {decimals: 0, rounding: half_even}
inputs:
  staff_no:     {type: id, column: Staff No}
  channel:      {type: text}
  tier:         {type: text, values: [gold, silver, bronze]}
  level:        {type: integer, values: [1, 2, 3]}
  widgets:      {type: integer, min: 10, max: 20}
  ratio:        {type: percent, min: 0.2, max: 0.4}
  optional_pct: {type: percent, required: false}
  weird:        {type: number}
  bounded:      {type: number, min: -5, max: -1}
  above:        {type: number, min: 1000}
  below:        {type: number, max: -1000}
  pay:          {type: money, min: 5, max: 7}
  grant_amount: {type: money}
  promised:     {type: date}
  flagged:      {type: boolean}
  rate_values:  {type: number, values: [0.5, 1.25]}
kpis:
  w: {value: widgets, weight: 100, score: {curve: [[10, 0], [20, 100]]}}
payouts:
  base: {amount: pay}
"""


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def odd_policy(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("odd") / "odd.yaml"
    path.write_text(ODD, encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "parquet"])
@pytest.mark.parametrize("policy_path", RULES, ids=lambda p: p.stem)
def test_sample_validates_against_every_policy_in_every_format(policy_path, fmt, tmp_path):
    checked = load(str(policy_path))
    frame = sample_frame(checked.policy, 400, seed=11)
    out = tmp_path / f"sample.{fmt}"
    write_sample(frame, checked.policy, str(out), fmt)
    data = read_period_data(out, checked.policy)  # raises DataInvalid on any problem
    assert data.frame.height == 400
    assert data.warnings == []
    results = evaluate(checked, data, default_period(checked.policy))
    assert results.frame.height == 400
    if checked.policy.ranking is not None:
        assert results.frame.get_column("band").drop_nulls().len() > 0


def test_unusual_inputs_get_valid_values_within_their_bounds(odd_policy, tmp_path):
    checked = load(str(odd_policy))
    frame = sample_frame(checked.policy, 2000, seed=5)
    out = tmp_path / "odd.csv"
    write_sample(frame, checked.policy, str(out), "csv")
    data = read_period_data(out, checked.policy).frame
    assert set(data.get_column("tier").unique()) == {"gold", "silver", "bronze"}
    assert set(data.get_column("level").cast(pl.Int64).unique()) == {1, 2, 3}
    assert set(data.get_column("rate_values").unique()) == {Decimal("0.5"), Decimal("1.25")}
    widgets = data.get_column("widgets")
    assert widgets.min() >= 10 and widgets.max() <= 20 and widgets.n_unique() > 3  # spread, not clipped to a bound
    ratio = data.get_column("ratio")
    assert ratio.min() >= Decimal("0.2") and ratio.max() <= Decimal("0.4") and ratio.n_unique() > 10
    bounded = data.get_column("bounded")
    assert bounded.min() >= -5 and bounded.max() <= -1
    assert data.get_column("above").min() >= 1000 and data.get_column("below").max() <= -1000
    pay = data.get_column("pay")
    assert pay.min() >= 5 and pay.max() <= 7 and pay.n_unique() == 3  # money decimals 0: 5, 6 or 7
    assert 0 < data.get_column("optional_pct").null_count() < 200  # an optional input has a few blanks
    promised = data.get_column("promised")
    assert promised.min() >= date(2026, 1, 1) and promised.max() <= date(2026, 1, 31)
    assert 0 < data.get_column("flagged").sum() < 400


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    checked = load(str(SALES_REP))
    for fmt in ("csv", "xlsx", "json", "parquet"):
        paths = []
        for name, seed in (("a", 42), ("b", 42), ("c", 43)):
            path = tmp_path / f"{name}.{fmt}"
            write_sample(sample_frame(checked.policy, 500, seed=seed), checked.policy, str(path), fmt)
            paths.append(path)
        assert sha(paths[0]) == sha(paths[1]), fmt
        assert sha(paths[0]) != sha(paths[2]), fmt


def test_sales_data_looks_like_sales_data():
    checked = load(str(SALES_REP))
    period = parse_period("2026-Q2", "quarter")
    f = sample_frame(checked.policy, 20000, seed=3, period=period)
    revenue = f.get_column("销售额").cast(pl.Float64).to_numpy()
    target = f.get_column("销售目标").cast(pl.Float64).to_numpy()
    collected = f.get_column("回款额").cast(pl.Float64).to_numpy()
    attainment = revenue / target
    assert 0.93 < np.median(attainment) < 1.07  # around 100% ...
    assert np.quantile(attainment, 0.99) > 1.5 > np.quantile(attainment, 0.01)  # ... with a long right tail
    assert 0.002 < np.mean(revenue == 0) < 0.02  # a few people without results
    assert np.all(collected <= revenue + 0.005)  # never collect more than was sold
    assert np.corrcoef(revenue, collected)[0, 1] > 0.9
    assert f.get_column("销售目标").n_unique() < 30  # a few target levels
    assert f.get_column("销售额").dtype == pl.Decimal(38, 2)
    hires = f.get_column("入职日期")
    in_period = ((hires >= period.start) & (hires <= period.end)).mean()
    assert 0.02 < in_period < 0.07  # some new hires in the period
    assert hires.max() <= period.end
    violations = f.get_column("合规违规").mean()
    assert 0.002 < violations < 0.03
    missed = f.get_column("日报缺交次数")
    assert missed.min() >= 0 and missed.mean() < 1.5 and missed.max() > 2  # Poisson-like counts
    sat = f.get_column("客户满意度").cast(pl.Float64)
    assert sat.min() >= 0 and sat.max() <= 100 and 70 < sat.mean() < 90


def test_names_regions_and_teams():
    checked = load(str(SALES_REP))
    f = sample_frame(checked.policy, 5000, seed=9)
    names = f.get_column("姓名")
    english = names.str.contains(r"^[A-Za-z]+ [A-Za-z]+$").mean()
    chinese = names.str.contains(r"^[\u4e00-\u9fff]{2,4}$").mean()
    assert 0.05 < english < 0.3 and chinese > 0.7 and english + chinese == pytest.approx(1.0)
    regions = f.get_column("区域").value_counts(sort=True)
    sizes = regions.get_column("count").to_list()
    assert len(sizes) >= 5 and sizes[0] > 3 * sizes[-1]  # Zipf-like: a few big regions, some small ones
    teams = f.select("区域", "团队").unique()
    assert teams.get_column("团队").is_unique().all()  # a team belongs to one region
    assert all(t.startswith(r) for r, t in teams.iter_rows())
    team_sizes = f.get_column("团队").value_counts().get_column("count")
    assert team_sizes.max() > 3 * team_sizes.median()


def test_manager_like_value_goes_to_one_person_per_team():
    checked = load(str(ROOT / "rules" / "sales-manager.yaml"))
    f = sample_frame(checked.policy, 3000, seed=1)
    managers = f.filter(pl.col("岗位") == "manager")
    assert managers.get_column("团队").is_unique().all()
    assert managers.height == f.get_column("团队").n_unique()


def test_period_scales_amounts_and_defaults_to_the_effective_start():
    monthly = load(str(ROOT / "rules" / "sales-manager.yaml")).policy
    quarterly = load(str(SALES_REP)).policy
    assert default_period(quarterly).label == "2026-Q1"
    m = sample_frame(monthly, 3000, seed=2).get_column("销售目标").cast(pl.Float64).median()
    q = sample_frame(quarterly, 3000, seed=2).get_column("销售目标").cast(pl.Float64).median()
    assert 2.5 < q / m < 3.5


def test_roles_are_guessed_from_ids_headers_and_labels():
    assert role_of(Input("x", "money", column="回款额")) == "collected"
    assert role_of(Input("revenue_target", "money")) == "target"
    assert role_of(Input("target_bonus", "money")) == "bonus"
    assert role_of(Input("q", "money", label={"en": "Quarterly sales"})) == "revenue"
    assert role_of(Input("n", "integer", column="投诉数")) == "rare_count"
    assert role_of(Input("team_name", "text")) == "team"
    assert role_of(Input("zz", "number")) == "number"
    assert role_of(Input("role", "text", values=("a", "b"))) == "choice"


def test_adding_an_input_does_not_change_the_others(tmp_path):
    base = textwrap.dedent("""\
        policy: p
        version: "1"
        title: t
        period: month
        currency: CNY
        inputs:
          employee_id: {type: id}
          revenue: {type: money}
        """)
    a = tmp_path / "a.yaml"
    a.write_text(base + "kpis:\n  k: {value: revenue, weight: 100, score: {curve: [[0, 0], [1, 100]]}}\n",
                 encoding="utf-8")
    b = tmp_path / "b.yaml"
    b.write_text(base + "  extra: {type: integer}\n"
                 "kpis:\n  k: {value: revenue + extra, weight: 100, score: {curve: [[0, 0], [1, 100]]}}\n",
                 encoding="utf-8")
    fa = sample_frame(load(str(a)).policy, 100, seed=1)
    fb = sample_frame(load(str(b)).policy, 100, seed=1)
    assert fa.get_column("revenue").equals(fb.get_column("revenue"))


def test_bad_arguments_are_usage_errors():
    policy = load(str(SALES_REP)).policy
    with pytest.raises(UsageError, match="--rows"):
        sample_frame(policy, 0, seed=1)
    with pytest.raises(UsageError, match="--seed"):
        sample_frame(policy, 10, seed=-1)
    with pytest.raises(UsageError, match="does not match"):
        format_for("x.csv", "xlsx")
    with pytest.raises(UsageError, match="unknown extension"):
        format_for("x.txt", None)
    assert format_for("x.parquet", None) == "parquet" and format_for(None, None) == "csv"
