"""A close staged in two halves: the blobs are written under the write lock
while the caller still writes outputs, then the entry is appended and
committed -- or everything is rolled back."""

from __future__ import annotations

import pytest
from ledger_fixtures import make_record, results_frame

from incentive.ledger.store import pack_data

DATA = "employee_id,revenue\n".encode() + "".join(f"E{i:05d},{i * 7}.50\n" for i in range(500)).encode()



def _staged(ledger, data: bytes = DATA, frame=None):
    from incentive.output.tables import parquet_bytes
    from incentive.ledger.chain import sha256_hex

    frame = results_frame() if frame is None else frame
    blob = parquet_bytes(frame)
    return ledger.stage_close("sales-rep", "2026-Q3", 8106, history_hashes={}, results_blob=blob,
                              results_rows=frame.height, results_sha256=sha256_hex(blob), packed=pack_data(data))


def test_stage_then_commit_records_the_close(ledger):
    staged = _staged(ledger)
    entry = ledger.commit_close(staged, make_record(data=DATA))
    assert entry.seq == staged.seq == 1
    assert ledger.load_results(entry).equals(results_frame()) and ledger.load_data(entry) == DATA
    assert ledger.verify_chain() == []


def test_an_aborted_stage_leaves_nothing(ledger):
    _staged(ledger)
    ledger.abort_close()
    assert ledger.entries() == [] and ledger._rows("SELECT count(*) FROM close_blobs") == [(0,)]
    entry = ledger.record_close(make_record(data=DATA), results_frame())  # and the period can still be closed
    assert entry.seq == 1


def test_stage_refuses_results_that_are_not_the_parquet_they_claim(ledger):
    with pytest.raises(ValueError, match="not a Parquet file"):
        ledger.stage_close("sales-rep", "2026-Q3", 8106, history_hashes={}, results_blob=b"", results_rows=3,
                           results_sha256="00" * 32, packed=pack_data(DATA))
    assert not ledger._con.in_transaction


def test_commit_refuses_a_record_for_another_period_and_rolls_back(ledger):
    staged = _staged(ledger)
    with pytest.raises(ValueError, match="staged blobs"):
        ledger.commit_close(staged, make_record("2026-Q4", 8107, data=DATA))
    assert ledger.entries() == [] and ledger._rows("SELECT count(*) FROM close_blobs") == [(0,)]
