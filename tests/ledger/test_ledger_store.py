"""Ledger: record / lock / reopen / history, exact round-trips, atomic transactions."""

from __future__ import annotations

import hashlib
import io
import sqlite3
from decimal import Decimal
import stat

import polars as pl
import pytest
from ledger_fixtures import POLICY_TEXT, close, make_record, results_frame

from incentive.errors import IncentiveError, UsageError
from incentive.numeric import DTYPE
from incentive.ledger import (
    GENESIS,
    HistoryChanged,
    Ledger,
    LedgerError,
    PeriodAlreadyClosed,
    PeriodNotClosed,
    resolve_path,
)
from incentive.ledger import staging


def test_record_and_get(ledger):
    assert ledger.get_close("sales-rep", "2026-Q3") is None
    assert ledger.status("sales-rep", "2026-Q3").state == "open"
    entry = close(ledger, make_record(), results_frame())
    assert entry.seq == 1 and entry.kind == "close" and entry.prev_hash == GENESIS
    assert entry.by == "alice" and entry.at == "2026-10-08T09:00:00Z"
    assert entry.policy_text == POLICY_TEXT and entry.data_name == "q3.csv"
    assert entry.outputs == {"payouts.csv": "22" * 32, "results.csv": "11" * 32}
    assert entry.totals == {"people": 3, "total": "1214.50"}
    assert entry.results_rows == 3
    assert ledger.get_close("sales-rep", "2026-Q3") == entry
    assert ledger.head() == entry.entry_hash
    assert ledger.entries() == [entry] and ledger.entries("other") == []
    assert ledger.load_data(entry) == b"employee_id,revenue\nE001,100\n"
    assert entry.same_inputs(entry.policy_sha256, entry.data_sha256)
    assert not entry.same_inputs(entry.policy_sha256, "00" * 32)


def test_results_round_trip_exactly(ledger):
    frame = results_frame()
    entry = close(ledger, make_record(), frame)
    back = ledger.load_results(entry)
    assert back.schema == frame.schema
    assert back.equals(frame)
    assert ledger.load_results(entry, columns=["total", "not-there"]).columns == ["total"]


def test_results_stored_narrow_come_back_in_the_engine_type(ledger):
    frame = results_frame().with_columns(pl.lit(Decimal("12.5"), dtype=DTYPE).alias("score"),
                                         pl.lit(Decimal("1234567890.25"), dtype=DTYPE).alias("total"))
    entry = close(ledger, make_record(), frame)
    stored = pl.read_parquet(io.BytesIO(ledger._blob(entry, "results")))
    assert stored.schema["score"] == pl.Decimal(18, 12) and stored.schema["total"] == pl.Decimal(28, 12)
    back = ledger.load_results(entry)
    assert back.schema == frame.schema
    assert back.equals(frame)


def test_second_close_is_refused_with_who_and_when(ledger):
    close(ledger, make_record(), results_frame())
    with pytest.raises(PeriodAlreadyClosed) as info:
        close(ledger, make_record(by="bob"), results_frame(1))
    message = str(info.value)
    assert "sales-rep period 2026-Q3 is already closed" in message
    assert "2026-10-08T09:00:00Z" in message and "by alice" in message
    assert isinstance(info.value, IncentiveError) and info.value.exit_code == 2
    assert info.value.entry == ledger.get_close("sales-rep", "2026-Q3")
    assert len(ledger.entries()) == 1 and ledger._rows("SELECT count(*) FROM close_blobs") == [(1,)]


def test_reopen_unlocks_and_is_recorded(ledger):
    first = close(ledger, make_record(), results_frame())
    with pytest.raises(UsageError, match="needs a reason"):
        ledger.reopen("sales-rep", "2026-Q3", "   ", "bob")
    reopen = ledger.reopen("sales-rep", "2026-Q3", "revenue file was incomplete", "bob", at="2026-10-09T10:00:00Z")
    assert reopen.kind == "reopen" and reopen.reopens == first.seq and reopen.prev_hash == first.entry_hash
    assert reopen.reason == "revenue file was incomplete" and reopen.by == "bob"
    status = ledger.status("sales-rep", "2026-Q3")
    assert status.state == "reopened" and status.current is None and len(status.events) == 2
    assert ledger.history("sales-rep", 8107, 1) == {}
    with pytest.raises(PeriodNotClosed, match="not closed"):
        ledger.reopen("sales-rep", "2026-Q3", "again", "bob")
    second = close(ledger, make_record(by="carol"), results_frame(5))
    assert ledger.get_close("sales-rep", "2026-Q3") == second
    assert [e.kind for e in ledger.status("sales-rep", "2026-Q3").events] == ["close", "reopen", "close"]
    assert ledger.load_results(first).equals(results_frame())  # the old close stays in the ledger
    assert ledger.history("sales-rep", 8107, 1)[8106].equals(results_frame(5))
    assert ledger.verify_chain() == []


def test_history_is_by_ordinal_window(ledger):
    # closed out of order: Q3 before Q1 and Q2
    q3 = close(ledger, make_record("2026-Q3", 8106), results_frame(3))
    q1 = close(ledger, make_record("2026-Q1", 8104), results_frame(1))
    close(ledger, make_record("2025-Q4", 8103), results_frame(0))
    close(ledger, make_record("2026-Q3", 8106, policy_id="other-plan"), results_frame(9))
    history = ledger.history("sales-rep", 8107, 3)
    assert sorted(history) == [8104, 8106]  # 8105 (Q2) missing: absent
    assert history[8106].equals(results_frame(3)) and history[8104].equals(results_frame(1))
    assert sorted(ledger.history("sales-rep", 8107, 4)) == [8103, 8104, 8106]
    assert ledger.history("sales-rep", 8107, 0) == {}
    assert ledger.history_entries("sales-rep", 8105, 1) == {8104: q1}
    assert ledger.history("sales-rep", 8107, 1, columns=["employee_id", "band"])[8106].columns == ["employee_id", "band"]
    assert q3.seq == 1


def test_recorded_history_survives_a_later_reopen(ledger):
    q2 = close(ledger, make_record("2026-Q2", 8105), results_frame(2))
    q3 = close(ledger, make_record("2026-Q3", 8106, history={8105: q2.entry_hash}), results_frame(3))
    assert q3.history_hashes == {8105: q2.entry_hash}
    ledger.reopen("sales-rep", "2026-Q2", "late correction", "bob")
    close(ledger, make_record("2026-Q2", 8105), results_frame(7))
    used = ledger.recorded_history(q3)
    assert list(used) == [8105] and used[8105].equals(results_frame(2))
    assert ledger.verify_chain() == []


def test_close_with_history_that_was_reopened_meanwhile_is_refused(ledger):
    q2 = close(ledger, make_record("2026-Q2", 8105), results_frame(2))
    ledger.reopen("sales-rep", "2026-Q2", "late correction", "bob")
    with pytest.raises(HistoryChanged, match="run the close again"):
        close(ledger, make_record("2026-Q3", 8106, history={8105: q2.entry_hash}), results_frame(3))
    with pytest.raises(LedgerError, match="not a close of sales-rep"):
        close(ledger, make_record("2026-Q3", 8106, history={8105: "ab" * 32}), results_frame(3))
    assert ledger.get_close("sales-rep", "2026-Q3") is None


def test_period_ordinal_must_stay_consistent(ledger):
    close(ledger, make_record("2026-Q2", 8105), results_frame())
    with pytest.raises(LedgerError, match="clashes with period 2026-Q2"):
        close(ledger, make_record("2026-06", 8105), results_frame())


def test_data_hash_must_match_the_bytes(ledger):
    from dataclasses import replace

    with pytest.raises(ValueError, match="not the sha256 of data_bytes"):
        close(ledger, replace(make_record(), data_sha256="00" * 32), results_frame())
    assert ledger.entries() == []


def test_exception_inside_the_transaction_records_nothing(ledger, monkeypatch):
    def disk_full(*args):
        raise sqlite3.OperationalError("database or disk is full")

    close(ledger, make_record("2026-Q2", 8105), results_frame())
    monkeypatch.setattr(staging, "insert_blobs", disk_full)
    with pytest.raises(sqlite3.OperationalError):
        close(ledger, make_record(), results_frame())
    monkeypatch.undo()
    assert [e.period for e in ledger.entries()] == ["2026-Q2"]
    assert ledger.get_close("sales-rep", "2026-Q3") is None
    raw = sqlite3.connect(ledger.path)
    assert raw.execute("SELECT count(*) FROM close_blobs").fetchone() == (1,)
    raw.close()
    assert close(ledger, make_record(), results_frame()).seq == 2
    assert ledger.verify_chain() == []


def test_file_is_owner_only_and_uses_the_rollback_journal(ledger):
    close(ledger, make_record(), results_frame())
    assert stat.S_IMODE(ledger.path.stat().st_mode) == 0o600
    raw = sqlite3.connect(ledger.path)
    assert raw.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert raw.execute("PRAGMA page_size").fetchone() == (65536,)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        raw.execute("UPDATE entries SET actor = 'eve'")
    raw.close()


def test_read_only_open(tmp_path, ledger):
    with pytest.raises(LedgerError, match="no ledger here"):
        Ledger(tmp_path / "missing.sqlite", readonly=True)
    entry = close(ledger, make_record(), results_frame())
    with Ledger(ledger.path, readonly=True) as ro:
        assert ro.get_close("sales-rep", "2026-Q3") == entry
        assert ro.verify_chain() == []
        with pytest.raises(LedgerError, match="read-only"):
            ro.reopen("sales-rep", "2026-Q3", "x", "bob")


def test_files_that_are_not_ledgers(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(LedgerError, match="not a usable incentive ledger"):
        Ledger(junk)
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.close()
    with pytest.raises(LedgerError, match="not an incentive ledger"):
        Ledger(other)
    with pytest.raises(LedgerError, match="is a directory"):
        Ledger(tmp_path)


def test_resolve_path(monkeypatch, tmp_path):
    monkeypatch.delenv("INCENTIVE_LEDGER", raising=False)
    assert str(resolve_path(None)) == "incentive-ledger.sqlite"
    monkeypatch.setenv("INCENTIVE_LEDGER", str(tmp_path / "env.sqlite"))
    assert resolve_path(None) == tmp_path / "env.sqlite"
    assert resolve_path("cli.sqlite").name == "cli.sqlite"


def test_load_results_refuses_tampered_blob(ledger):
    entry = close(ledger, make_record(), results_frame())
    raw = sqlite3.connect(ledger.path)
    raw.execute("DROP TRIGGER close_blobs_append_only_u")
    blob = bytearray(raw.execute("SELECT results FROM close_blobs").fetchone()[0])
    blob[len(blob) // 2] ^= 0xFF
    raw.execute("UPDATE close_blobs SET results = ?", (bytes(blob),))
    raw.commit()
    raw.close()
    with pytest.raises(LedgerError, match="tampered"):
        ledger.load_results(entry)
    assert ledger.verify_chain() == ["entry 1 (sales-rep 2026-Q3): its results blob does not match its recorded "
                                     "sha256 — tampered"]


def test_empty_results_and_all_null_columns_round_trip(ledger):
    frame = pl.DataFrame({"employee_id": pl.Series([], dtype=pl.String), "note": pl.Series([], dtype=pl.Null)})
    entry = close(ledger, make_record(), frame)
    assert ledger.load_results(entry).equals(frame)


def test_a_close_can_store_the_audit_parquet_as_is(ledger, tmp_path):
    from incentive.output.manifest import sha256_file
    from incentive.output.tables import write_parquet

    frame = results_frame()
    audit = tmp_path / "audit.parquet"
    write_parquet(frame, audit)
    entry = close(ledger, make_record(), frame, results_parquet=audit.read_bytes())
    assert entry.results_sha256 == sha256_file(audit)
    assert ledger.load_results(entry).equals(frame)
    with pytest.raises(ValueError, match="holds 3 rows"):
        close(ledger, make_record("2026-Q2", 8105), frame.head(2), results_parquet=audit.read_bytes())
    with pytest.raises(ValueError, match="not a Parquet file"):
        close(ledger, make_record("2026-Q2", 8105), frame, results_parquet=b"nope")


def _stage(ledger, record):
    from incentive.ledger.staging import pack_data
    from incentive.output.tables import parquet_bytes

    blob = parquet_bytes(results_frame())
    return ledger.stage_close(record.policy_id, record.period, record.period_ordinal,
                              history_hashes=record.history_hashes, results_parquet=blob,
                              results_sha256=hashlib.sha256(blob).hexdigest(), results_rows=3,
                              packed_data=pack_data(record.data_bytes))


def test_a_staged_close_holds_the_lock_and_commits_as_one_entry(ledger, tmp_path):
    record = make_record()
    staged = _stage(ledger, record)
    with Ledger(tmp_path / "incentive-ledger.sqlite", timeout=0.1) as other:
        with pytest.raises(IncentiveError, match="busy"):
            other.reopen("sales-rep", "2026-Q3", "no", "bob")  # a writer waits for the staged close
        assert other.entries() == []  # readers see nothing of it yet
    entry = staged.commit(record)
    assert ledger.entries() == [entry] and ledger.load_results(entry).equals(results_frame())
    assert ledger.load_data(entry) == record.data_bytes
    assert ledger.verify_chain() == []
    staged.abort()  # a no-op once committed
    with pytest.raises(ValueError, match="already committed"):
        staged.commit(record)


def test_an_aborted_or_mismatched_staged_close_leaves_nothing(ledger):
    _stage(ledger, make_record()).abort()
    assert ledger.entries() == [] and ledger._rows("SELECT count(*) FROM close_blobs") == [(0,)]
    staged = _stage(ledger, make_record())
    with pytest.raises(ValueError, match="not the close that was staged"):
        staged.commit(make_record(period="2026-Q4", ordinal=8107))
    assert ledger.entries() == [] and ledger._rows("SELECT count(*) FROM close_blobs") == [(0,)]
    entry = _stage(ledger, make_record()).commit(make_record())  # the lock was released: a new try works
    assert entry.seq == 1


def test_current_closes_are_the_latest_close_of_each_period_in_period_order(ledger):
    # closed out of order, across two policies; Q2 reopened and still open, Q1 reopened and closed again
    q3 = close(ledger, make_record("2026-Q3", 8106), results_frame(3))
    other = close(ledger, make_record("2026-Q1", 8104, policy_id="another-plan"), results_frame(0))
    close(ledger, make_record("2026-Q2", 8105, data=b"q2"), results_frame(2))
    close(ledger, make_record("2026-Q1", 8104), results_frame(1))
    ledger.reopen("sales-rep", "2026-Q2", "late correction", "bob")
    ledger.reopen("sales-rep", "2026-Q1", "late correction", "bob")
    q1 = close(ledger, make_record("2026-Q1", 8104, by="carol"), results_frame(4))
    assert ledger.current_closes() == [other, q1, q3]
    assert ledger.current_closes("sales-rep") == [q1, q3]
    assert ledger.current_closes("sales-rep", from_ordinal=8105, before_ordinal=8107) == [q3]
    assert ledger.current_closes("sales-rep", before_ordinal=8106) == [q1]
    assert ledger.current_closes("sales-rep", data_sha256=q1.data_sha256) == [q1, q3]
    assert ledger.current_closes("sales-rep", data_sha256=hashlib.sha256(b"q2").hexdigest()) == []
    assert ledger.closes_with_data("sales-rep", q3.data_sha256) == [q1, q3]
    assert ledger.history_entries("sales-rep", 8107, 3) == {8104: q1, 8106: q3}
