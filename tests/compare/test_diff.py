"""``compare``: cost deltas, migration matrix, gainers and losers, exact to the cent."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from incentive.app.run import RunOptions, load
from incentive.app.variants import SharedData, evaluate_variant, run_diff
from incentive.compare.diff import NONE_BAND, compare, name_column, pct_change
from incentive.errors import PolicyInvalid, UsageError
from tests.compare.crafted import WEIGHT_CHANGE, write_crafted

ROOT = Path(__file__).resolve().parents[2]
POLICY = str(ROOT / "rules" / "sales-rep.yaml")
Q1 = str(ROOT / "examples" / "sales-rep" / "2026-Q1.csv")


@pytest.fixture(scope="module")
def self_diff():
    return run_diff(POLICY, POLICY, Q1, RunOptions(period="2026-Q1"))


@pytest.fixture(scope="module")
def crafted_diff(tmp_path_factory):
    data = write_crafted(tmp_path_factory.mktemp("crafted") / "crafted.csv")
    return run_diff(POLICY, POLICY, str(data), RunOptions(period="2026-Q1", overrides=WEIGHT_CHANGE))


def person(diff, pid: str) -> dict:
    rows = diff.people.filter(pl.col(diff.id_column) == pid).to_dicts()
    assert len(rows) == 1
    return rows[0]


def test_policy_against_itself_has_zero_deltas(self_diff):
    d = self_diff
    assert d.headcount == 48
    assert all(line.delta == 0 for line in d.costs)
    assert d.total.old == d.total.new > 0
    delta_cols = [c for c in d.people.columns if c.endswith(".delta")]
    assert delta_cols and all(d.people.get_column(c).abs().max() == 0 for c in delta_cols)
    assert d.people.get_column("band.old").to_list() == d.people.get_column("band.new").to_list()
    assert d.gainers.height == 0 and d.losers.height == 0
    assert all(o == n for _, o, n in d.percentiles)
    assert all(g.delta == 0 for g in d.groups)


def test_self_diff_migration_matrix_is_the_identity(self_diff):
    d = self_diff
    assert d.bands[:3] == ("A", "B", "C")
    for i, row in enumerate(d.migration):
        assert all(n == 0 for j, n in enumerate(row) if j != i)
    assert d.moved() == 0
    assert sum(map(sum, d.migration)) == d.headcount


def test_weight_change_moves_named_people_as_computed_by_hand(crafted_diff):
    d = crafted_diff
    star, keeper = person(d, "X01"), person(d, "Y01")
    assert (star["score.old"], star["score.new"]) == (Decimal("93.25"), Decimal("103.75"))
    assert (star["bonus.old"], star["bonus.new"]) == (Decimal("12000"), Decimal("15600"))
    assert star["total.delta"] == Decimal("3600")
    assert (keeper["score.old"], keeper["score.new"]) == (Decimal("81"), Decimal("78"))
    assert (keeper["bonus.old"], keeper["bonus.new"]) == (Decimal("10000"), Decimal("5000"))
    assert keeper["total.delta"] == Decimal("-5000")
    commission = next(line for line in d.costs if line.id == "commission")
    assert commission.delta == 0
    assert d.people.get_column("commission.delta").abs().max() == 0
    assert d.gainers.get_column("employee_id").to_list()[0] == "X01"
    assert d.losers.get_column("employee_id").to_list()[0] == "Y01"


def test_deltas_are_exact_decimals_and_add_up(crafted_diff):
    d = crafted_diff
    for line in d.costs:
        assert isinstance(line.old, Decimal) and isinstance(line.new, Decimal)
        assert d.people.get_column(f"{line.id}.delta").sum() == line.delta
        assert d.people.get_column(f"{line.id}.old").sum() == line.old
    assert d.total.delta == Decimal("-1400")
    assert d.total.pct == Decimal(-1400) * 100 / Decimal("117450")
    assert isinstance(d.people.schema["total.delta"], pl.Decimal)


def test_migration_matrix_sums_to_headcount_and_margins_are_band_counts(crafted_diff, self_diff):
    for d in (crafted_diff, self_diff):
        assert sum(map(sum, d.migration)) == d.headcount
        old_counts = d.old.frame.get_column("band").fill_null(NONE_BAND).value_counts()
        new_counts = d.new.frame.get_column("band").fill_null(NONE_BAND).value_counts()
        for band, old_n, new_n in d.band_counts():
            assert old_n == dict(old_counts.iter_rows()).get(band, 0)
            assert new_n == dict(new_counts.iter_rows()).get(band, 0)


def test_band_shares_change_moves_people_and_matrix_still_sums(tmp_path):
    # more A, fewer B: some B people move up, nobody moves down
    d = run_diff(POLICY, POLICY, Q1, RunOptions(period="2026-Q1", overrides=(
        "ranking.bands.A.share=0.3", "ranking.bands.B.share=0.6")))
    i = {b: k for k, b in enumerate(d.bands)}
    assert d.migration[i["B"]][i["A"]] > 0
    assert d.migration[i["A"]][i["B"]] == 0
    assert sum(map(sum, d.migration)) == d.headcount == 48
    counts = {b: (o, n) for b, o, n in d.band_counts()}
    assert counts["A"][1] > counts["A"][0]


def test_groups_default_to_ranking_within_and_by_overrides(tmp_path):
    opts = RunOptions(period="2026-Q1", overrides=WEIGHT_CHANGE)
    d = run_diff(POLICY, POLICY, Q1, opts)
    assert d.group_columns == ("region",)
    assert sum(g.people for g in d.groups) == d.headcount
    assert sum((g.delta for g in d.groups), Decimal(0)) == d.total.delta
    by_team = run_diff(POLICY, POLICY, Q1, opts, by=("team",))
    assert by_team.group_columns == ("team",)
    assert len(by_team.groups) == 6
    with pytest.raises(UsageError, match="--by nosuch"):
        run_diff(POLICY, POLICY, Q1, opts, by=("nosuch",))


def test_different_policy_files_union_components(tmp_path):
    text = (ROOT / "rules" / "sales-rep.yaml").read_text(encoding="utf-8")
    new_text = text.replace("  late_reports:   {label: {en: Missed daily reports, zh: 日报缺交}, when: missed_reports > 0, "
                            "amount: 100 * missed_reports, cap: 1000}\n", "")
    assert new_text != text
    new = tmp_path / "no-late.yaml"
    new.write_text(new_text, encoding="utf-8")
    d = run_diff(POLICY, str(new), Q1, RunOptions(period="2026-Q1"))
    late = next(line for line in d.costs if line.id == "late_reports")
    assert late.old == Decimal("8600") and late.new == 0
    assert d.total.delta == Decimal("8600")  # the penalty no longer reduces anyone's total
    assert d.people.get_column("late_reports.new").null_count() == d.headcount


def test_data_is_read_once_when_inputs_are_the_same(tmp_path):
    opts = RunOptions(period="2026-Q1", overrides=WEIGHT_CHANGE)
    shared = SharedData(Q1, opts)
    evaluate_variant(load(POLICY), shared)
    evaluate_variant(load(POLICY, WEIGHT_CHANGE), shared)
    assert shared.reads == 1
    evaluate_variant(load(POLICY, ("inputs.satisfaction.max=1000",)), shared)
    assert shared.reads == 2


def test_invalid_override_is_reported_at_the_override():
    with pytest.raises(PolicyInvalid) as info:
        run_diff(POLICY, POLICY, Q1, RunOptions(period="2026-Q1", overrides=("kpis.sales.weight=forty",)))
    assert "--set kpis.sales.weight=forty" in str(info.value)


def test_top_limits_gainers_and_losers():
    d = run_diff(POLICY, POLICY, Q1, RunOptions(period="2026-Q1", overrides=WEIGHT_CHANGE), top=2)
    assert d.gainers.height == 2
    deltas = d.gainers.get_column("total.delta").to_list()
    assert deltas == sorted(deltas, reverse=True)
    full = d.people.filter(pl.col("total.delta") > 0).get_column("total.delta").max()
    assert deltas[0] == full


def test_compare_is_symmetric_in_sign(crafted_diff):
    d = crafted_diff
    back = compare(d.new, d.old)
    assert back.total.delta == -d.total.delta
    assert [list(r) for r in back.migration] == [list(r) for r in zip(*d.migration)]


def test_helpers():
    assert pct_change(Decimal(0), Decimal(5)) is None
    assert pct_change(Decimal(200), Decimal(150)) == Decimal(-25)
    assert name_column(load(POLICY).policy) == "name"
