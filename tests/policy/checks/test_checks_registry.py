"""The registry: every check module is complete, documented, and the base policy is clean."""

from __future__ import annotations

import re

import pytest
import yaml

from incentive.policy.checks import CHECKS, codes, run_checks

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
