"""The ``ledger`` fixture: a fresh ledger file per test."""

from __future__ import annotations

import pytest

from incentive.ledger import Ledger


@pytest.fixture
def ledger(tmp_path):
    with Ledger(tmp_path / "incentive-ledger.sqlite") as led:
        yield led
