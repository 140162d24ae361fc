"""check_policy_expressions: stage scopes, slot types, cycles, order,
history bookkeeping, positions, and the canonical example policy."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from incentive.errors import Pos
from incentive.policy.expr.policy_check import check_policy_expressions
from incentive.policy.expr.types import T
from incentive.policy.model import (Aggregate, Band, Budget, CurvePoint, Derived, Input, Kpi, Money, Payout, Penalty,
                                    Policy, Ranking, Recommendation, Scoring, Source, TieBreak)

ROOT = Path(__file__).resolve().parents[2]

INPUTS = (
    Input("employee_id", "id"), Input("region", "text"), Input("hire_date", "date"), Input("revenue", "money"),
    Input("target", "money"), Input("calls", "integer"), Input("flag", "boolean"),
)
SCORING = Scoring(curve=(CurvePoint(Decimal(0), Decimal(0)), CurvePoint(Decimal(1), Decimal(100))))


def src(text: str, path: str, line: int = 1, col: int = 1) -> Source:
    return Source(text, Pos(line, col), path)


def make(**sections) -> Policy:
    base = dict(id="p", version="1", title="t", period="quarter", currency="CNY", money=Money(), inputs=INPUTS,
                file="p.yaml")
    base.update(sections)
    return Policy(**base)


def derived(*items: tuple[str, str]) -> tuple[Derived, ...]:
    return tuple(Derived(name, src(text, f"derived.{name}", 10 + i, 5), pos=Pos(10 + i, 3))
                 for i, (name, text) in enumerate(items))


def ranking(**kw) -> Ranking:
    base = dict(by=src("revenue", "ranking.by"), bands=(Band("A", Decimal("0.2")), Band("B", Decimal("0.8"))))  # no kpis: no score
    base.update(kw)
    return Ranking(**base)


def findings_of(policy: Policy) -> list[tuple[str, str]]:
    checked, findings = check_policy_expressions(policy)
    assert checked is None
    return [(f.code, f.message) for f in findings]


def test_clean_policy_gives_a_checked_policy() -> None:
    policy = make(
        derived=derived(("attainment", "revenue / target"), ("tenure", "months_between(hire_date, period_end)")),
        aggregates=(Aggregate("team_revenue", "sum", src("revenue", "aggregates.team_revenue.of", 20, 9), ("region",), pos=Pos(20, 3)),),
        kpis=(Kpi("sales", src("attainment", "kpis.sales.value"), Decimal(60), SCORING),
              Kpi("volume", src("team_revenue", "kpis.volume.value"), Decimal(40), SCORING)),
        ranking=ranking(eligible=src("tenure >= 3", "ranking.eligible")),
        payouts=(Payout("bonus", amount=src("1000 * sales / 100 if band == 'A' else 0", "payouts.bonus.amount")),),
        penalties=(Penalty("late", amount=src("bonus * 0.1", "penalties.late.amount")),),
        recommendations=(Recommendation("promo", src("total > 900 and count_last(3, band == 'A') >= 2", "recommendations.promo.when"),
                                        "promotion_review"),),
    )
    checked, findings = check_policy_expressions(policy)
    assert findings == []
    assert checked is not None and checked.policy is policy
    assert checked.order == ("attainment", "tenure", "team_revenue")
    assert set(checked.exprs) == {"derived.attainment", "derived.tenure", "aggregates.team_revenue.of", "kpis.sales.value",
                                  "kpis.volume.value", "ranking.by", "ranking.eligible", "payouts.bonus.amount",
                                  "penalties.late.amount", "recommendations.promo.when"}
    assert checked.types["attainment"] == T.NUMBER
    assert checked.types["team_revenue"] == T.MONEY
    assert checked.types["volume_value"] == T.MONEY and checked.types["volume"] == T.NUMBER
    assert checked.types["band"] == T.TEXT and checked.types["eligible"] == T.BOOL and checked.types["rank"] == T.NUMBER
    assert checked.types["bonus"] == checked.types["late"] == checked.types["total"] == T.MONEY
    assert checked.types["period_end"] == T.DATE and checked.types["calls"] == T.NUMBER and checked.types["region"] == T.TEXT
    assert checked.history_names == frozenset({"band"})
    assert checked.history_depth_needed == 2
    assert checked.of(policy.derived[0].expr).type == T.NUMBER


def test_paths_are_filled_in_when_the_source_has_none() -> None:
    policy = make(derived=(Derived("x", Source("revenue * 2", Pos(3, 4))),))
    checked, findings = check_policy_expressions(policy)
    assert findings == []
    assert checked.exprs["derived.x"].source.path == "derived.x"
    assert checked.of(policy.derived[0].expr) is checked.exprs["derived.x"]


def test_cycles_are_reported_at_each_member_with_the_path() -> None:
    policy = make(derived=derived(("a", "b + 1"), ("b", "c * 2"), ("c", "revenue / target + a"), ("d", "calls"), ("e", "a + d")))
    checked, findings = check_policy_expressions(policy)
    assert checked is None
    assert [(f.code, f.line, f.col) for f in findings] == [("cycle", 10, 5), ("cycle", 11, 5), ("cycle", 12, 5 + 19)]
    assert "a → b → c → a" in findings[0].message
    assert "b → c → a → b" in findings[1].message
    assert "c → a → b → c" in findings[2].message


def test_self_reference_is_a_cycle() -> None:
    assert findings_of(make(derived=derived(("x", "x + 1")))) == [("cycle", "cycle: x → x ('x' depends on itself)")]


def test_cycle_through_an_aggregate_and_its_group_column() -> None:
    policy = make(derived=derived(("half", "team / 2")),
                  aggregates=(Aggregate("team", "sum", src("half", "aggregates.team.of", 20, 9), (), pos=Pos(20, 3)),))
    assert [c for c, _ in findings_of(policy)] == ["cycle", "cycle"]
    grouped = make(derived=derived(("grp", "'big' if team > 5 else 'small'")),
                   aggregates=(Aggregate("team", "count", None, ("grp",), pos=Pos(20, 3)),))
    found = findings_of(grouped)
    assert [c for c, _ in found] == ["cycle", "cycle"]
    assert any("through its 'by' columns" in m for _, m in found)


def test_order_is_topological_with_file_order_between_independents() -> None:
    policy = make(derived=derived(("z", "y + 1"), ("w", "calls * 2"), ("y", "calls + w")),
                  aggregates=(Aggregate("total_z", "sum", src("z", "aggregates.total_z.of", 30, 9), (), pos=Pos(30, 3)),
                              Aggregate("early", "max", src("hire_date", "aggregates.early.of", 5, 9), (), pos=Pos(5, 3))))
    checked, findings = check_policy_expressions(policy)
    assert findings == []
    assert checked.order == ("early", "w", "y", "z", "total_z")
    assert checked.types["early"] == T.DATE


@pytest.mark.parametrize("text, fragment", [
    ("band == 'A'", "'band' is computed later (ranking)"),
    ("score > 50", "'score' is computed later (score)"),
    ("sales > 50", "'sales' is computed later (KPI points)"),
    ("sales_value > 1", "'sales_value' is computed later (KPI values)"),
    ("bonus > 0", "'bonus' is computed later (payouts)"),
    ("total > 0", "'total' is computed later (total)"),
    ("revenu > 0", "unknown name 'revenu' (did you mean 'revenue'?)"),
    ("streak(band == 'C') > 1", "'band' is computed later (ranking)"),
])
def test_names_from_later_stages_in_a_derived_value(text: str, fragment: str) -> None:
    policy = make(derived=derived(("x", text)), kpis=(Kpi("sales", src("revenue / target", "kpis.sales.value"), Decimal(100), SCORING),),
                  ranking=ranking(), payouts=(Payout("bonus", amount=src("100", "payouts.bonus.amount")),))
    found = findings_of(policy)
    assert [c for c, _ in found] == ["unknown-name"]
    assert found[0][1].startswith("derived.x: ")
    assert fragment in found[0][1]


def test_prev_and_last_year_may_read_quantities_of_later_stages() -> None:
    policy = make(derived=derived(("was_top", "prev(band) == 'A' or last_year(score) > 90"), ("pen_before", "prev(late)")),
                  kpis=(Kpi("sales", src("revenue / target", "kpis.sales.value"), Decimal(100), SCORING),),
                  ranking=ranking(),
                  payouts=(Payout("bonus", amount=src("max(prev(bonus), 100)", "payouts.bonus.amount")),),
                  penalties=(Penalty("late", amount=src("prev(late) * 2", "penalties.late.amount")),))
    checked, findings = check_policy_expressions(policy)
    assert findings == []
    assert checked.exprs["derived.was_top"].refs == frozenset()
    assert checked.exprs["derived.was_top"].history_refs == frozenset({"band", "score"})
    assert checked.types["pen_before"] == T.MONEY
    assert checked.history_names == frozenset({"band", "score", "late", "bonus"})
    # streak / count_last include the current period: the stage's scope applies
    found = findings_of(make(derived=derived(("x", "streak(band == 'A')")), ranking=ranking(),
                             kpis=(Kpi("sales", src("revenue / target", "kpis.sales.value"), Decimal(100), SCORING),)))
    assert [c for c, _ in found] == ["unknown-name"]
    # without a ranking section there is no band, now or before
    assert [c for c, _ in findings_of(make(derived=derived(("x", "prev(band) == 'A'"))))] == ["unknown-name"]


def test_payouts_see_earlier_payouts_only() -> None:
    payouts = (Payout("first", amount=src("100 + second", "payouts.first.amount")),
               Payout("second", amount=src("first * 2 + second", "payouts.second.amount")))
    found = findings_of(make(ranking=ranking(), payouts=payouts))
    assert [c for c, _ in found] == ["unknown-name", "unknown-name"]
    assert "'second' is a later payout" in found[0][1]
    assert "'second' is this payout itself" in found[1][1]


def test_stage_visibility() -> None:
    kpis = (Kpi("sales", src("revenue / target", "kpis.sales.value"), Decimal(50), SCORING),
            Kpi("calls_kpi", src("sales_value * calls", "kpis.calls_kpi.value"), Decimal(50), SCORING))
    found = findings_of(make(kpis=kpis))
    assert "is another KPI's value" in found[0][1]
    penalties = (Penalty("a", amount=src("100", "penalties.a.amount")), Penalty("b", amount=src("a + 1", "penalties.b.amount")))
    found = findings_of(make(penalties=penalties))
    assert "'a' is a penalty (penalties cannot read each other)" in found[0][1]
    found = findings_of(make(ranking=ranking(eligible=src("band != 'C'", "ranking.eligible"))))
    assert "'band' is computed later (ranking)" in found[0][1]
    found = findings_of(make(recommendations=(Recommendation("r", src("band == 'A'", "recommendations.r.when"), "x"),)))
    assert "exists only when the policy has a ranking section" in found[0][1]


def test_what_later_stages_may_read() -> None:
    policy = make(
        kpis=(Kpi("sales", src("revenue / target", "kpis.sales.value"), Decimal(100), SCORING),),
        ranking=ranking(tie_break=(TieBreak(src("sales_value", "ranking.tie_break.0")), TieBreak(src("region", "ranking.tie_break.1")),
                                   TieBreak(src("hire_date", "ranking.tie_break.2"))),
                        bands=(Band("A", Decimal("0.5"), guard=src("score >= 80 and sales > 50", "ranking.bands.A.guard")),
                               Band("B", Decimal("0.5")))),
        payouts=(Payout("p1", base=src("revenue", "payouts.p1.base"), gate=src("eligible and rank <= 3 and percentile > 0.5 and group_size > 1", "payouts.p1.gate")),),
        budgets=(Budget("pool", src("p1 * 10 + 5000", "budgets.pool.amount"), ()),),
        penalties=(Penalty("pen", when=src("p1 > 0", "penalties.pen.when"), amount=src("p1 / 10", "penalties.pen.amount"),
                           cap=src("prev(pen) + 1 if prev(pen) > 0 else 100", "penalties.pen.cap")),),
        recommendations=(Recommendation("r", src("total - pen > 0 and band in ('A',)", "recommendations.r.when"), "x"),),
    )
    checked, findings = check_policy_expressions(policy)
    assert [str(f) for f in findings] == []
    assert checked.exprs["penalties.pen.cap"].history_refs == frozenset({"pen"})


@pytest.mark.parametrize("section, text, expected", [
    ("gate", "revenue", "payouts.x.gate must be a condition (bool), but 'revenue' is money"),
    ("amount", "flag", "payouts.x.amount must be a number or money, but 'flag' is a bool"),
    ("cap", "region", "payouts.x.cap must be a number or money"),
    ("prorate", "hire_date", "payouts.x.prorate must be a number or money"),
])
def test_payout_slot_types(section: str, text: str, expected: str) -> None:
    payout = Payout("x", **{section: src(text, f"payouts.x.{section}", 4, 12)}, amount=src("1", "payouts.x.amount")) \
        if section != "amount" else Payout("x", amount=src(text, "payouts.x.amount", 4, 12))
    checked, findings = check_policy_expressions(make(payouts=(payout,)))
    assert checked is None
    assert [(f.code, f.line, f.col) for f in findings] == [("type-mismatch", 4, 12)]
    assert findings[0].message.startswith(expected)


@pytest.mark.parametrize("policy, code", [
    (lambda: make(kpis=(Kpi("k", src("region", "kpis.k.value"), Decimal(100), SCORING),)), "type-mismatch"),
    (lambda: make(ranking=ranking(by=src("region", "ranking.by"))), "type-mismatch"),
    (lambda: make(ranking=ranking(eligible=src("calls", "ranking.eligible"))), "type-mismatch"),
    (lambda: make(ranking=ranking(tie_break=(TieBreak(src("flag", "ranking.tie_break.0")),))), "type-mismatch"),
    (lambda: make(aggregates=(Aggregate("a", "sum", src("region", "aggregates.a.of"), ()),)), "type-mismatch"),
    (lambda: make(aggregates=(Aggregate("a", "sum", src("hire_date", "aggregates.a.of"), ()),)), "type-mismatch"),
    (lambda: make(aggregates=(Aggregate("a", "count", src("calls", "aggregates.a.of"), ()),)), "type-mismatch"),
    (lambda: make(aggregates=(Aggregate("a", "sum", src("calls", "aggregates.a.of"), (), where=src("calls", "aggregates.a.where")),)), "type-mismatch"),
    (lambda: make(penalties=(Penalty("p", when=src("1", "penalties.p.when")),)), "type-mismatch"),
    (lambda: make(budgets=(Budget("b", src("flag", "budgets.b.amount"), ()),)), "type-mismatch"),
    (lambda: make(recommendations=(Recommendation("r", src("revenue", "recommendations.r.when"), "x"),)), "type-mismatch"),
    (lambda: make(aggregates=(Aggregate("a", "sum", src("prev(calls)", "aggregates.a.of"), ()),)), "history-not-allowed"),
    (lambda: make(aggregates=(Aggregate("a", "count", None, (), where=src("streak(flag) > 1", "aggregates.a.where")),)), "history-not-allowed"),
    (lambda: make(budgets=(Budget("b", src("last_year(revenue)", "budgets.b.amount"), ()),)), "history-not-allowed"),
    (lambda: make(ranking=ranking(by=src("prev(score)", "ranking.by"))), "history-not-allowed"),
    (lambda: make(ranking=ranking(eligible=src("count_last(2, flag) > 0", "ranking.eligible"))), "history-not-allowed"),
])
def test_slot_types_and_history_rules(policy, code: str) -> None:
    assert [c for c, _ in findings_of(policy())] == [code]


def test_history_is_allowed_in_derived_kpis_payouts_penalties_and_recommendations() -> None:
    policy = make(
        derived=derived(("growth", "safe_div(revenue, prev(revenue)) - 1")),
        kpis=(Kpi("k", src("count_last(3, flag)", "kpis.k.value"), Decimal(100), SCORING),),
        payouts=(Payout("x", amount=src("last_year(revenue) * 0.01", "payouts.x.amount")),),
        penalties=(Penalty("p", when=src("streak(flag) >= 2", "penalties.p.when"), amount=src("100", "penalties.p.amount")),),
        recommendations=(Recommendation("r", src("prev(calls, 6) > 0", "recommendations.r.when"), "x"),),
    )
    checked, findings = check_policy_expressions(policy)
    assert findings == []
    assert checked.history_names == frozenset({"revenue", "flag", "calls"})
    assert checked.history_depth_needed == 24  # streak looks back MAX_HISTORY periods


@pytest.mark.parametrize("period, text, depth", [
    ("quarter", "prev(calls) > 0", 1), ("quarter", "prev(calls, 5) > 0", 5), ("quarter", "count_last(3, flag) > 0", 2),
    ("quarter", "last_year(calls) > 0", 4), ("month", "last_year(calls) > 0", 12), ("half", "last_year(calls) > 0", 2),
    ("year", "last_year(calls) > 0", 1), ("quarter", "calls > 0", 0), ("month", "streak(flag) > 0", 24),
])
def test_history_depth_needed(period: str, text: str, depth: int) -> None:
    checked, findings = check_policy_expressions(make(period=period, recommendations=(Recommendation("r", src(text, "recommendations.r.when"), "x"),)))
    assert findings == [] and checked.history_depth_needed == depth
    assert checked.periods_per_year == {"month": 12, "quarter": 4, "half": 2, "year": 1}[period]


def test_positions_count_characters_not_utf8_bytes() -> None:
    text = 'region == "华东地区" and revnue > 0'
    policy = make(derived=(Derived("x", src(text, "derived.x", 7, 10)),))
    checked, findings = check_policy_expressions(policy)
    assert [(f.file, f.line, f.col, f.level, f.code) for f in findings] == [("p.yaml", 7, 10 + text.index("revnue"), "error", "unknown-name")]
    assert str(findings[0]).startswith(f"p.yaml:7:{10 + text.index('revnue')}: error unknown-name derived.x: unknown name 'revnue'")


def test_positions_of_syntax_errors_after_chinese_text() -> None:
    text = 'region == "华东" and and calls'
    policy = make(derived=(Derived("x", src(text, "derived.x", 3, 8)),))
    _, findings = check_policy_expressions(policy)
    assert [(f.code, f.col) for f in findings] == [("expr-syntax", 8 + text.index("and and") + 4)]


def test_multi_line_expressions_are_reported_where_they_begin() -> None:
    policy = make(derived=(Derived("x", src("(revenue\n + revnue)", "derived.x", 5, 6)),))
    _, findings = check_policy_expressions(policy)
    assert [(f.code, f.line, f.col) for f in findings] == [("unknown-name", 5, 6)]


def test_a_data_column_header_used_as_a_name_points_to_the_input_id() -> None:
    inputs = INPUTS + (Input("sales_amount", "money", column="销售额"),)
    found = findings_of(make(inputs=inputs, derived=derived(("x", "销售额 * 2"))))
    assert found == [("unknown-name", "derived.x: '销售额' is the data column of input 'sales_amount'; expressions use the id: sales_amount")]


def test_did_you_mean_uses_what_the_stage_can_see() -> None:
    policy = make(ranking=ranking(), payouts=(Payout("x", amount=src("scor * 10", "payouts.x.amount")),),
                  derived=derived(("y", "scor + 1")),
                  kpis=(Kpi("sales", src("revenue / target", "kpis.sales.value"), Decimal(100), SCORING),))
    found = dict((m.split(":")[0], m) for _, m in findings_of(policy))
    assert "did you mean 'score'?" in found["payouts.x.amount"]
    assert "did you mean" not in found["derived.y"]  # score is not visible to derived values


def test_the_canonical_example_policy_checks_clean() -> None:
    from incentive.policy.build import build_policy
    from incentive.policy.yamlsafe import load_yaml

    file = ROOT / "rules" / "sales-rep.yaml"
    policy = build_policy(load_yaml(file.read_bytes(), str(file)), str(file))
    checked, findings = check_policy_expressions(policy)
    assert findings == []
    assert checked.order == ("attainment", "collection_rate", "tenure_months", "active_days", "team_revenue", "team_headcount")
    # the exit_review rule reads the recorded recommendations: an exit needs an earlier improvement step
    assert checked.history_names == frozenset({"band", "revenue", "recommendations"})
    assert checked.history_depth_needed == 24
    for path in ("derived.attainment", "aggregates.team_revenue.of", "kpis.sales.value", "payouts.bonus.gate",
                 "payouts.commission.tiers.basis", "ranking.by", "ranking.eligible", "ranking.tie_break.0",
                 "ranking.bands.C.guard", "penalties.compliance.when", "recommendations.promotion.when"):
        assert path in checked.exprs
    assert checked.exprs["payouts.bonus.gate"].type == T.BOOL
    assert checked.exprs["payouts.bonus.cap"].type == T.MONEY
    assert checked.exprs["recommendations.promotion.when"].refs == frozenset({"band"})
    assert checked.exprs["recommendations.promotion.when"].history_refs == frozenset({"band"})
    assert checked.types["team_revenue"] == T.MONEY and checked.types["team_headcount"] == T.NUMBER
    assert checked.types["tenure_months"] == T.NUMBER


def test_a_broken_copy_of_the_example_is_refused_with_positions() -> None:
    from incentive.policy.build import build_policy
    from incentive.policy.yamlsafe import load_yaml

    text = (ROOT / "rules" / "sales-rep.yaml").read_text("utf-8")
    text = text.replace("attainment: revenue / revenue_target", "attainment: revenue / revenue_targt")
    policy = build_policy(load_yaml(text.encode(), "broken.yaml"), "broken.yaml")
    checked, findings = check_policy_expressions(policy)
    assert checked is None
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "revenue_targt" in ln)
    col = text.splitlines()[line - 1].index("revenue_targt") + 1
    assert [(f.file, f.line, f.col, f.code) for f in findings] == [("broken.yaml", line, col, "unknown-name")]
    assert "did you mean 'revenue_target'?" in findings[0].message


def test_duplicate_ids_do_not_crash_the_checker() -> None:
    policy = make(derived=derived(("revenue", "calls * 2"), ("x", "revenue + 1")), payouts=(Payout("x", amount=src("1", "payouts.x.amount")),))
    checked, findings = check_policy_expressions(policy)
    assert isinstance(findings, list)  # duplicate-id itself is the semantic checks' finding


def test_an_unparsable_expression_does_not_stop_the_others() -> None:
    policy = make(derived=derived(("a", "revenue +"), ("b", "a * 2"), ("c", "calls.real")))
    codes = [c for c, _ in findings_of(policy)]
    assert codes == ["expr-syntax", "expr-forbidden"]


def test_replaced_sources_keep_working() -> None:
    policy = make(derived=derived(("a", "calls")))
    policy = replace(policy, derived=(replace(policy.derived[0], expr=src("calls * 3", "derived.a")),))
    checked, _ = check_policy_expressions(policy)
    assert checked.exprs["derived.a"].source.text == "calls * 3"


@pytest.mark.parametrize("section, text", [
    ("ranking", "score"),
    ("payout", "score * 10"),
    ("recommendation", "score > 50"),
    ("payout", "prev(score)"),
])
def test_score_is_not_a_name_without_kpis(section: str, text: str) -> None:
    """B6: no kpis, no score column; every use is an error at validation instead of a crash in the engine."""
    if section == "ranking":
        policy = make(ranking=ranking(by=src(text, "ranking.by")))
    elif section == "payout":
        policy = make(payouts=(Payout("bonus", amount=src(text, "payouts.bonus.amount")),))
    else:
        policy = make(recommendations=(Recommendation("r", src(text, "recommendations.r.when"), "coaching"),))
    found = findings_of(policy)
    assert found and found[0][0] in ("unknown-name", "history-unknown"), found
    assert "'score'" in found[0][1] and "kpis" in found[0][1], found


def test_without_kpis_a_ranking_by_a_defined_value_is_fine() -> None:
    checked, findings = check_policy_expressions(make(ranking=ranking(by=src("revenue", "ranking.by"))))
    assert findings == [] and checked is not None
