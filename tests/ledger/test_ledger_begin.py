"""A ledger that cannot start a write says why: busy only when it is busy."""

from __future__ import annotations

import sqlite3

import pytest

from incentive.ledger import Ledger, LedgerError


class _Refusing:
    """A connection whose BEGIN IMMEDIATE fails as SQLite reports ``text``."""

    def __init__(self, con: sqlite3.Connection, text: str):
        self._con, self._text = con, text

    def execute(self, sql: str, *args):
        if sql.strip().upper().startswith("BEGIN"):
            raise sqlite3.OperationalError(self._text)
        return self._con.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._con, name)


@pytest.mark.parametrize("text, said, not_said", [
    ("database is locked", "the ledger is busy", "cannot be written"),
    ("database or disk is full", "cannot be written (database or disk is full)", "busy"),
    ("attempt to write a readonly database", "cannot be written", "busy"),
    ("disk I/O error", "cannot be written (disk I/O error)", "busy"),
])
def test_a_refused_write_says_what_refused_it(tmp_path, text, said, not_said):
    ledger = Ledger(tmp_path / "ledger.sqlite")
    real = ledger._con
    ledger._con = _Refusing(real, text)  # type: ignore[assignment]
    try:
        with pytest.raises(LedgerError) as info:
            ledger._begin()
    finally:
        ledger._con = real
        ledger.close()
    assert said in str(info.value) and not_said not in str(info.value)
