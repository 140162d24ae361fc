"""``--set PATH=VALUE`` overrides."""

from __future__ import annotations

from decimal import Decimal

import pytest

from incentive.errors import Pos, UsageError
from incentive.policy.overrides import apply_overrides, parse_path
from incentive.policy.yamlsafe import load_yaml

TEXT = """\
kpis:
  sales: {weight: 40, value: attainment}
payouts:
  commission:
    tiers:
      table: [{from: 0, rate: 0.03}, {from: 1.0, rate: 0.05}]
flags: {region: north}
"""


@pytest.fixture
def doc():
    return load_yaml(TEXT, "p.yaml")


def usage_error(doc, override: str) -> str:
    with pytest.raises(UsageError) as info:
        apply_overrides(doc, [override])
    return str(info.value)


def test_parse_path() -> None:
    assert parse_path("payouts.commission.tiers.table[1].rate", "x") == ("payouts", "commission", "tiers", "table", 1, "rate")
    assert parse_path("a[0][2]", "x") == ("a", 0, 2)
    for bad in ("a..b", "a[x]", "[0]", "a[-1]", ""):
        with pytest.raises(UsageError):
            parse_path(bad, "x")


def test_values_are_yaml_1_2_scalars_and_flow_values(doc) -> None:
    out = apply_overrides(doc, [
        "kpis.sales.weight=50",
        "payouts.commission.tiers.table[1].rate=0.06",
        "flags.region=NO",
        "flags.list=[a, 1]",
        "flags.empty=",
        "kpis.sales.value=attainment * 2",
    ])
    assert out.data["kpis"]["sales"] == {"weight": 50, "value": "attainment * 2"}
    assert out.data["payouts"]["commission"]["tiers"]["table"][1]["rate"] == Decimal("0.06")
    assert out.data["flags"] == {"region": "NO", "list": ["a", 1], "empty": None}


def test_the_original_document_is_not_changed(doc) -> None:
    apply_overrides(doc, ["kpis.sales.weight=50"])
    assert doc.data["kpis"]["sales"]["weight"] == 40
    assert doc.positions[("kpis", "sales", "weight")] == Pos(2, 19)
    assert doc.origins == {}


def test_overridden_nodes_point_at_the_override(doc) -> None:
    out = apply_overrides(doc, ["kpis.sales={weight: 50, value: x}"])
    assert out.positions[("kpis", "sales")] == Pos(0, 0)
    assert out.positions[("kpis", "sales", "weight")] == Pos(0, 0)
    assert out.key_positions[("kpis", "sales", "weight")] == Pos(0, 0)
    assert out.key_positions[("kpis", "sales")] == Pos(2, 3)  # the key itself is still in the file
    assert out.origin(("kpis", "sales", "weight")) == ("--set kpis.sales={weight: 50, value: x}", Pos(1, 18))
    assert out.origin(("payouts",)) is None
    assert out.positions[("payouts", "commission")] == doc.positions[("payouts", "commission")]


def test_a_new_leaf_key_in_an_existing_mapping_is_allowed(doc) -> None:
    out = apply_overrides(doc, ["kpis.sales.label=Sales"])
    assert out.data["kpis"]["sales"]["label"] == "Sales"


def test_missing_intermediate_key_names_the_closest(doc) -> None:
    assert usage_error(doc, "kpi.sales.weight=50") == (
        "--set kpi.sales.weight=50: there is no key 'kpi' at the top level of the policy (did you mean 'kpis'?)")
    assert usage_error(doc, "kpis.sale.weight=50") == (
        "--set kpis.sale.weight=50: there is no key 'sale' in kpis (did you mean 'sales'?)")
    assert "(keys there: weight, value)" in usage_error(doc, "kpis.sales.zzz.q=1")


def test_bad_indices_and_shapes(doc) -> None:
    assert "has 2 items; [5] does not exist" in usage_error(doc, "payouts.commission.tiers.table[5].rate=1")
    assert "is not a list" in usage_error(doc, "kpis[0]=1")
    assert "is a single value" in usage_error(doc, "kpis.sales.weight.x=1")


def test_malformed_overrides(doc) -> None:
    assert "expected PATH=VALUE" in usage_error(doc, "kpis.sales.weight")
    assert "expected PATH=VALUE" in usage_error(doc, "=5")
    assert "not valid YAML" in usage_error(doc, "kpis.sales.weight=[1")
    assert "not valid YAML" in usage_error(doc, "kpis.sales.weight=&a 1")
    assert "duplicate key" in usage_error(doc, "kpis.sales={a: 1, a: 2}")


def test_no_overrides_returns_the_same_document(doc) -> None:
    assert apply_overrides(doc, []) is doc
