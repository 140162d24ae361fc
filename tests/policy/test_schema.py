"""The policy JSON Schema and the findings it produces."""

from __future__ import annotations

from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from incentive.policy.overrides import apply_overrides
from incentive.policy.schema import did_you_mean, format_path, load_schema, schema_findings, schema_text
from incentive.policy.yamlsafe import load_yaml
from incentive.policy.validate import discover

RULES = discover([str(Path(__file__).resolve().parents[2] / "rules")])  # policies only, not *.test.yaml

MINIMAL = """\
policy: p
version: "1"
period: month
currency: CNY
inputs:
  employee_id: {type: id}
  revenue: {type: money}
"""


def check(text: str, file: str = "p.yaml") -> list[tuple[str, int, int, str]]:
    doc = load_yaml(text, file)
    return [(f.code, f.line, f.col, f.message) for f in schema_findings(doc, file)]


def only(text: str) -> tuple[str, int, int, str]:
    found = check(text)
    assert len(found) == 1, found
    return found[0]


def test_the_schema_is_valid_draft_2020_12_with_editor_help() -> None:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] and schema["title"] and schema["description"]
    for name, prop in schema["properties"].items():
        target = prop if "description" in prop else schema["$defs"][prop["$ref"].rsplit("/", 1)[1]]
        assert target.get("description"), name
    assert schema_text().startswith("{\n")


@pytest.mark.parametrize("policy", RULES, ids=[p.name for p in RULES])
def test_every_policy_in_rules_satisfies_the_schema(policy: Path) -> None:
    assert check(policy.read_text(encoding="utf-8"), str(policy)) == []


def test_a_minimal_policy_is_valid() -> None:
    assert check(MINIMAL) == []


def test_type_error_names_the_path_and_what_was_found() -> None:
    text = MINIMAL + "kpis:\n  sales: {value: revenue, weight: forty, score: {curve: [[0, 0], [1, 100]]}}\n"
    assert only(text) == ("schema-type", 9, 35, "kpis.sales.weight: expected a number, got text 'forty'")


def test_booleans_are_not_numbers_and_decimals_are() -> None:
    text = MINIMAL + "kpis:\n  sales: {value: revenue, weight: true, score: {curve: [[0, 0], [1.5, 100]]}}\n"
    code, _, _, message = only(text)
    assert code == "schema-type" and message.startswith("kpis.sales.weight: expected a number, got true")


def test_non_finite_numbers_are_not_numbers() -> None:
    code, _, _, message = only(MINIMAL + "floor: .nan\n")
    assert code == "schema-type" and "got .nan" in message


def test_enum_value_gets_a_did_you_mean() -> None:
    code, line, col, message = only(MINIMAL.replace("revenue: {type: money}", "revenue: {type: mony}"))
    assert (code, line, col) == ("schema-value", 7, 19)
    assert message == ("inputs.revenue.type: 'mony' is not one of id, text, integer, number, money, "
                       "percent, date, boolean (did you mean 'money'?)")


def test_unknown_key_is_reported_at_the_key_with_a_hint() -> None:
    text = MINIMAL + "kpis:\n  sales: {value: revenue, weight: 40, wieght: 40, score: {step: [{from: 0, points: 1}]}}\n"
    assert only(text) == ("schema-unknown-key", 9, 39, "unknown key 'wieght' in kpis.sales (did you mean 'weight'?)")


def test_unknown_top_level_key() -> None:
    code, line, col, message = only(MINIMAL + "payout:\n  x: {amount: 1}\n")
    assert (code, line, col) == ("schema-unknown-key", 8, 1)
    assert message == "unknown key 'payout' at the top level (did you mean 'payouts'?)"


def test_missing_required_keys() -> None:
    found = check("policy: p\ninputs: {employee_id: {type: id}}\n")
    assert [(c, line, col, m) for c, line, col, m in found] == [  # sorted by message at one position
        ("schema-required", 1, 1, "missing required top-level key 'currency'"),
        ("schema-required", 1, 1, "missing required top-level key 'period'"),
        ("schema-required", 1, 1, "missing required top-level key 'version'"),
    ]
    code, line, col, message = only(MINIMAL + "kpis:\n  sales: {value: revenue, score: {curve: [[0, 0], [1, 1]]}}\n")
    assert (code, line, col, message) == ("schema-required", 9, 3, "kpis.sales: missing required key 'weight'")


def test_version_written_as_a_number_suggests_quotes() -> None:
    code, line, col, message = only(MINIMAL.replace('version: "1"', "version: 2026.1"))
    assert (code, line, col) == ("schema-type", 2, 10)
    assert message == 'version: expected text, got number 2026.1 (write it in quotes, "2026.1", to keep it as text)'


def test_bad_id_is_reported_at_the_key() -> None:
    code, line, col, message = only(MINIMAL + "derived:\n  2x: revenue * 2\n")
    assert (code, line, col) == ("schema-value", 9, 3)
    assert message.startswith("derived: '2x' is not a valid id")


def test_bad_policy_id_currency_and_date() -> None:
    text = MINIMAL.replace("policy: p", "policy: Sales Rep").replace("CNY", "rmb") + "effective: {start: 2026-02-30}\n"
    messages = [m for _, _, _, m in check(text)]
    assert any(m.startswith("policy: 'Sales Rep' is not in the expected form") for m in messages)
    assert any(m.startswith("currency: 'rmb'") for m in messages)
    assert "effective.start: '2026-02-30' is not a valid date (YYYY-MM-DD)" in messages


def test_labels_are_text_or_language_maps() -> None:
    assert check(MINIMAL + "title: {en: Plan, zh: 方案, zh-Hant: 方案, no: Plan}\n") == []
    code, _, _, message = only(MINIMAL + "title: {English: Plan}\n")
    assert code == "schema-value" and "'English' is not a valid language code" in message
    code, _, _, message = only(MINIMAL + "title: [a]\n")
    assert code == "schema-type" and message == "title: expected a label, got a list"


def test_aggregate_needs_exactly_one_function() -> None:
    code, line, col, message = only(MINIMAL + "aggregates:\n  team: {by: revenue}\n")
    assert (code, line, col) == ("schema-required", 9, 3)
    assert message == "aggregates.team: needs one of 'sum', 'mean', 'min', 'max', 'median' or 'count'"
    code, line, col, message = only(MINIMAL + "aggregates:\n  team: {sum: revenue, mean: revenue}\n")
    assert (code, line, col, message) == ("schema-value", 9, 24, "aggregates.team: use only one of 'sum' and 'mean'")
    assert check(MINIMAL + "aggregates:\n  n: {count: true}\n  m: {count: revenue > 0, where: revenue < 9}\n") == []
    assert only(MINIMAL + "aggregates:\n  n: {count: false}\n")[3] == \
        "aggregates.n.count: false is not allowed here; expected true"


def test_payout_shapes() -> None:
    ok = MINIMAL + """\
payouts:
  a: {amount: 100}
  b: {base: revenue}
  c: {base: revenue, tiers: {mode: marginal, table: [{from: 0, rate: 0.1}, {from: 10, amount: 5}]}, cap: 1000}
"""
    assert check(ok) == []
    assert only(MINIMAL + "payouts:\n  a: {amount: 1, base: revenue}\n")[3] == "payouts.a: use only one of 'amount' and 'base'"
    assert only(MINIMAL + "payouts:\n  a: {label: x}\n")[3] == "payouts.a: needs one of 'amount' or 'base'"
    found = check(MINIMAL + "payouts:\n  a: {amount: 1, tiers: {mode: step, table: [{from: 0, rate: 1}]}}\n")
    assert ("schema-required", 9, 18, "payouts.a: 'tiers' needs 'base' as well") in found
    code, _, _, message = only(MINIMAL + "payouts:\n  a: {base: revenue, tiers: {mode: step, table: [{from: 0}]}}\n")
    assert message == "payouts.a.tiers.table[0]: needs one of 'rate' or 'amount'"


def test_penalty_needs_an_effect() -> None:
    assert only(MINIMAL + "penalties:\n  p: {when: revenue < 0}\n")[3] == \
        "penalties.p: needs at least one of 'amount', 'forfeit' or 'band'"
    assert only(MINIMAL + "penalties:\n  p: {forfeit: some}\n")[3] == \
        "penalties.p.forfeit: 'some' is not allowed here; expected 'all'"
    assert check(MINIMAL + "penalties:\n  p: {forfeit: [a, b], band: C}\n") == []


def test_ranking_shapes() -> None:
    ok = MINIMAL + """\
ranking:
  by: revenue
  eligible: {when: revenue > 0, reason: {en: no sales, zh: 无销售}}
  tie_break: [revenue desc, {by: revenue, order: asc}]
  bands: {A: {share: 0.2}, B: {share: 0.8, guard: revenue < 5}}
"""
    assert check(ok) == []
    found = check(MINIMAL + "ranking:\n  by: revenue\n  bands: {A: {share: 1.5}}\n  min_group: 0\n")
    assert {m for _, _, _, m in found} == {
        "ranking.bands.A.share: 1.5 is above the maximum 1",
        "ranking.min_group: 0 is below the minimum 1",
    }


def test_curve_needs_two_points_and_scale_is_100_or_1() -> None:
    text = MINIMAL + "kpis:\n  k: {value: revenue, weight: 1, score: {curve: [[0, 1]]}}\nscore: {scale: 50, decimals: 7}\n"
    messages = {m for _, _, _, m in check(text)}
    assert messages == {
        "kpis.k.score.curve: needs at least 2 items",
        "score.scale: 50 is not one of 100, 1",
        "score.decimals: 7 is above the maximum 6",
    }


def test_numbers_the_engine_cannot_hold_exactly() -> None:
    found = check(MINIMAL + "floor: 1e30\npayouts:\n  a: {amount: 0.0000000000001}\n")
    assert {(c, m) for c, _, _, m in found} == {
        ("schema-value", "floor: 1E+30 is too large (numbers must stay below 10^26)"),
        ("schema-value", "payouts.a.amount: 1E-13 has more than 12 decimal places"),
    }


def test_empty_sections_are_allowed_but_inputs_are_not() -> None:
    assert check(MINIMAL + "derived:\nkpis:\n") == []
    assert only(MINIMAL.split("inputs:")[0] + "inputs: {}\n")[3] == "inputs: must not be empty"


def test_findings_for_overridden_values_name_the_override() -> None:
    doc = apply_overrides(load_yaml(MINIMAL, "p.yaml"), ["inputs.revenue.type=mony"])
    (finding,) = schema_findings(doc, "p.yaml")
    assert finding.file == "--set inputs.revenue.type=mony"
    assert (finding.line, finding.col) == (1, 27)  # the first character after "="
    assert "did you mean 'money'" in finding.message


def test_helpers() -> None:
    assert format_path(("payouts", "x", "tiers", "table", 1, "rate")) == "payouts.x.tiers.table[1].rate"
    assert did_you_mean("wieght", ["weight", "value"]) == " (did you mean 'weight'?)"
    assert did_you_mean("Money", ["money"]) == " (did you mean 'money'?)"
    assert did_you_mean("zzz", ["weight"]) == ""
