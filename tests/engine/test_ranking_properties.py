"""Properties of the forced-ranking stage on random populations and rules:
it agrees with a plain per-person reference written from docs/ranking.md,
does not depend on row order, partitions the headcount, is monotone, and
never splits a tie with ``keep_together``."""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import groupby

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive.engine.band_sizes import band_sizes, forced_quotas
from incentive.engine.ranking import assign_bands
from incentive.numeric import to_dec
from incentive.policy.model import Band, Ranking, Source, TieBreak
from tests.engine.test_ranking import frame

SHARES = [
    (Decimal("0.2"), Decimal("0.7"), Decimal("0.1")),
    (Decimal("0.1"), Decimal("0.2"), Decimal("0.4"), Decimal("0.2"), Decimal("0.1")),
    (Decimal("0.5"), Decimal("0.5")),
]


@st.composite
def specs(draw: st.DrawFn, guards: bool = True) -> Ranking:
    shares = draw(st.sampled_from(SHARES))
    names = "ABCDE"[: len(shares)]
    guarded = draw(st.sets(st.sampled_from(names), max_size=2)) if guards else set()
    bands = tuple(Band(n, s, guard=Source(f"g{n}") if n in guarded else None) for n, s in zip(names, shares))
    return Ranking(
        by=Source("score"),
        bands=bands,
        within=draw(st.sampled_from([(), ("region",)])),
        descending=draw(st.booleans()),
        tie_break=draw(st.sampled_from([(), (TieBreak(Source("t"), True),), (TieBreak(Source("t"), False),)])),
        rounding=draw(st.sampled_from(["largest_remainder", "floor", "nearest"])),
        ties=draw(st.sampled_from(["keep_together", "split"])),
        min_group=draw(st.integers(1, 6)),
        small_groups=draw(st.sampled_from(["pool", "exempt"])),
        forced_count=draw(st.booleans()),
    )


@st.composite
def populations(draw: st.DrawFn, s: Ranking) -> list[dict]:
    n = draw(st.integers(0, 40))
    ids = draw(st.lists(st.text("abcdefgh", min_size=1, max_size=4), min_size=n, max_size=n, unique=True))
    names = [b.id for b in s.bands]
    rows = []
    for pid in ids:
        row = {
            "id": pid,
            "key": draw(st.sampled_from([None, 1, 2, 3, 4, 5, 6])),
            "tb": [draw(st.sampled_from([None, 1, 2]))],
            "region": draw(st.sampled_from(["a", "b", "c", None])),
            "eligible": draw(st.sampled_from([True, True, True, False, None])),
            "forced": draw(st.sampled_from([None] * 8 + [names[0], names[-1]])),
        }
        for b in s.bands:
            if b.guard is not None:
                row[f"guard_{b.id}"] = draw(st.sampled_from([True, True, False, None]))
        rows.append(row)
    return rows


@st.composite
def cases(draw: st.DrawFn, guards: bool = True) -> tuple[Ranking, list[dict]]:
    s = draw(specs(guards))
    return s, draw(populations(s))


# -- the reference: one person at a time, straight from the documented rules --

def _label(v: str | None) -> str:
    return "(blank)" if v is None else v


def reference(rows: list[dict], s: Ranking) -> dict[str, dict]:
    ids = [b.id for b in s.bands]
    k = len(ids)

    def ranked(r: dict) -> bool:
        return r.get("eligible") is True and r["key"] is not None

    def order(r: dict) -> tuple:
        key = r["key"] if not s.descending else -r["key"]
        tail = []
        for i, tb in enumerate(s.tie_break):
            v = r["tb"][i]
            tail.append((v is None, 0 if v is None else (-v if tb.descending else v)))
        return (key, *tail)

    group_of: dict[str, str] = {}
    status: dict[str, str] = {}
    if s.within:
        values = {r["region"] for r in rows}
        size = {v: sum(1 for r in rows if r["region"] == v and ranked(r)) for v in values}
        small = sorted((v for v in values if 0 < size[v] < s.min_group), key=_label)
        for v in values:
            if v in small and s.small_groups == "pool":
                label = f"(pooled: {', '.join(_label(x) for x in small)})"
                status[label] = "pooled"
            else:
                label = _label(v)
                status[label] = "exempt" if v in small else "ranked"
            for r in rows:
                if r["region"] == v:
                    group_of[r["id"]] = label
    else:
        n_all = sum(1 for r in rows if ranked(r))
        status["(all)"] = "exempt" if 0 < n_all < s.min_group and s.small_groups == "exempt" else "ranked"
        for r in rows:
            group_of[r["id"]] = "(all)"

    out: dict[str, dict] = {}
    for label in status:
        members = [r for r in rows if group_of[r["id"]] == label]
        rk = [r for r in members if ranked(r)]
        n = len(rk)
        seated = sorted((r for r in rk if r["forced"] is None),
                        key=lambda r: (*order(r), r["id"]) if s.ties == "split" else order(r))
        forced_ranked = [sum(1 for r in rk if r["forced"] == b) for b in ids]
        if s.forced_count:
            quotas = forced_quotas(band_sizes(n, [b.share for b in s.bands], s.rounding), forced_ranked,
                                   [b.share for b in s.bands])
        else:
            quotas = band_sizes(len(seated), [b.share for b in s.bands], s.rounding)
        cuts = [sum(quotas[: j + 1]) for j in range(k - 1)]
        band_idx: dict[str, int | None] = {}
        pos = 0
        for _, tie in groupby(seated, key=order):
            tie = list(tie)
            first, last = pos + 1, pos + len(tie)
            for j, r in enumerate(tie):
                seat = first + j
                idx = 0
                for c in cuts:
                    if s.ties == "keep_together" and first <= c < last:
                        idx += 2 * (c - first + 1) < len(tie)
                    else:
                        idx += seat > c
                band_idx[r["id"]] = idx
            pos = last
        for r in members:
            rank = None
            pct = None
            if ranked(r):
                rank = 1 + sum(1 for o in rk if order(o) < order(r))
                pct = (Decimal(n - rank + 1) / Decimal(n)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)
            band = None
            if r["forced"] is not None:
                band = r["forced"]
            elif r["id"] in band_idx and status[label] != "exempt":
                i = band_idx[r["id"]]
                for j in [i, *range(i - 1, -1, -1), *range(i + 1, k)]:
                    g = s.bands[j].guard
                    if g is None or r.get(f"guard_{ids[j]}") is True:
                        band = ids[j]
                        break
            out[r["id"]] = {"band": band, "rank": rank, "percentile": None if pct is None else to_dec(pct),
                            "rank_group": label, "group_size": n}
    return out


def results(rows: list[dict], s: Ranking) -> dict[str, dict]:
    res = assign_bands(frame(rows, s), s)
    cols = ["band", "rank", "percentile", "rank_group", "group_size"]
    return {r["__id__"]: {c: r[c] for c in cols} for r in res.frame.to_dicts()}


@settings(max_examples=200, deadline=None)
@given(cases())
def test_agrees_with_the_reference(case: tuple[Ranking, list[dict]]) -> None:
    s, rows = case
    assert results(rows, s) == reference(rows, s)


@settings(max_examples=100, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(case: tuple[Ranking, list[dict]], rnd: random.Random) -> None:
    s, rows = case
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    a = assign_bands(frame(rows, s), s)
    b = assign_bands(frame(shuffled, s), s)
    assert a.frame.sort("__id__").equals(b.frame.sort("__id__"))
    assert a.summary.equals(b.summary)


@settings(max_examples=200, deadline=None)
@given(cases(guards=False))
def test_bands_partition_the_headcount(case: tuple[Ranking, list[dict]]) -> None:
    s, rows = case
    res = assign_bands(frame(rows, s), s)
    f = res.frame.join(res.summary.select(pl.col("group").alias("rank_group"), "status"), on="rank_group")
    for row in res.summary.to_dicts():
        members = f.filter(pl.col("rank_group") == row["group"])
        counts = sum(row[f"count_{b.id}"] for b in s.bands)
        assert counts == members["band"].is_not_null().sum()
        seated = members.filter(pl.col("__eligible__").fill_null(False) & pl.col("__key__").is_not_null()
                                & pl.col("__forced__").is_null()).height
        forced = members["__forced__"].is_not_null().sum()
        assert row["forced"] == forced
        if row["status"] == "exempt":
            assert counts == forced
            continue
        assert counts == seated + forced
        quotas = sum(row[f"quota_{b.id}"] for b in s.bands)
        assert quotas == row["base"] == (row["eligible"] if s.forced_count else seated)


def _better(a: dict, b: dict, s: Ranking) -> bool:
    """a ranks strictly before b."""
    if a["key"] != b["key"]:
        return (a["key"] > b["key"]) == s.descending
    for i, tb in enumerate(s.tie_break):
        x, y = a["tb"][i], b["tb"][i]
        if x != y:
            if y is None:
                return True
            if x is None:
                return False
            return (x > y) == tb.descending
    return False


@settings(max_examples=200, deadline=None)
@given(cases(guards=False))
def test_a_better_rank_never_gets_a_worse_band_and_ties_stay_together(case: tuple[Ranking, list[dict]]) -> None:
    s, rows = case
    out = results(rows, s)
    order = {b.id: i for i, b in enumerate(s.bands)}
    seated = [r for r in rows if r["forced"] is None and out[r["id"]]["band"] is not None]
    for a in seated:
        for b in seated:
            if out[a["id"]]["rank_group"] != out[b["id"]]["rank_group"]:
                continue
            ba, bb = order[out[a["id"]]["band"]], order[out[b["id"]]["band"]]
            if _better(a, b, s):
                assert ba <= bb
            elif s.ties == "keep_together" and not _better(b, a, s):
                assert ba == bb  # tied


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 60), st.sampled_from(SHARES), st.sampled_from(["largest_remainder", "floor", "nearest"]))
def test_distinct_keys_fill_every_quota_exactly(n: int, shares: tuple[Decimal, ...], rounding: str) -> None:
    s = Ranking(by=Source("score"), bands=tuple(Band("ABCDE"[i], x) for i, x in enumerate(shares)), rounding=rounding)
    res = assign_bands(frame([{"id": f"p{i:03}", "key": i} for i in range(n)], s), s)
    row = res.summary.to_dicts()[0] if n else None
    if row is None:
        return
    for b in s.bands:
        assert row[f"count_{b.id}"] == row[f"quota_{b.id}"]
    assert row["ties_moved"] == 0


def test_reference_self_check() -> None:
    """The reference is itself checked on the 271 example it was written from."""
    s = Ranking(by=Source("score"), bands=(Band("A", Decimal("0.2")), Band("B", Decimal("0.7")),
                                           Band("C", Decimal("0.1"))))
    rows = [{"id": f"p{i}", "key": k, "tb": [], "eligible": True, "forced": None}
            for i, k in enumerate([100, 90, 90, 80, 79, 78, 77, 76, 75, 70])]
    ref = reference(rows, s)
    assert [ref[f"p{i}"]["band"] for i in range(10)] == ["A", "A", "A", *["B"] * 6, "C"]
    split = reference(rows, replace(s, ties="split"))
    assert [split[f"p{i}"]["band"] for i in range(10)] == ["A", "A", *["B"] * 7, "C"]
