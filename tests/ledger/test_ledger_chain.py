"""The entry hash: canonical, complete, float-free."""

from __future__ import annotations

from decimal import Decimal

import pytest

from incentive.ledger.chain import GENESIS, HASHED_COLUMNS, canonical_json, entry_hash


def fields(**changes):
    base = {c: None for c in HASHED_COLUMNS}
    base.update(seq=1, kind="close", policy_id="sales-rep", period="2026-Q3", period_ordinal=8106,
                actor="alice", at="2026-10-08T09:00:00Z")
    base.update(changes)
    return base


def test_canonical_json_is_sorted_compact_and_exact():
    assert canonical_json({"b": Decimal("1.50"), "a": ["销售", 1]}) == '{"a":["销售",1],"b":"1.50"}'


def test_floats_are_refused_anywhere():
    with pytest.raises(TypeError, match="floats"):
        canonical_json({"totals": {"total": 1.5}})
    with pytest.raises(TypeError, match="floats"):
        canonical_json([[1, 0.1]])


def test_every_field_and_the_link_change_the_hash():
    base = entry_hash(fields(), GENESIS)
    assert len(base) == 64 and base == entry_hash(fields(), GENESIS)
    assert entry_hash(fields(), "1" * 64) != base
    seen = {base}
    for column, (kind, _) in HASHED_COLUMNS.items():
        changed = fields(**{column: 7 if kind == "integer" else "x"})
        h = entry_hash(changed, GENESIS)
        assert h not in seen, column
        seen.add(h)


def test_missing_fields_are_an_error():
    incomplete = fields()
    del incomplete["reason"]
    with pytest.raises(ValueError, match="reason"):
        entry_hash(incomplete, GENESIS)
