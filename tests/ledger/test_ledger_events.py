"""The events table: approvals, exports, inquiries and resolutions recorded against a close, hash-chained,
append-only, checked by verify; and the migration of a version-1 ledger."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from incentive.errors import UsageError
from incentive.ledger import Ledger, PeriodNotClosed
from incentive.ledger.chain import GENESIS
from incentive.ledger.errors import LedgerError
from tests.ledger.ledger_fixtures import close, make_record, results_frame


def _closed(ledger: Ledger):
    return close(ledger, make_record("2026-Q3", 8106), results_frame(1))


def test_an_event_is_chained_and_names_its_close_and_the_ledger_head(ledger):
    q3 = _closed(ledger)
    first = ledger.record_event("approval", "sales-rep", "2026-Q3", q3.entry_hash, {"role": "hr", "note": "好"},
                                "王芳", at="2026-10-10T09:00:00Z")
    second = ledger.record_event("approval", "sales-rep", "2026-Q3", q3.entry_hash, {"role": "manager"}, "李雷")
    assert (first.seq, first.prev_hash, first.ledger_head) == (1, GENESIS, q3.entry_hash)
    assert second.prev_hash == first.event_hash and ledger.events_head() == second.event_hash
    assert first.payload == {"role": "hr", "note": "好"} and first.by == "王芳"
    assert [e.seq for e in ledger.events("sales-rep", "2026-Q3", kind="approval")] == [1, 2]
    assert ledger.events("sales-rep", "2026-Q2") == []
    assert ledger.verify_chain() == []


def test_an_event_of_a_close_that_is_no_longer_current_is_refused(ledger):
    q3 = _closed(ledger)
    ledger.reopen("sales-rep", "2026-Q3", "data fix", "bob")
    with pytest.raises(PeriodNotClosed, match="no longer its current close .reopened since"):
        ledger.record_event("approval", "sales-rep", "2026-Q3", q3.entry_hash, {"role": "hr"}, "王芳")
    again = close(ledger, make_record("2026-Q3", 8106, by="carol"), results_frame(2))
    with pytest.raises(PeriodNotClosed, match=f"closed again as entry {again.seq}"):
        ledger.record_event("approval", "sales-rep", "2026-Q3", q3.entry_hash, {"role": "hr"}, "王芳")
    with pytest.raises(LedgerError, match="is not a close of sales-rep period 2026-Q2"):
        ledger.record_event("approval", "sales-rep", "2026-Q2", again.entry_hash, {"role": "hr"}, "王芳")
    assert ledger.events() == []


def test_a_precondition_checked_under_the_lock_refuses_and_records_nothing(ledger):
    q3 = _closed(ledger)

    def refuse(store: Ledger) -> None:
        raise UsageError("no")

    with pytest.raises(UsageError):
        ledger.record_event("approval", "sales-rep", "2026-Q3", q3.entry_hash, {"role": "hr"}, "王芳", check=refuse)
    assert ledger.events() == []
    with pytest.raises(UsageError, match="needs a name"):
        ledger.record_event("approval", "sales-rep", "2026-Q3", q3.entry_hash, {"role": "hr"}, "  ")


def test_events_are_append_only(ledger):
    q3 = _closed(ledger)
    ledger.record_event("approval", "sales-rep", "2026-Q3", q3.entry_hash, {"role": "hr"}, "王芳")
    con = sqlite3.connect(ledger.path)
    for sql in ("UPDATE events SET actor = 'eve'", "DELETE FROM events"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute(sql)
    con.close()


def _tamper(path: Path, *sql: str) -> list[str]:
    con = sqlite3.connect(path)
    for (trigger,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        con.execute(f"DROP TRIGGER {trigger}")
    for statement in sql:
        con.execute(statement)
    con.commit()
    con.close()
    with Ledger(path, readonly=True) as ledger:
        return ledger.verify_chain()


def test_an_edited_approval_row_is_detected(ledger):
    q3 = _closed(ledger)
    for role in ("manager", "hr"):
        ledger.record_event("approval", "sales-rep", "2026-Q3", q3.entry_hash, {"role": role}, "王芳")
    ledger.close()
    problems = _tamper(ledger.path, """UPDATE events SET payload = '{"role":"finance"}' WHERE seq = 2""")
    assert problems == ["event 2 (approval, sales-rep 2026-Q3): stored hash does not match its content — tampered"]


def test_a_removed_event_is_detected(ledger):
    q3 = _closed(ledger)
    for role in ("manager", "hr", "finance"):
        ledger.record_event("approval", "sales-rep", "2026-Q3", q3.entry_hash, {"role": role}, "王芳")
    ledger.close()
    problems = _tamper(ledger.path, "DELETE FROM events WHERE seq = 2")
    assert "event 3 (approval, sales-rep 2026-Q3): prev_hash does not match event 1" in problems
    assert any("sequence number should be 2" in p for p in problems)


def test_verify_finds_what_an_honest_ledger_never_records(ledger):
    """Rows a buggy or hostile writer could add through record_event itself (the chain is intact)."""
    q3 = _closed(ledger)
    hr = ledger.record_event("approval", "sales-rep", "2026-Q3", q3.entry_hash, {"role": "hr"}, "王芳")
    ledger.record_event("approval", "sales-rep", "2026-Q3", q3.entry_hash, {"role": "hr"}, "王芳")
    ledger.record_event("export", "sales-rep", "2026-Q3", q3.entry_hash,
                        {"approvals": [hr.event_hash], "required_roles": ["manager", "hr"]}, "王芳")
    inquiry = ledger.record_event("inquiry", "sales-rep", "2026-Q3", q3.entry_hash, {"employee": "E001"}, "E001")
    ledger.record_event("resolution", "sales-rep", "2026-Q3", q3.entry_hash,
                        {"inquiry": inquiry.seq, "outcome": "corrected"}, "王芳")
    ledger.record_event("resolution", "sales-rep", "2026-Q3", q3.entry_hash,
                        {"inquiry": inquiry.seq, "outcome": "no_change"}, "王芳")
    problems = ledger.verify_chain()
    assert problems == [
        "event 2 (approval, sales-rep 2026-Q3): 王芳 approves entry " + q3.entry_hash[:12] + "… as hr a second time",
        "event 3 (export, sales-rep 2026-Q3): an export without the approvals it needed: manager",
        "event 5 (resolution, sales-rep 2026-Q3): a corrected resolution of inquiry 4 whose corrected close "
        "(a re-close after entry 1) is missing",
        "event 6 (resolution, sales-rep 2026-Q3): resolves inquiry 4 a second time",
    ]


def test_an_approval_recorded_against_a_superseded_close_is_a_finding(ledger):
    q3 = _closed(ledger)
    ledger.record_event("approval", "sales-rep", "2026-Q3", q3.entry_hash, {"role": "hr"}, "王芳")
    ledger.reopen("sales-rep", "2026-Q3", "data fix", "bob")
    ledger.close()
    # a raw insert of a correctly chained event naming the reopened close, with the newest head
    with Ledger(ledger.path) as writer:
        from incentive.ledger.events import event_hash, payload_text
        prev = writer.events_head()
        fields = dict(seq=2, kind="approval", policy_id="sales-rep", period="2026-Q3", entry_hash=q3.entry_hash,
                      ledger_head=writer.head(), payload=payload_text({"role": "manager"}), actor="eve",
                      at="2026-10-12T00:00:00Z")
        con = sqlite3.connect(writer.path)
        con.execute("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (*fields.values(), prev, event_hash(fields, prev)))
        con.commit()
        con.close()
        assert writer.verify_chain() == [
            "event 2 (approval, sales-rep 2026-Q3): concerns entry 1, which was not the period's current close "
            "when it was recorded"]


def _as_version_1(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("DROP TABLE events")
    con.execute("DELETE FROM ledger_schema")
    con.execute("INSERT INTO ledger_schema VALUES (1)")
    con.commit()
    con.close()


def test_a_version_1_ledger_is_read_as_it_is_and_migrated_on_the_first_write(tmp_path):
    path = tmp_path / "l.sqlite"
    with Ledger(path) as ledger:
        q3 = _closed(ledger)
    _as_version_1(path)
    with Ledger(path, readonly=True) as old:
        assert old.schema_version == 1 and old.events() == [] and old.events_head() == GENESIS
        assert old.verify_chain() == []
    with Ledger(path) as ledger:
        assert ledger.schema_version == 2
        assert ledger.entries()[0].entry_hash == q3.entry_hash  # entries untouched
        ledger.record_event("approval", "sales-rep", "2026-Q3", q3.entry_hash, {"role": "hr"}, "王芳")
        assert ledger.verify_chain() == []
    con = sqlite3.connect(path)
    assert [r[0] for r in con.execute("SELECT version FROM ledger_schema ORDER BY version")] == [1, 2]
    con.close()


def test_a_ledger_of_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "l.sqlite"
    Ledger(path).close()
    con = sqlite3.connect(path)
    con.execute("INSERT INTO ledger_schema VALUES (3)")
    con.commit()
    con.close()
    with pytest.raises(LedgerError, match="schema version 3 is not supported by this incentive .it reads versions 1, 2"):
        Ledger(path, readonly=True)
