"""Property tests of crediting: exact splits, one roll-up per ancestor and role, order independence, dated teams."""

from __future__ import annotations

import random
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incentive.credits.checks import check_links
from incentive.credits.engine import credit
from incentive.credits.load import load_definition
from incentive.credits.prepare import prepare
from incentive.numeric import ROUNDING_MODES, py_round

START, END = date(2026, 1, 1), date(2026, 4, 1)
DAYS = (END - START).days
CREDITING = """\
crediting: 1
lines:
  orders: {id: id, date: date, person: owner, amounts: {amount: amount}}
splits: {line: id, person: person, role: role, share: share}
assignments: {person: person, manager: manager, valid_from: from, valid_to: to, attributes: {team: team}}
measures:
  revenue: {sum: amount, role: owner}
"""


@st.composite
def scenarios(draw):
    reps = [f"R{i}" for i in range(draw(st.integers(2, 6)))]
    managers = ["M0", "M1", "M2"]
    assignments = [("D", "", "top", START - timedelta(days=400), None)]
    assignments += [(m, "D", f"T{m}", START - timedelta(days=400), None) for m in managers]
    held = {}  # rep -> [(from, to, manager)]
    for r in reps:
        first = draw(st.sampled_from(managers))
        if draw(st.booleans()):  # a move mid-period
            move = START + timedelta(days=draw(st.integers(1, DAYS - 1)))
            second = draw(st.sampled_from([m for m in managers if m != first]))
            held[r] = [(START - timedelta(days=400), move, first), (move, None, second)]
        else:
            held[r] = [(START - timedelta(days=400), None, first)]
        assignments += [(r, m, f"T{m}", a, b) for a, b, m in held[r]]
    lines, splits = [], []
    for n in range(draw(st.integers(1, 10))):
        line = f"L{n:02d}"
        when = START + timedelta(days=draw(st.integers(0, DAYS - 1)))
        amount = Decimal(draw(st.integers(0, 10**9))).scaleb(-2)
        lines.append((line, when, draw(st.sampled_from(reps)), amount))
        if draw(st.booleans()):
            people = draw(st.lists(st.sampled_from(reps), min_size=2, max_size=min(4, len(reps)), unique=True))
            exact = draw(st.booleans())
            total = 1_000_000 if exact else draw(st.integers(len(people), 1_000_000))
            cuts = sorted(draw(st.lists(st.integers(1, total - 1), min_size=len(people) - 1, max_size=len(people) - 1,
                                        unique=True)))
            parts = [b - a for a, b in zip([0] + cuts, cuts + [total])]
            splits += [(line, p, "owner", Decimal(s).scaleb(-6)) for p, s in zip(people, parts) if s > 0]
        if draw(st.booleans()):
            splits.append((line, draw(st.sampled_from(reps)), "overlay", Decimal(draw(st.integers(1, 10**6))).scaleb(-6)))
    mode = draw(st.sampled_from(ROUNDING_MODES))
    return assignments, lines, splits, held, mode


@st.composite
def rich_scenarios(draw):
    """A scenario plus what the plain one lacks: a manager moving to another director mid-period (the segments
    of everyone below are cut by an ancestor's change), refunds and collections of the lines' amount (negative
    credits, and a count of lines that is no longer one row per line)."""
    assignments, lines, splits, held, mode = draw(scenarios())
    if draw(st.booleans()):
        moved = draw(st.sampled_from(["M0", "M1", "M2"]))
        day = START + timedelta(days=draw(st.integers(1, DAYS - 1)))
        assignments = [a for a in assignments if a[0] != moved]
        assignments += [("D2", "", "top2", START - timedelta(days=400), None),
                        (moved, "D", f"T{moved}", START - timedelta(days=400), day),
                        (moved, "D2", f"T{moved}", day, None)]
    refunds, collections = [], []
    for n, (line, when, _owner, amount) in enumerate(lines):
        if amount and draw(st.booleans()):
            part = Decimal(draw(st.integers(1, int(amount * 100)))).scaleb(-2)
            refunds.append((f"RF{n}", line, when + timedelta(days=draw(st.integers(0, 100))), part))
        if draw(st.booleans()):
            collections.append((f"CL{n}", line, when + timedelta(days=draw(st.integers(0, 30))),
                                Decimal(draw(st.integers(0, 10**7))).scaleb(-2)))
    return assignments, lines, splits, held, mode, refunds, collections


ADJUSTED = """\
adjustments:
  refunds: {of: orders, kind: refund, id: rid, line: id, date: date, amounts: {amount: amount}}
  collections: {of: orders, kind: collection, id: cid, line: id, date: date, amounts: {amount: amount}}
"""


def write(folder: Path, assignments, lines, splits, seed: int | None = None, refunds=None,
          collections=None) -> dict[str, Path]:
    rng = random.Random(seed)
    rows = {"orders": ["id,date,owner,amount"] + [f"{i},{d},{o},{a}" for i, d, o, a in lines],
            "splits": ["id,person,role,share"] + [f"{i},{p},{r},{s}" for i, p, r, s in splits],
            "assignments": ["person,manager,team,from,to"] + [f"{p},{m},{t},{a},{b or ''}" for p, m, t, a, b in assignments]}
    if refunds is not None:
        rows["refunds"] = ["rid,id,date,amount"] + [f"{r},{i},{d},{a}" for r, i, d, a in refunds]
    if collections is not None:
        rows["collections"] = ["cid,id,date,amount"] + [f"{r},{i},{d},{a}" for r, i, d, a in collections]
    paths = {}
    for name, lines_ in rows.items():
        body = lines_[1:]
        if seed is not None:
            rng.shuffle(body)
        paths[name] = folder / f"{name}.csv"
        paths[name].write_text("\n".join([lines_[0], *body]) + "\n", encoding="utf-8")
    paths["people"] = folder / "orders.csv"  # not read by the engine
    return paths


def run(assignments, lines, splits, mode: str, seed: int | None = None, refunds=None, collections=None) -> pl.DataFrame:
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        adjusted = refunds is not None or collections is not None
        crediting = CREDITING.replace("measures:\n", ADJUSTED + "measures:\n") if adjusted else CREDITING
        (folder / "crediting.yaml").write_text(crediting, encoding="utf-8")
        definition = load_definition(folder / "crediting.yaml")
        paths = write(folder, assignments, lines, splits, seed, refunds=[] if adjusted and refunds is None else refunds,
                      collections=[] if adjusted and collections is None else collections)
        data = prepare(definition, paths, currency="CNY", decimals=2)
        check_links(definition, data)
        return credit(definition, data, START, END, decimals=2, rounding=mode).credits


def manager_on(held, rep: str, day: date) -> str:
    return next(m for a, b, m in held[rep] if a <= day and (b is None or day < b))


def boss_on(assignments, person: str, day: date) -> str:
    """``person``'s manager on ``day``, from the assignment rows (a manager moving between directors too)."""
    return next(m for p, m, _t, a, b in assignments if p == person and a <= day and (b is None or day < b))


SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scenarios())
def test_the_credits_of_a_line_sum_exactly_to_its_rounded_share(case):
    assignments, lines, splits, held, mode = case
    credits = run(assignments, lines, splits, mode)
    direct = credits.filter(pl.col("credit") == "direct")
    for line, _when, _owner, amount in lines:
        for role in ("owner", "overlay"):
            rows = direct.filter((pl.col("line_id") == line) & (pl.col("role") == role))
            if rows.is_empty():
                continue
            share = sum(rows["share"].to_list(), Decimal(0))
            assert sum(rows["credited"].to_list(), Decimal(0)) == py_round(amount * share, 2, mode)
            if share == 1:
                assert sum(rows["credited"].to_list(), Decimal(0)) == amount
            for s, c in rows.select("share", "credited").iter_rows():
                assert abs(c - amount * s) < Decimal("0.01")  # nobody is more than a cent from their exact share


@SETTINGS
@given(rich_scenarios())
def test_no_ancestor_receives_a_line_twice_in_one_role_and_roll_ups_add_up(case):
    """Each credit of a line (its own amount, a refund, a collection) reaches the manager and the director above
    its person on the line's date -- a manager who moved to another director mid-period too -- once per role."""
    assignments, lines, splits, held, mode, refunds, collections = case
    credits = run(assignments, lines, splits, mode, refunds=refunds, collections=collections)
    rollup = credits.filter(pl.col("credit") == "rollup")
    assert rollup.select("event_id", "amount_name", "role", "person").is_duplicated().sum() == 0
    direct = credits.filter(pl.col("credit") == "direct")
    for line, when, _owner, _amount in lines:
        for role in ("owner", "overlay"):
            rows = direct.filter((pl.col("line_id") == line) & (pl.col("role") == role))
            expected: dict[tuple[str, str], Decimal] = {}
            for event, person, c in rows.select("event_id", "person", "credited").iter_rows():
                manager = manager_on(held, person, when)
                for ancestor in (manager, boss_on(assignments, manager, when)):
                    expected[(event, ancestor)] = expected.get((event, ancestor), Decimal(0)) + c
            got = rollup.filter((pl.col("line_id") == line) & (pl.col("role") == role))
            assert {(e, p): c for e, p, c in got.select("event_id", "person", "credited").iter_rows()} == expected


@SETTINGS
@given(scenarios(), st.integers(0, 2**32))
def test_credits_do_not_depend_on_row_order(case, seed):
    assignments, lines, splits, _held, mode = case
    assert run(assignments, lines, splits, mode).equals(run(assignments, lines, splits, mode, seed=seed))


@SETTINGS
@given(rich_scenarios())
def test_a_mid_period_move_credits_each_line_to_the_team_that_held_it_on_its_date(case):
    assignments, lines, splits, held, mode, refunds, collections = case
    credits = run(assignments, lines, splits, mode, refunds=refunds, collections=collections)
    dates = {line: when for line, when, _o, _a in lines}
    for line, person, team, level in credits.filter(pl.col("credit") == "direct").select(
            "line_id", "person", "team", "level").iter_rows():
        assert level == 0
        assert team == f"T{manager_on(held, person, dates[line])}"
    for line, person, level in credits.filter(pl.col("credit") == "rollup").select("line_id", "person", "level").iter_rows():
        assert (person, level) in {("D", 2), ("D2", 2)} | {(m, 1) for m in ("M0", "M1", "M2")}


MEASURED = CREDITING.replace("  revenue: {sum: amount, role: owner}\n", """\
  revenue: {sum: amount, role: owner}
  team_revenue: {sum: amount, role: owner, credit: rollup}
  all_revenue: {sum: amount, credit: all}
  orders: {count: amount, role: owner}
  team_orders: {count: amount, credit: rollup}
  owner_team_orders: {count: amount, role: owner, credit: rollup}
  all_orders: {count: amount, credit: all}
  first: {earliest: amount}
  team_last: {latest: amount, role: overlay, credit: rollup}
""")
# sums only: the roll-ups are summed per segment before they reach the ancestors (``sql.rollup_sums_sql``)
SUMMED = CREDITING.replace("  revenue: {sum: amount, role: owner}\n", """\
  revenue: {sum: amount, role: owner}
  team_revenue: {sum: amount, role: owner, credit: rollup}
  team_overlay: {sum: amount, role: overlay, credit: rollup}
  all_revenue: {sum: amount, credit: all}
""")


@pytest.mark.parametrize("crediting", [MEASURED, SUMMED], ids=["every kind", "sums only"])
@SETTINGS
@given(case=rich_scenarios())
def test_the_measures_equal_the_credit_table_re_aggregated(crediting, case):
    """The measures come from the narrow credits in up to three aggregates, never from the credit table: they
    must still be what the credit table adds up to, for every person credited directly or by roll-up -- with
    managers moving between directors, refunds and collections."""
    from incentive.app.verify_credits import _aggregate

    assignments, lines, splits, _held, mode, refunds, collections = case
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        (folder / "crediting.yaml").write_text(crediting.replace("measures:\n", ADJUSTED + "measures:\n"),
                                              encoding="utf-8")
        definition = load_definition(folder / "crediting.yaml")
        paths = write(folder, assignments, lines, splits, refunds=refunds, collections=collections)
        data = prepare(definition, paths, currency="CNY", decimals=2)
        check_links(definition, data)
        result = credit(definition, data, START, END, decimals=2, rounding=mode)
    credits = result.credits.with_columns(pl.col("credited").cast(pl.String))
    measures = result.measures
    assert measures["person"].to_list() == sorted(set(result.credits["person"].to_list()))
    for m in definition.measures:
        want = _aggregate(m, credits, 2)
        for person, got in measures.select("person", m.id).iter_rows():
            default = Decimal(0) if m.kind == "sum" else 0 if m.kind == "count" else None
            assert got == want.get(person, default), (m.id, person)
