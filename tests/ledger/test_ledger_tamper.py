"""verify_chain detects a change to any byte of any cell of any ledger row."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from ledger_fixtures import close, make_record, results_frame

from incentive.ledger import Ledger

TABLES = ("entries", "close_blobs", "events")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> tuple[Path, list[tuple[str, int, str]]]:
    """A ledger with closes of two policies, a reopen, a re-close and history
    references; and every (table, rowid, column) cell in it."""
    path = tmp_path_factory.mktemp("ledger") / "l.sqlite"
    with Ledger(path) as ledger:
        q2 = close(ledger, make_record("2026-Q2", 8105), results_frame(2))
        close(ledger, make_record("2026-Q2", 8105, policy_id="other-plan", data=b""), results_frame(0))
        close(ledger, make_record("2026-Q3", 8106, history={8105: q2.entry_hash}), results_frame(3))
        ledger.reopen("sales-rep", "2026-Q3", "data fix", "bob", at="2026-10-09T10:00:00Z")
        q3 = close(ledger, make_record("2026-Q3", 8106, by="carol", history={8105: q2.entry_hash}),
                   results_frame(4))
        approval = ledger.record_event("approval", "sales-rep", "2026-Q3", q3.entry_hash,
                                       {"role": "hr", "comment": "核对无误"}, "王芳", at="2026-10-10T09:00:00Z")
        ledger.record_event("export", "sales-rep", "2026-Q3", q3.entry_hash,
                            {"layout": "payroll-generic", "sha256": "ab" * 32, "control_total": "1214.50",
                             "approvals": [approval.event_hash], "required_roles": ["hr"]}, "王芳",
                            at="2026-10-10T10:00:00Z")
        ledger.record_event("inquiry", "sales-rep", "2026-Q2", q2.entry_hash,
                            {"employee": "E001", "about": "total", "text": "提成少算"}, "E001", at="2026-10-11T09:00:00Z")
        assert ledger.verify_chain() == []
    con = sqlite3.connect(path)
    cells = []
    for table in TABLES:
        columns = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
        for (rowid,) in con.execute(f"SELECT rowid FROM {table}"):
            cells.extend((table, rowid, c) for c in columns)
    con.close()
    return path, cells


def _drop_triggers(con: sqlite3.Connection) -> None:
    """A tamperer with the file can drop the append-only triggers first."""
    for (trigger,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        con.execute(f"DROP TRIGGER {trigger}")


def _flip(value, storage: str, data) -> object:
    """``value`` with one byte changed (a NULL becomes a value)."""
    if storage == "null":
        return data.draw(st.sampled_from([b"x", 1]))
    if storage == "integer":
        shift = 8 * data.draw(st.integers(0, 6))
        return value ^ (data.draw(st.integers(1, 255)) << shift)
    raw = bytearray(value)
    if not raw:
        return b"x"
    i = data.draw(st.integers(0, len(raw) - 1))
    raw[i] ^= data.draw(st.integers(1, 255))
    return bytes(raw)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_single_byte_change_is_detected(pristine, data):
    source, cells = pristine
    table, rowid, column = data.draw(st.sampled_from(cells))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "l.sqlite"
        shutil.copyfile(source, path)
        con = sqlite3.connect(path)
        _drop_triggers(con)
        con.text_factory = bytes
        con.execute("PRAGMA ignore_check_constraints = ON")  # as a raw edit of the file would
        value, storage = con.execute(f"SELECT {column}, typeof({column}) FROM {table} WHERE rowid = ?",
                                     (rowid,)).fetchone()
        storage = storage.decode()
        new = _flip(value, storage, data)
        cast = "CAST(? AS TEXT)" if storage == "text" else "?"
        try:
            con.execute(f"UPDATE {table} SET {column} = {cast} WHERE rowid = ?", (new, rowid))
            con.commit()
        except sqlite3.IntegrityError:
            reject()  # e.g. two rows with one seq: SQLite itself refuses that edit
        finally:
            con.close()
        with Ledger(path, readonly=True) as ledger:
            problems = ledger.verify_chain()
        assert problems, f"undetected change of {table}.{column} in row {rowid}"


def test_messages_name_the_entry(pristine, tmp_path):
    path = tmp_path / "l.sqlite"
    shutil.copyfile(pristine[0], path)
    con = sqlite3.connect(path)
    con.execute("DROP TRIGGER entries_append_only_u")
    con.execute("UPDATE entries SET actor = 'eve' WHERE seq = 3")
    con.commit()
    con.close()
    with Ledger(path, readonly=True) as ledger:
        assert ledger.verify_chain() == [
            "entry 3 (sales-rep 2026-Q3): stored hash does not match its content — tampered"]
    con = sqlite3.connect(path)
    con.execute("UPDATE entries SET actor = 'alice', entry_hash = ? WHERE seq = 3", ("ab" * 32,))
    con.commit()
    con.close()
    with Ledger(path, readonly=True) as ledger:
        problems = ledger.verify_chain()
    assert "entry 3 (sales-rep 2026-Q3): stored hash does not match its content — tampered" in problems
    assert "entry 4: prev_hash does not match entry 3" in problems


def test_deleted_entry_is_detected(pristine, tmp_path):
    path = tmp_path / "l.sqlite"
    shutil.copyfile(pristine[0], path)
    con = sqlite3.connect(path)
    _drop_triggers(con)
    con.execute("DELETE FROM close_blobs WHERE seq = 2")
    con.execute("DELETE FROM entries WHERE seq = 2")
    con.commit()
    con.close()
    with Ledger(path, readonly=True) as ledger:
        problems = ledger.verify_chain()
    assert "entry 3: prev_hash does not match entry 1" in problems
    assert any("sequence number should be 2" in p for p in problems)
