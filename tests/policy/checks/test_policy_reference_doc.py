"""docs/policy-reference.md stays in step with the code it documents."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from incentive.policy.checks import codes
from incentive.policy.checks.unknown_action import KNOWN_ACTIONS
from incentive.policy.version_checks import codes as version_codes

ROOT = Path(__file__).resolve().parents[3]
DOC = (ROOT / "docs" / "policy-reference.md").read_text(encoding="utf-8")
SHARED_CODES = (
    "yaml-syntax", "yaml-encoding", "yaml-alias", "yaml-duplicate-key", "yaml-too-large", "yaml-too-deep",
    "not-a-policy", "schema-required", "schema-unknown-key", "schema-type", "schema-value", "expr-syntax",
    "expr-forbidden", "expr-too-complex", "unknown-name", "unknown-function", "bad-arguments", "type-mismatch",
    "history-not-allowed", "cycle",
)


def _table_rows(heading: str) -> set[str]:
    """First-column code spans of the table under ``heading``."""
    section = DOC.split(heading, 1)[1].split("\n#", 1)[0]
    return set(re.findall(r"^\| `([^`]+)`", section, flags=re.M))


def test_every_finding_code_has_a_row():
    rows = _table_rows("## 7. Finding codes")
    missing = [c for c in (*SHARED_CODES, *codes(), *version_codes()) if c not in rows]
    assert not missing, f"finding codes missing from docs/policy-reference.md §7: {missing}"


def test_levels_in_the_finding_table_match_the_checks():
    section = DOC.split("## 7. Finding codes", 1)[1]
    for code, level in (codes() | version_codes()).items():
        row = re.search(rf"^\| `{re.escape(code)}` \| ([a-z]+)", section, flags=re.M)
        assert row and row.group(1) == level, code


def test_every_check_has_an_example():
    for code in (*codes(), *version_codes()):
        assert f"**`{code}`**" in DOC, code


def test_every_top_level_key_is_documented():
    schema = json.loads((ROOT / "incentive" / "policy" / "policy.schema.json").read_text(encoding="utf-8"))
    rows = _table_rows("## 2. Top-level keys")
    assert set(schema["properties"]) <= rows


def test_every_function_is_in_the_table():
    functions = pytest.importorskip("incentive.policy.expr.functions")
    section = DOC.split("### Functions", 1)[1].split("\n### ", 1)[0]
    for name in functions.FUNCTIONS:
        assert re.search(rf"`{name}\(", section), name


def test_every_known_action_is_listed():
    for action in KNOWN_ACTIONS:
        assert f"`{action}`" in DOC, action
