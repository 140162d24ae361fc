from incentive.policy.checks import duplicate_ids, unknown_column, unknown_component
from incentive.policy.model import Aggregate, Derived
from incentive.errors import Pos


def run(module, policy):
    return list(module.check(policy, None))


def test_unique_ids_pass(b, budget_of):
    assert run(duplicate_ids, b.policy(budgets=(budget_of("pool", ["bonus"]),))) == []


def test_id_reused_across_sections_is_reported_at_the_later_one(b):
    derived = b.policy().derived + (Derived("bonus", b.src("revenue * 0.1"), pos=Pos(22, 3)),)
    [f] = run(duplicate_ids, b.policy(derived=derived))
    assert (f.line, f.col, f.code) == (60, 3, "duplicate-id")
    assert "payout bonus: the id 'bonus' is already used by derived value bonus at line 22" in f.message


def test_kpi_value_name_clashes(b):
    derived = b.policy().derived + (Derived("sales_value", b.src("revenue"), pos=Pos(23, 3)),)
    [f] = run(duplicate_ids, b.policy(derived=derived))
    assert f.line == 30
    assert "KPI sales (its value, sales_value)" in f.message and "derived value sales_value" in f.message


def test_reserved_names(b, budget_of):
    derived = (Derived("score", b.src("1"), pos=Pos(24, 3)), Derived("period_days", b.src("1"), pos=Pos(25, 3)))
    found = run(duplicate_ids, b.policy(derived=derived, budgets=(budget_of("total"),)))
    assert [(f.line, f.message.split(":")[0]) for f in found] == [
        (24, "derived value score"), (25, "derived value period_days"), (65, "budget total")]
    assert "reserved name (the composite score)" in found[0].message


def test_unknown_component_in_forfeit_and_budget(b, budget_of):
    penalties = (b.penalty("compliance", when="violation", forfeit=("bonuss",), line=73),)
    budgets = (budget_of("pool", ["bonus", "commission"], line=66),)
    found = run(unknown_component, b.policy(penalties=penalties, budgets=budgets))
    assert [(f.line, f.code) for f in found] == [(73, "unknown-component"), (66, "unknown-component")]
    assert "forfeit names 'bonuss', which is not a payout (did you mean 'bonus'?); payouts: bonus" in found[0].message
    assert "components names 'commission'" in found[1].message


def test_forfeit_all_and_known_components_pass(b, budget_of):
    assert run(unknown_component, b.policy(budgets=(budget_of("pool", ["bonus"]), budget_of("all_pool")))) == []


def test_group_columns_must_be_inputs(b, budget_of):
    aggs = (Aggregate("team_rev", "sum", b.src("revenue"), ("teams",), pos=Pos(26, 3)),)
    ranking = b.ranking(within=("区域",))
    inputs = b.policy().inputs[:2] + (b.inp("region", "text", 12, column="区域"),) + b.policy().inputs[3:]
    found = run(unknown_column, b.policy(inputs=inputs, aggregates=aggs, ranking=ranking,
                                         budgets=(budget_of("pool", by=["region", "divison"]),)))
    assert [(f.line, f.code) for f in found] == [(38, "unknown-column"), (26, "unknown-column"),
                                                 (65, "unknown-column")]
    assert "column header of input 'region'" in found[0].message
    assert "aggregate team_rev: by names 'teams'" in found[1].message
    assert "budget pool: by names 'divison'" in found[2].message


def test_known_group_columns_pass(b, budget_of):
    aggs = (Aggregate("region_rev", "sum", b.src("revenue"), ("region",), pos=Pos(26, 3)),
            Aggregate("all_rev", "sum", b.src("revenue"), (), pos=Pos(27, 3)))
    assert run(unknown_column, b.policy(aggregates=aggs, budgets=(budget_of("p", by=["region"]),))) == []
