"""The registry: every check module is complete, documented, its Passes / Fails examples do what they say,
and the base policy is clean."""

from __future__ import annotations

import re

import pytest
import yaml

from incentive.policy.checks import CHECKS, codes, run_checks
from incentive.policy.validate import validate_file

# a YAML example block: a line ending in "::", a blank line, then indented lines
_BLOCK = re.compile(r"^(Passes|Fails)[^\n]*::\n\n((?:    [^\n]*\n|\n)+)", re.M)


def test_registry_has_every_check_once():
    found = [c.code for c in CHECKS]
    assert len(found) == len(set(found))
    for expected in ("weights-sum", "curve-order", "step-order", "tiers-order", "tiers-start", "tiers-rate",
                     "band-shares", "duplicate-id", "unknown-band", "unknown-component", "unknown-column",
                     "unknown-action", "exit-without-history", "effective-period", "id-input", "min-max",
                     "default-type", "unused-input", "zero-weight"):
        assert expected in found


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.code)
def test_each_check_documents_a_passing_and_a_failing_yaml_example(check):
    assert check.level in ("error", "warning")
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", check.code)
    blocks = dict((kind, body) for kind, body in _BLOCK.findall(check.doc + "\n"))
    assert set(blocks) == {"Passes", "Fails"}, check.module
    for body in blocks.values():
        assert isinstance(yaml.safe_load(body), dict), check.module


def test_levels_of_the_shared_codes():
    assert codes()["unused-input"] == "warning"
    assert codes()["zero-weight"] == "warning"
    assert codes()["tiers-start"] == "warning"
    assert codes()["exit-without-history"] == "error"


def test_base_policy_is_clean(b):
    policy = b.policy()
    assert run_checks(policy, b.checked(policy)) == []
    assert run_checks(policy, None) == []


def test_findings_are_sorted_and_carry_the_policy_file(b):
    policy = b.policy(kpis=(b.kpi("sales", 0, line=31), b.kpi("collection", 40, "collection_rate", line=30)))
    found = run_checks(policy, None)
    assert [f.code for f in found] == ["weights-sum", "zero-weight"]
    assert all(f.file == "plan.yaml" for f in found)
    assert [f.line for f in found] == sorted(f.line for f in found)


# ---------------------------------------------------------------- the docstring examples, run

#: a clean policy every example is set into; every input it declares is read, so an example can only
#: add findings of its own
_BASE = """
policy: example
version: "1"
period: quarter
currency: CNY
inputs:
  employee_id:      {type: id}
  revenue:          {type: money, min: 0}
  revenue_target:   {type: money, min: 0.01}
  collected:        {type: money, min: 0}
  target_bonus:     {type: money, min: 0}
  violation:        {type: boolean, default: false}
  cycle_days:       {type: number, min: 0}
  resolution_hours: {type: number, min: 0}
  satisfaction:     {type: number, min: 0, max: 100}
derived:
  attainment: revenue / revenue_target
  collection_rate: safe_div(collected, revenue)
  service: cycle_days + resolution_hours + satisfaction
kpis:
  sales: {value: attainment, weight: 100, score: {curve: [[0, 0], [1, 100]]}}
ranking: {by: score, bands: {A: {share: 0.2}, B: {share: 0.7}, C: {share: 0.1}}}
payouts:
  commission: {base: revenue, tiers: {basis: attainment, mode: marginal, table: [{from: 0, rate: 0.03}]}}
  bonus: {base: target_bonus, gate: service >= 0}
penalties:
  compliance: {when: violation, forfeit: all, band: C}
"""
#: sections an example states whole (its weights must sum as written, its curve is the only KPI)
_WHOLE = {"kpis"}


def _policy_with(example: dict) -> dict:
    """The base policy with the example set in: ``bands`` are the ranking's, ``tiers`` the commission's,
    a section in ``_WHOLE`` replaces the base's, any other mapping is merged entry by entry."""
    policy = yaml.safe_load(_BASE)
    for key, value in example.items():
        if key == "bands":
            policy["ranking"]["bands"] = value
        elif key == "tiers":
            policy["payouts"]["commission"]["tiers"] = value
        elif isinstance(value, dict) and isinstance(policy.get(key), dict) and key not in _WHOLE:
            policy[key] = {**policy[key], **value}
        else:
            policy[key] = value
    return policy


_EXAMPLES = [pytest.param(check, kind, body, id=f"{check.code}-{kind}")
             for check in CHECKS for kind, body in _BLOCK.findall(check.doc + "\n")]


def test_the_base_policy_of_the_examples_is_clean(tmp_path):
    path = tmp_path / "base.yaml"
    path.write_text(_BASE, encoding="utf-8")
    assert validate_file(path).findings == []


@pytest.mark.parametrize("check, kind, body", _EXAMPLES)
def test_each_example_does_what_it_says(check, kind, body, tmp_path):
    """A Fails example yields the check's code; a Passes example yields no error at all and not its code --
    so an example that stopped showing what it claims fails here."""
    path = tmp_path / "example.yaml"
    path.write_text(yaml.safe_dump(_policy_with(yaml.safe_load(body)), sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    found = validate_file(path).findings
    codes_found = [f.code for f in found]
    if kind == "Fails":
        assert check.code in codes_found, (check.module, found)
        assert {f.level for f in found if f.code == check.code} == {check.level}, (check.module, found)
    else:
        assert check.code not in codes_found, (check.module, found)
        assert [f for f in found if f.level == "error"] == [], (check.module, found)
