"""The forced-ranking stage on small, hand-checked populations: ranks,
percentiles, bands, reasons, cutoffs, ties, exclusions, pooling, exemption,
guards and vetoes. The documented rules are in docs/ranking.md."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import polars as pl
import pytest

from incentive.engine.ranking import OUTPUT_COLUMNS, RankingResult, assign_bands, summary_columns
from incentive.errors import EvaluationError
from incentive.numeric import DTYPE, to_dec
from incentive.policy.model import Band, Ranking, Source, TieBreak

BANDS_271 = (Band("A", Decimal("0.2")), Band("B", Decimal("0.7")), Band("C", Decimal("0.1")))


def spec(**kw: object) -> Ranking:
    base = Ranking(by=Source("score"), bands=BANDS_271)
    if "tie_break" in kw and isinstance(kw["tie_break"], int):
        kw["tie_break"] = tuple(TieBreak(Source(f"tb{i}")) for i in range(kw["tie_break"]))  # type: ignore[arg-type]
    return replace(base, **kw)  # type: ignore[arg-type]


def with_guard(s: Ranking, band: str, text: str = "guard") -> Ranking:
    return replace(s, bands=tuple(replace(b, guard=Source(text)) if b.id == band else b for b in s.bands))


def frame(rows: list[dict], s: Ranking) -> pl.DataFrame:
    """rows: dicts with id, key and optionally tb (list), eligible, reason,
    forced, forced_by, guard_<BAND>, and the ``within`` columns."""
    def dec(v: object) -> Decimal | None:
        return None if v is None else to_dec(v)

    data: dict[str, pl.Series] = {
        "__id__": pl.Series([r["id"] for r in rows], dtype=pl.String),
        "__key__": pl.Series([dec(r.get("key")) for r in rows], dtype=DTYPE),
    }
    for i in range(len(s.tie_break)):
        data[f"__tb{i}__"] = pl.Series([dec(r.get("tb", [None] * 9)[i]) for r in rows], dtype=DTYPE)
    for c in s.within:
        data[c] = pl.Series([r.get(c) for r in rows], dtype=pl.String)
    data["__eligible__"] = pl.Series([r.get("eligible", True) for r in rows], dtype=pl.Boolean)
    data["__reason__"] = pl.Series([r.get("reason", s.eligible_reason) for r in rows], dtype=pl.String)
    for b in s.bands:
        if b.guard is not None:
            data[f"__guard_{b.id}__"] = pl.Series([r.get(f"guard_{b.id}", True) for r in rows], dtype=pl.Boolean)
    data["__forced__"] = pl.Series([r.get("forced") for r in rows], dtype=pl.String)
    if any("forced_by" in r for r in rows):
        data["__forced_by__"] = pl.Series([r.get("forced_by") for r in rows], dtype=pl.String)
    return pl.DataFrame(data)


def people(keys: list[object], **common: object) -> list[dict]:
    """p01, p02, ... with the given keys."""
    return [{"id": f"p{i + 1:02}", "key": k, **common} for i, k in enumerate(keys)]


def run(rows: list[dict], s: Ranking) -> RankingResult:
    return assign_bands(frame(rows, s), s)


def col(res: RankingResult, name: str) -> dict[str, object]:
    return dict(zip(res.frame["__id__"].to_list(), res.frame[name].to_list()))


def bands(res: RankingResult) -> dict[str, object]:
    return col(res, "band")


def summary_row(res: RankingResult, group: str) -> dict[str, object]:
    rows = res.summary.filter(pl.col("group") == group).to_dicts()
    assert len(rows) == 1
    return rows[0]


# -- the basics -----------------------------------------------------------

def test_ten_distinct_scores_get_2_7_1_in_rank_order() -> None:
    res = run(people(list(range(100, 90, -1))), spec())
    assert bands(res) == {f"p{i:02}": ("A" if i <= 2 else "C" if i == 10 else "B") for i in range(1, 11)}
    assert col(res, "rank") == {f"p{i:02}": i for i in range(1, 11)}
    assert set(col(res, "group_size").values()) == {10}
    assert set(col(res, "rank_group").values()) == {"(all)"}
    row = summary_row(res, "(all)")
    assert (row["quota_A"], row["quota_B"], row["quota_C"]) == (2, 7, 1)
    assert (row["count_A"], row["count_B"], row["count_C"]) == (2, 7, 1)
    assert (row["cutoff_A"], row["cutoff_B"], row["cutoff_C"]) == (to_dec(99), to_dec(92), to_dec(91))
    assert (row["headcount"], row["eligible"], row["excluded"], row["forced"], row["base"]) == (10, 10, 0, 0, 10)
    assert row["status"] == "ranked" and row["pooled_from"] is None


def test_output_keeps_input_rows_and_order_and_adds_the_columns() -> None:
    rows = people([5, 9, 1, 7])
    res = run(rows, spec())
    f = frame(rows, spec())
    assert res.frame.columns == [*f.columns, *OUTPUT_COLUMNS]
    assert res.frame.select(f.columns).equals(f)
    assert res.frame.schema["rank"] == pl.Int64
    assert res.frame.schema["percentile"] == DTYPE
    assert res.frame.schema["band"] == pl.String
    assert res.frame.schema["group_size"] == pl.Int64
    assert res.summary.columns == summary_columns(["A", "B", "C"])


def test_percentile_is_share_at_or_below_rounded_to_4_places() -> None:
    res = run(people([3, 2, 1]), spec())
    assert col(res, "percentile") == {"p01": to_dec(1), "p02": to_dec("0.6667"), "p03": to_dec("0.3333")}
    # ties share the best rank, so the share at or below counts all of them
    res = run(people([5, 5, 1, 1]), spec())
    assert col(res, "rank") == {"p01": 1, "p02": 1, "p03": 3, "p04": 3}
    assert col(res, "percentile") == {"p01": to_dec(1), "p02": to_dec(1), "p03": to_dec("0.5"), "p04": to_dec("0.5")}


def test_percentile_rounds_half_even() -> None:
    # n = 16 000: rank 15 999 -> 2/16000 = 0.000125 -> 0.0001 (half-even), rank 15 997 -> 0.00025 -> 0.0002
    n = 16000
    res = run(people(list(range(n, 0, -1))), spec())
    pct = col(res, "percentile")
    assert pct[f"p{15999:02}"] == to_dec("0.0001")
    assert pct[f"p{15997:02}"] == to_dec("0.0002")
    assert pct[f"p{15995:02}"] == to_dec("0.0004")  # 6/16000 = 0.000375


def test_ascending_order_ranks_the_lowest_first() -> None:
    res = run(people(list(range(1, 11))), spec(descending=False))
    assert col(res, "rank")["p01"] == 1
    assert bands(res)["p01"] == "A" and bands(res)["p10"] == "C"
    row = summary_row(res, "(all)")
    # the cutoff is the worst key in the band: the highest one when lower is better
    assert (row["cutoff_A"], row["cutoff_B"], row["cutoff_C"]) == (to_dec(2), to_dec(9), to_dec(10))


def test_reasons_name_share_group_and_seats() -> None:
    res = run(people(list(range(100, 90, -1)), region="华东"), spec(within=("region",)))
    reasons = col(res, "band_reason")
    assert reasons["p01"] == "top 20% in region 华东: band A (2 of 10 seats)"
    assert reasons["p05"] == "next 70% in region 华东: band B (7 of 10 seats)"
    assert reasons["p10"] == "bottom 10% in region 华东: band C (1 of 10 seats)"


def test_empty_frame() -> None:
    res = run([], spec(within=("region",)))
    assert res.frame.height == 0
    assert res.summary.height == 0
    assert res.frame.columns[-len(OUTPUT_COLUMNS):] == list(OUTPUT_COLUMNS)


def test_a_single_band_takes_everyone() -> None:
    res = run(people([3, 2, 1]), spec(bands=(Band("ALL", Decimal(1)),)))
    assert set(bands(res).values()) == {"ALL"}
    assert col(res, "band_reason")["p01"] == "all 100% in the whole population: band ALL (3 of 3 seats)"


# -- ties ---------------------------------------------------------------

def test_tie_at_a_cutoff_goes_to_the_better_band_when_half_its_seats_are_there() -> None:
    # A has 2 seats; p02 and p03 tie on seats 2-3: 1 of 2 tied seats is in A -> both A
    res = run(people([100, 90, 90, 80, 79, 78, 77, 76, 75, 70]), spec())
    assert [bands(res)[p] for p in ("p01", "p02", "p03", "p04")] == ["A", "A", "A", "B"]
    row = summary_row(res, "(all)")
    assert (row["quota_A"], row["count_A"], row["count_B"], row["count_C"]) == (2, 3, 6, 1)
    assert row["ties_moved"] == 1
    assert col(res, "band_reason")["p02"] == (
        "top 20% in the whole population: band A (2 of 10 seats); "
        "2 people tied across a cutoff, all kept in band A")
    assert col(res, "rank")["p03"] == 2


def test_tie_at_a_cutoff_goes_to_the_worse_band_when_most_seats_are_there() -> None:
    # seats 2-4 tied, only 1 of 3 in A -> all three to B; A has one person
    res = run(people([100, 90, 90, 90, 79, 78, 77, 76, 75, 70]), spec())
    assert [bands(res)[p] for p in ("p01", "p02", "p03", "p04")] == ["A", "B", "B", "B"]
    row = summary_row(res, "(all)")
    assert (row["count_A"], row["count_B"], row["count_C"]) == (1, 8, 1)
    assert row["cutoff_A"] == to_dec(100)


def test_tie_at_the_bottom_cutoff_stays_in_the_middle_band() -> None:
    # seats 9-10 tied, C has 1 seat: 1 of 2 in B -> both B, C empty
    res = run(people([100, 99, 98, 97, 96, 95, 94, 93, 50, 50]), spec())
    assert bands(res)["p09"] == bands(res)["p10"] == "B"
    row = summary_row(res, "(all)")
    assert (row["count_C"], row["quota_C"], row["cutoff_C"]) == (0, 1, None)


def test_a_tie_spanning_two_cutoffs_lands_in_one_band() -> None:
    res = run(people([7] * 10), spec())
    assert set(bands(res).values()) == {"B"}
    assert set(col(res, "rank").values()) == {1}


def test_split_ties_break_by_id() -> None:
    rows = people([100, 90, 90, 90, 79, 78, 77, 76, 75, 70])
    res = run(rows, spec(ties="split"))
    assert [bands(res)[p] for p in ("p01", "p02", "p03", "p04")] == ["A", "A", "B", "B"]
    assert col(res, "rank")["p03"] == 2  # ranks are still shared
    # renaming changes who gets the seat, not how many
    rows[3]["id"] = "p00"
    res = run(rows, spec(ties="split"))
    assert bands(res)["p00"] == "A" and bands(res)["p02"] == "B"


def test_tie_breaks_order_equal_keys_in_their_direction() -> None:
    s = spec(tie_break=(TieBreak(Source("att"), descending=True), TieBreak(Source("days"), descending=False)))
    rows = [
        {"id": "a", "key": 80, "tb": [1, 5]},
        {"id": "b", "key": 80, "tb": [2, 9]},
        {"id": "c", "key": 80, "tb": [2, 3]},
        {"id": "d", "key": 80, "tb": [None, 1]},
        {"id": "e", "key": 80, "tb": [1, None]},
        {"id": "f", "key": 90, "tb": [0, 0]},
    ]
    res = run(rows, s)
    # f by key; then att desc (nulls last); then days asc (nulls last)
    assert col(res, "rank") == {"f": 1, "c": 2, "b": 3, "a": 4, "e": 5, "d": 6}


def test_equal_tie_breaks_are_a_tie() -> None:
    s = spec(tie_break=1)
    rows = [{"id": "a", "key": 80, "tb": [1]}, {"id": "b", "key": 80, "tb": [1]}, {"id": "c", "key": 80, "tb": [None]},
            {"id": "d", "key": 80, "tb": [None]}]
    assert col(run(rows, s), "rank") == {"a": 1, "b": 1, "c": 3, "d": 3}


# -- exclusions -----------------------------------------------------------

def test_ineligible_and_missing_keys_get_no_rank_and_a_reason() -> None:
    rows = people(list(range(100, 90, -1)))
    rows += [{"id": "new", "key": 99, "eligible": False, "reason": "fewer than 3 months of tenure"},
             {"id": "nul", "key": 99, "eligible": None, "reason": "not eligible for ranking"},
             {"id": "nok", "key": None}]
    res = run(rows, spec())
    for p in ("new", "nul", "nok"):
        assert bands(res)[p] is None and col(res, "rank")[p] is None and col(res, "percentile")[p] is None
    reasons = col(res, "band_reason")
    assert reasons["new"] == "not eligible: fewer than 3 months of tenure"
    assert reasons["nul"] == "not eligible for ranking"
    assert reasons["nok"] == "no ranking value"
    assert col(res, "group_size")["new"] == 10
    row = summary_row(res, "(all)")
    assert (row["headcount"], row["eligible"], row["excluded"], row["base"]) == (13, 10, 3, 10)
    assert (row["count_A"], row["count_B"], row["count_C"]) == (2, 7, 1)


def test_a_group_where_nobody_can_be_ranked_is_empty() -> None:
    rows = people([1, 2], region="x", eligible=False) + people([5, 4, 3, 2, 1], region="y")
    rows[2:] = [{**r, "id": "y" + r["id"]} for r in rows[2:]]
    res = run(rows, spec(within=("region",), min_group=3))
    row = summary_row(res, "x")
    assert (row["status"], row["eligible"], row["base"], row["count_A"]) == ("empty", 0, 0, 0)
    assert summary_row(res, "y")["status"] == "ranked"


# -- groups, pooling, exemption ------------------------------------------------

def grouped(sizes: dict[str | None, int], key_start: int = 100) -> list[dict]:
    rows = []
    for g, n in sizes.items():
        for i in range(n):
            rows.append({"id": f"{g}-{i:02}", "key": key_start - i, "region": g})
    return rows


def test_each_group_is_ranked_on_its_own() -> None:
    res = run(grouped({"east": 10, "west": 10}), spec(within=("region",)))
    assert col(res, "rank")["west-00"] == 1 and col(res, "rank")["east-00"] == 1
    assert summary_row(res, "east")["count_A"] == summary_row(res, "west")["count_A"] == 2
    assert list(res.summary["group"]) == ["east", "west"]


def test_small_groups_pool_into_one_group() -> None:
    res = run(grouped({"east": 10, "南": 2, "西北": 3}), spec(within=("region",), min_group=5))
    label = "(pooled: 南, 西北)"
    assert col(res, "rank_group")["南-00"] == label == col(res, "rank_group")["西北-02"]
    assert col(res, "rank_group")["east-00"] == "east"
    assert col(res, "group_size")["南-00"] == 5
    # 南-00 and 西北-00 tie on 100: ranks 1, 1
    assert col(res, "rank")["南-00"] == col(res, "rank")["西北-00"] == 1
    row = summary_row(res, label)
    assert (row["status"], row["pooled_from"], row["eligible"]) == ("pooled", "南, 西北", 5)
    assert list(res.summary["group"]) == sorted(["east", label])
    assert col(res, "band_reason")["西北-02"].endswith("in region (pooled: 南, 西北): band B (4 of 5 seats)")


def test_a_pooled_group_still_too_small_is_ranked_anyway() -> None:
    res = run(grouped({"east": 10, "s": 1, "w": 2}), spec(within=("region",), min_group=5))
    row = summary_row(res, "(pooled: s, w)")
    assert (row["status"], row["eligible"], row["base"]) == ("pooled", 3, 3)
    assert row["quota_A"] + row["quota_B"] + row["quota_C"] == 3


def test_pooling_with_two_columns_goes_to_the_parent_then_up() -> None:
    rows = []
    for region, team, n in [("r1", "t1", 6), ("r1", "t2", 2), ("r1", "t3", 3), ("r2", "t8", 7), ("r2", "t9", 1),
                            ("r3", "t5", 2), ("r3", "t6", 2)]:
        rows += [{"id": f"{region}{team}-{i}", "key": 50 + i, "region": region, "team": team} for i in range(n)]
    res = run(rows, spec(within=("region", "team"), min_group=5))
    rg = col(res, "rank_group")
    assert rg["r1t1-0"] == "r1 / t1"
    assert rg["r1t2-0"] == rg["r1t3-0"] == "r1 (pooled: t2, t3)"  # 5 people: big enough
    # r2/t9 (1) alone and r3's t5+t6 (4) are still too small: they pool at the top
    assert rg["r2t9-0"] == rg["r3t5-0"] == "(pooled: r2 / t9, r3 / t5, r3 / t6)"
    assert set(res.summary["group"]) == {"r1 / t1", "r2 / t8", "r1 (pooled: t2, t3)",
                                         "(pooled: r2 / t9, r3 / t5, r3 / t6)"}
    assert summary_row(res, "(pooled: r2 / t9, r3 / t5, r3 / t6)")["eligible"] == 5


def test_min_group_counts_eligible_ranked_people_only() -> None:
    rows = grouped({"east": 10, "west": 4})
    rows.append({"id": "west-x", "key": 1, "region": "west", "eligible": False})
    res = run(rows, spec(within=("region",), min_group=5))
    assert col(res, "rank_group")["west-x"] == "(pooled: west)"


def test_exempt_small_groups_are_ranked_but_get_no_band() -> None:
    res = run(grouped({"east": 10, "west": 3}), spec(within=("region",), min_group=5, small_groups="exempt"))
    assert bands(res)["west-00"] is None
    assert col(res, "rank")["west-00"] == 1 and col(res, "group_size")["west-00"] == 3
    assert col(res, "band_reason")["west-00"] == "group too small (3 < min_group 5), exempt: no band in region west"
    row = summary_row(res, "west")
    assert (row["status"], row["base"], row["quota_A"], row["count_A"]) == ("exempt", None, None, 0)
    assert bands(res)["east-00"] == "A"


def test_whole_population_below_min_group() -> None:
    rows = people([3, 2, 1])
    assert summary_row(run(rows, spec(min_group=5)), "(all)")["status"] == "ranked"
    res = run(rows, spec(min_group=5, small_groups="exempt"))
    assert set(bands(res).values()) == {None}


def test_a_missing_group_value_is_its_own_group() -> None:
    res = run(grouped({"east": 5, None: 5}), spec(within=("region",)))
    assert col(res, "rank_group")["None-00"] == "(blank)"
    assert set(res.summary["group"]) == {"east", "(blank)"}


# -- guards -------------------------------------------------------------

def test_guard_moves_the_person_up_and_leaves_the_seat_empty() -> None:
    s = with_guard(spec(), "C", "score < 70")
    rows = people(list(range(100, 90, -1)))
    for r in rows:
        r["guard_C"] = r["key"] < 70
    res = run(rows, s)
    assert bands(res)["p10"] == "B"
    assert col(res, "band_reason")["p10"] == (
        "guard of band C (score < 70) not met, moved up to band B, in the whole population")
    row = summary_row(res, "(all)")
    assert (row["quota_C"], row["count_C"], row["count_B"], row["guard_moved"]) == (1, 0, 8, 1)
    assert row["cutoff_B"] == to_dec(91)


def test_guard_only_moves_those_who_fail_it() -> None:
    s = with_guard(spec(), "C", "score < 70")
    rows = people([100, 99, 98, 97, 96, 95, 94, 93, 92, 91, 90, 89, 88, 87, 86, 85, 84, 83, 69, 60])
    for r in rows:
        r["guard_C"] = r["key"] < 70
    res = run(rows, s)
    assert bands(res)["p19"] == bands(res)["p20"] == "C"
    rows[18]["guard_C"] = False  # p19 passes the guard now
    res = run(rows, s)
    assert (bands(res)["p19"], bands(res)["p20"]) == ("B", "C")


def test_a_null_guard_does_not_admit() -> None:
    s = with_guard(spec(), "C")
    rows = people(list(range(10, 0, -1)))
    rows[-1]["guard_C"] = None
    assert bands(run(rows, s))["p10"] == "B"


def test_failing_the_top_band_guard_moves_down() -> None:
    s = with_guard(spec(), "A", "score >= 95")
    rows = people([96, 94, 93, 92, 91, 90, 89, 88, 87, 86])
    for r in rows:
        r["guard_A"] = r["key"] >= 95
    res = run(rows, s)
    assert (bands(res)["p01"], bands(res)["p02"]) == ("A", "B")
    assert col(res, "band_reason")["p02"].startswith("guard of band A (score >= 95) not met, moved down to band B")
    assert summary_row(res, "(all)")["count_A"] == 1


def test_skips_to_the_nearest_better_band_that_admits() -> None:
    s = with_guard(with_guard(spec(), "C", "c"), "B", "b")
    rows = people(list(range(10, 0, -1)), guard_B=False, guard_C=False)
    res = run(rows, s)
    assert set(bands(res).values()) == {"A"}


def test_no_band_admits() -> None:
    s = with_guard(spec(bands=(Band("ONLY", Decimal(1)),)), "ONLY", "x > 0")
    res = run(people([1, 2], guard_ONLY=False), s)
    assert bands(res) == {"p01": None, "p02": None}
    assert col(res, "band_reason")["p01"] == (
        "guard of band ONLY (x > 0) not met and no other band admits this person, in the whole population")


# -- vetoes (forced bands) ----------------------------------------------------

def test_forced_people_are_added_on_top_of_the_quota_by_default() -> None:
    rows = people(list(range(100, 89, -1)))  # 11 people
    rows[0]["forced"] = "C"  # the best score, but vetoed
    res = run(rows, spec())
    assert bands(res)["p01"] == "C"
    assert col(res, "band_reason")["p01"] == "forced to band C by a veto"
    assert col(res, "rank")["p01"] == 1  # the rank still tells the truth
    assert (bands(res)["p02"], bands(res)["p03"], bands(res)["p04"], bands(res)["p11"]) == ("A", "A", "B", "C")
    row = summary_row(res, "(all)")
    assert (row["base"], row["forced"], row["quota_C"], row["count_C"]) == (10, 1, 1, 2)
    assert row["cutoff_C"] == to_dec(90)  # forced people do not set the cutoff


def test_forced_people_fill_their_band_quota_when_counted() -> None:
    rows = people(list(range(100, 90, -1)))
    rows[0]["forced"] = "C"
    res = run(rows, spec(forced_count=True))
    assert bands(res)["p01"] == "C"
    assert (bands(res)["p02"], bands(res)["p03"], bands(res)["p04"], bands(res)["p10"]) == ("A", "A", "B", "B")
    row = summary_row(res, "(all)")
    assert (row["base"], row["quota_C"], row["count_C"], row["count_B"]) == (10, 1, 1, 7)


def test_counted_forced_overflow_shrinks_the_largest_band() -> None:
    rows = people(list(range(100, 90, -1)))
    for r in rows[:3]:
        r["forced"] = "C"
    res = run(rows, spec(forced_count=True))
    row = summary_row(res, "(all)")
    assert (row["quota_A"], row["quota_B"], row["quota_C"]) == (2, 7, 1)
    assert (row["count_A"], row["count_B"], row["count_C"]) == (2, 5, 3)
    assert col(res, "band_reason")["p06"] == "next 70% in the whole population: band B (7 of 10 seats)"


def test_a_veto_applies_to_the_ineligible_and_ignores_guards() -> None:
    s = with_guard(spec(), "C", "score < 70")
    rows = people(list(range(100, 90, -1)), guard_C=False)
    rows.append({"id": "new", "key": 99, "eligible": False, "forced": "C", "forced_by": "compliance", "guard_C": False})
    res = run(rows, s)
    assert bands(res)["new"] == "C"
    assert col(res, "band_reason")["new"] == "forced to band C by compliance"
    assert col(res, "rank")["new"] is None
    assert summary_row(res, "(all)")["forced"] == 1


def test_a_veto_applies_in_an_exempt_group() -> None:
    rows = grouped({"w": 2})
    rows[0]["forced"] = "C"
    res = run(rows, spec(within=("region",), min_group=5, small_groups="exempt"))
    assert bands(res) == {"w-00": "C", "w-01": None}


def test_forcing_an_unknown_band_is_an_evaluation_error() -> None:
    rows = people([1, 2])
    rows[0]["forced"] = "Z"
    with pytest.raises(EvaluationError, match="forces band 'Z'.*A, B, C"):
        run(rows, spec())


def test_missing_optional_columns_default() -> None:
    s = spec()
    f = frame(people([3, 2, 1]), s).select("__id__", "__key__")
    res = assign_bands(f, s)
    assert res.frame["band"].to_list() == ["A", "B", "B"]


def test_missing_required_column_is_a_programming_error() -> None:
    s = spec(within=("region",))
    with pytest.raises(ValueError, match="region"):
        assign_bands(frame(people([1]), spec()), s)


def test_groups_whose_labels_collide_stay_apart() -> None:
    s = spec(within=("region", "team"))
    rows = [{"id": "x1", "key": 2, "region": "a / b", "team": "c"},
            {"id": "x2", "key": 1, "region": "a / b", "team": "c"},
            {"id": "y1", "key": 2, "region": "a", "team": "b / c"}]
    res = run(rows, s)
    rg = col(res, "rank_group")
    assert rg["x1"] == rg["x2"] != rg["y1"]
    assert {rg["x1"], rg["y1"]} == {"a / b / c", "a / b / c [2]"}
    assert col(res, "rank")["y1"] == 1 and col(res, "group_size")["y1"] == 1


def test_reason_lookup_without_the_packed_code_gives_the_same_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    import incentive.engine.band_reasons as band_reasons

    s = with_guard(spec(within=("region",), min_group=3, small_groups="exempt"), "C", "score < 70")
    rows = grouped({"east": 12, "west": 2})
    rows[0]["forced"] = "C"
    rows[1]["eligible"] = False
    rows[2]["key"] = None
    rows[5]["key"] = rows[4]["key"]  # a tie across the A/B cutoff
    for r in rows:
        r["guard_C"] = r["key"] is not None and r["key"] < 85  # nobody: C's seat moves up
    packed = col(run(rows, s), "band_reason")
    assert packed["east-05"].endswith("2 people tied across a cutoff, all kept in band A")
    assert packed["east-11"].startswith("guard of band C (score < 70) not met, moved up to band B")
    monkeypatch.setattr(band_reasons, "CODE_LIMIT", 0)
    assert col(run(rows, s), "band_reason") == packed
    assert len(set(packed.values())) == 8
