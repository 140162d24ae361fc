"""Building ``Policy`` objects from loaded YAML."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from incentive.errors import Pos
from incentive.policy.build import build_policy, number_text, typed_value
from incentive.policy.model import Policy, Source
from incentive.policy.schema import schema_findings
from incentive.policy.yamlsafe import load_yaml
from incentive.policy.validate import discover

ROOT = Path(__file__).resolve().parents[2]
RULES = discover([str(ROOT / "rules")])  # policies only, not *.test.yaml

MINIMAL = """\
policy: p
version: "1"
period: month
currency: CNY
inputs:
  employee_id: {type: id}
  revenue: {type: money}
  team: {type: text}
"""


def build(text: str, file: str = "p.yaml") -> Policy:
    doc = load_yaml(text, file)
    assert schema_findings(doc, file) == []
    return build_policy(doc, file)


def sources(obj: object) -> list[Source]:
    """Every ``Source`` reachable from a policy object."""
    if isinstance(obj, Source):
        return [obj]
    if dataclasses.is_dataclass(obj):
        return [s for f in dataclasses.fields(obj) for s in sources(getattr(obj, f.name))]
    if isinstance(obj, (tuple, list)):
        return [s for item in obj for s in sources(item)]
    return []


@pytest.mark.parametrize("policy_file", RULES, ids=[p.name for p in RULES])
def test_every_expression_position_is_its_first_character(policy_file: Path) -> None:
    text = policy_file.read_text(encoding="utf-8")
    policy = build(text, str(policy_file))
    lines = text.splitlines()
    found = sources(policy)
    assert found
    for src in found:
        if "\n" in src.text:
            continue
        line = lines[src.pos.line - 1]
        assert line[src.pos.col - 1:].startswith(src.text), (src.path, src.pos, line)


def test_sales_rep_builds_with_exact_numbers_and_dotted_paths() -> None:
    policy = build((ROOT / "rules" / "sales-rep.yaml").read_text(encoding="utf-8"), "rules/sales-rep.yaml")
    assert (policy.id, policy.version, policy.period, policy.currency) == ("sales-rep", "2026.1", "quarter", "CNY")
    assert policy.file == "rules/sales-rep.yaml"
    assert policy.source_text.startswith("# yaml-language-server")
    assert policy.effective.start == date(2026, 1, 1) and policy.effective.end is None
    assert policy.money.decimals == 2 and policy.money.rounding == "half_up"
    assert [k.weight for k in policy.kpis] == [Decimal(40), Decimal(25), Decimal(15), Decimal(10), Decimal(10)]
    assert policy.kpis[0].scoring.curve[0].value == Decimal("0.5")
    commission = policy.payouts[0]
    assert commission.tiers.mode == "marginal"
    assert [t.rate for t in commission.tiers.table] == [Decimal("0.03"), Decimal("0.05"), Decimal("0.07")]
    assert policy.payouts[1].by_band == {"A": Decimal("1.2"), "B": Decimal("1.0"), "C": Decimal("0.5")}
    assert policy.penalties[1].forfeit == ("all",) and policy.penalties[1].band == "C"
    assert policy.ranking.within == ("region",) and policy.ranking.min_group == 5
    assert policy.ranking.eligible_reason == {"en": "fewer than 3 months of tenure", "zh": "入职不满3个月"}  # zh kept (C8)
    assert [b.share for b in policy.ranking.bands] == [Decimal("0.20"), Decimal("0.70"), Decimal("0.10")]
    assert policy.floor == Decimal(0)
    paths = {s.path for s in sources(policy)}
    assert {
        "derived.attainment", "aggregates.team_revenue.of", "kpis.sales.value", "payouts.bonus.gate",
        "payouts.commission.tiers.basis", "ranking.by", "ranking.eligible", "ranking.tie_break.0",
        "ranking.bands.C.guard", "penalties.compliance.when", "recommendations.promotion.when",
    } <= paths
    first_penalty = policy.penalties[0]
    assert first_penalty.cap == Source("1000", first_penalty.cap.pos, f"penalties.{first_penalty.id}.cap")
    assert policy.input("missed_reports").default == Decimal(0)
    assert policy.input("missed_reports").required is False
    assert policy.input("revenue").required is True and policy.input("revenue").column == "销售额"
    assert policy.kpis[0].pos == Pos(43, 3)  # the line naming the KPI
    assert policy.fairness is not None and policy.fairness.columns == ("gender",) and policy.fairness.min_group == 5
    assert policy.fairness.position(0).line == 30  # where gender is named, for findings


def test_quoted_expression_position_skips_the_quote_and_numbers_become_text() -> None:
    policy = build(MINIMAL + 'derived:\n  a: "revenue * 2"\n  b: 1e3\n  c: {value: 0.50, decimals: 2}\n')
    a, b, c = policy.derived
    assert a.expr == Source("revenue * 2", Pos(10, 7), "derived.a")
    assert b.expr == Source("1000", Pos(11, 6), "derived.b")
    assert c.expr == Source("0.50", Pos(12, 14), "derived.c") and c.decimals == 2


def test_block_scalar_expression_starts_on_its_content_line() -> None:
    policy = build(MINIMAL + "derived:\n  a: >-\n    revenue * 2\n")
    assert policy.derived[0].expr == Source("revenue * 2", Pos(11, 5), "derived.a")


def test_aggregates_of_where_and_count() -> None:
    policy = build(MINIMAL + """\
aggregates:
  total: {sum: revenue}
  team_n: {count: true, by: team}
  big: {count: revenue > 100, by: [team], where: "team != 'x'"}
""")
    total, team_n, big = policy.aggregates
    assert (total.func, total.of.text, total.of.path, total.by) == ("sum", "revenue", "aggregates.total.of", ())
    assert (team_n.func, team_n.of, team_n.by) == ("count", None, ("team",))
    assert (big.of.text, big.of.path, big.where.text, big.where.path) == (
        "revenue > 100", "aggregates.big.of", "team != 'x'", "aggregates.big.where")
    assert big.where.pos == Pos(12, 51)


def test_ranking_forms() -> None:
    policy = build(MINIMAL + """\
ranking:
  by: revenue
  order: asc
  eligible: revenue > 0
  tie_break: [revenue asc, "team", {by: revenue, order: asc}, revenue   desc]
  bands: {A: {share: 1, guard: revenue > 1}}
""")
    r = policy.ranking
    assert r.descending is False
    assert r.eligible == Source("revenue > 0", Pos(12, 13), "ranking.eligible")
    assert r.eligible_reason == "not eligible for ranking"
    assert [(t.expr.text, t.descending, t.expr.path) for t in r.tie_break] == [
        ("revenue", False, "ranking.tie_break.0"),
        ("team", True, "ranking.tie_break.1"),
        ("revenue", False, "ranking.tie_break.2"),
        ("revenue", True, "ranking.tie_break.3"),
    ]
    assert r.tie_break[1].expr.pos == Pos(13, 29)
    assert r.bands[0].guard.path == "ranking.bands.A.guard"
    assert (r.rounding, r.ties, r.min_group, r.small_groups, r.forced_count) == (
        "largest_remainder", "keep_together", 1, "pool", False)


def test_defaults_and_values_take_their_input_type() -> None:
    policy = build(MINIMAL + """\
  hired: {type: date, default: 2026-01-31}
  paid: {type: money, default: 5, values: [5, 7.5]}
  ok: {type: boolean, default: false}
  n: {type: integer, default: 2.5, min: 0, max: 10}
  region: {type: text, values: [north, south], required: false}
""")
    assert policy.input("hired").default == date(2026, 1, 31)
    assert policy.input("paid").default == Decimal(5) and policy.input("paid").values == (Decimal(5), Decimal("7.5"))
    assert policy.input("ok").default is False and policy.input("ok").required is False
    n = policy.input("n")
    assert n.default == Decimal("2.5")  # not an integer: kept as written for the default-type check
    assert (n.min, n.max) == (Decimal(0), Decimal(10))
    assert policy.input("region").values == ("north", "south") and policy.input("region").required is False


def test_typed_value_leaves_misfits_for_the_checks() -> None:
    assert typed_value("integer", Decimal("2.5")) == Decimal("2.5")
    assert typed_value("integer", Decimal("3.0")) == Decimal("3.0")
    assert typed_value("integer", True) is True
    assert typed_value("date", "2026-02-30") == "2026-02-30"
    assert typed_value("money", "5") == "5"
    assert typed_value("text", "north") == "north"


def test_floor_title_description_and_payout_fields() -> None:
    policy = build(MINIMAL + """\
description: A plan.
floor: null
payouts:
  bonus: {amount: 100, gate: revenue > 0, cap: 1000, floor: 10, prorate: "1", band_factor: {A: 2}}
budgets:
  pool: {amount: 5000, components: [bonus], by: team}
penalties:
  late: {when: revenue < 0, amount: 50, cap: 100, forfeit: [bonus]}
recommendations:
  promo: {when: revenue > 10, action: promotion_review, reason: {en: great}, next_steps: [talk]}
""")
    assert policy.title == "p"
    assert policy.floor is None
    bonus = policy.payouts[0]
    assert (bonus.amount.text, bonus.cap.text, bonus.floor.text, bonus.prorate.text) == ("100", "1000", "10", "1")
    assert bonus.by_band == {"A": Decimal(2)} and bonus.tiers is None and bonus.base is None
    pool = policy.budgets[0]
    assert (pool.amount.path, pool.components, pool.by) == ("budgets.pool.amount", ("bonus",), ("team",))
    late = policy.penalties[0]
    assert (late.when.path, late.forfeit) == ("penalties.late.when", ("bonus",))
    promo = policy.recommendations[0]
    assert (promo.when.path, promo.action, promo.next_steps) == ("recommendations.promo.when", "promotion_review", ("talk",))
    assert build(MINIMAL + "floor: -500\n").floor == Decimal(-500)


def test_number_text() -> None:
    assert number_text(7) == "7"
    assert number_text(Decimal("1E+3")) == "1000"
    assert number_text(Decimal("0.50")) == "0.50"
    assert number_text(Decimal("1E+999")) == "1E+999"
