"""A close recorded in two steps: the large blobs first, while the other
outputs are still being written, the entry (which names every output's hash)
last.

``Ledger.stage_close`` takes the write lock and stores the blobs;
``StagedClose`` holds that transaction until ``commit`` adds the entry or
``abort`` rolls everything back. The data file is packed (``pack_data``)
before, on a side thread, while the close evaluates.
"""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from incentive.ledger import codec
from incentive.ledger.chain import canonical_json, sha256_hex
from incentive.ledger.errors import LedgerError, close_not_recorded
from incentive.ledger.records import CloseRecord, LedgerEntry, check_record

if TYPE_CHECKING:
    from incentive.ledger.store import Ledger


@dataclass(frozen=True)
class PackedData:
    """A period data file ready for the ledger: packed, and both forms hashed."""

    blob: bytes
    size: int
    sha256: str  # of the file's bytes
    blob_sha256: str  # of the stored blob


def pack_data(data: bytes, sha256: str | None = None) -> PackedData:
    """Compress and hash (both release the GIL: this runs beside other work).
    ``sha256`` may pass the data's hash when the caller computed it already."""
    blob = codec.pack(data)
    return PackedData(blob=blob, size=len(data), sha256=sha256 or sha256_hex(data), blob_sha256=sha256_hex(blob))


def check_parquet(blob: bytes, rows: int) -> None:
    """Cheap sanity check of caller-supplied Parquet bytes (footer metadata only)."""
    if not (blob[:4] == b"PAR1" and blob[-4:] == b"PAR1"):
        raise ValueError("results_parquet is not a Parquet file")
    stored = pl.scan_parquet(io.BytesIO(blob)).select(pl.len()).collect().item()
    if stored != rows:
        raise ValueError(f"results_parquet holds {stored} rows, the results frame {rows}")


def insert_blobs(con: sqlite3.Connection, seq: int, results_blob: bytes, data_blob: bytes) -> None:
    """Reserve the blobs, then write them in place (incremental blob I/O): half
    the time of binding them, which copies a hundred megabytes once more."""
    con.execute("INSERT INTO close_blobs (seq, results, data) VALUES (?, zeroblob(?), zeroblob(?))",
                (seq, len(results_blob), len(data_blob)))
    for column, blob in (("results", results_blob), ("data", data_blob)):
        if blob:
            with con.blobopen("close_blobs", column, seq) as handle:
                handle.write(blob)


class StagedClose:
    """A close in the making (``Ledger.stage_close``): the write lock is held
    and the blobs are written; ``commit`` records the entry, ``abort`` undoes
    everything. Exactly one of them must be called."""

    def __init__(self, ledger: Ledger, seq: int, policy_id: str, period: str, period_ordinal: int,
                 history_hashes: dict[int, str], results_sha256: str, results_rows: int, packed: PackedData):
        self._ledger = ledger
        self.seq = seq
        self._key = (policy_id, period, period_ordinal)
        self._history = history_hashes
        self._results = (results_sha256, results_rows)
        self._packed = packed
        self._flush = _Flush(ledger.path)
        self._open = True

    def commit(self, entry: CloseRecord) -> LedgerEntry:
        """Add the entry for ``entry`` (the same close the blobs were staged
        for) and commit: durable when this returns."""
        if not self._open:
            raise ValueError("this staged close was already committed or aborted")
        ledger = self._ledger
        try:
            check_record(entry)
            if (entry.policy_id, entry.period, entry.period_ordinal) != self._key \
                    or dict(entry.history_hashes) != self._history:
                raise ValueError("the close record is not the close that was staged")
            packed = self._packed
            if packed.sha256 != entry.data_sha256 or packed.size != len(entry.data_bytes):
                raise ValueError(f"data_sha256 {entry.data_sha256} is not the sha256 of data_bytes as staged "
                                 f"({packed.sha256})")
            fields: dict[str, Any] = {
                "seq": None, "kind": "close", "policy_id": entry.policy_id, "period": entry.period,
                "period_ordinal": entry.period_ordinal, "policy_version": entry.policy_version,
                "policy_sha256": entry.policy_sha256, "policy_text": entry.policy_text,
                "data_sha256": entry.data_sha256, "data_name": entry.data_name, "data_size": packed.size,
                "data_compression": codec.DEFAULT, "data_blob_sha256": packed.blob_sha256,
                "results_sha256": self._results[0], "results_rows": self._results[1],
                "outputs": canonical_json(dict(entry.outputs)), "engine_version": entry.engine_version,
                "totals": canonical_json(dict(entry.totals)),
                "history": canonical_json(sorted([int(o), h] for o, h in entry.history_hashes.items())),
                "actor": entry.closed_by, "at": entry.closed_at, "reason": None, "reopens": None,
            }
            seq = ledger._append(fields)
            if seq != self.seq:  # impossible under the write lock; refuse rather than mis-link blobs
                raise LedgerError(f"{ledger.path}: the ledger changed under the write lock; nothing was recorded")
            self._flush.wait()
            ledger._con.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            self.abort()
            raise close_not_recorded(ledger.path, entry.policy_id, entry.period, exc) from None
        except BaseException:
            self.abort()
            raise
        self._done()
        return ledger._entry_at(seq)

    def abort(self) -> None:
        """Roll the staged close back: nothing of it stays in the ledger."""
        if self._open:
            self._ledger._rollback()
            self._done()

    def _done(self) -> None:
        self._open = False
        self._flush.close()


class _Flush:
    """Flush the ledger file's written pages to disk on a side thread, so the
    commit's own fsync finds little left to write.

    The file is opened once more for this. Closing a descriptor drops every
    POSIX lock the process holds on the file -- SQLite's too -- so this one
    is closed only once the transaction has ended (``close``)."""

    def __init__(self, path: Path):
        self._fd: int | None = None
        self._thread: threading.Thread | None = None
        try:
            self._fd = os.open(path, os.O_RDONLY)
        except OSError:
            return  # the commit's fsync does it all
        self._thread = threading.Thread(target=self._run, args=(self._fd,), name="incentive-ledger-flush",
                                        daemon=True)
        self._thread.start()

    @staticmethod
    def _run(fd: int) -> None:
        with contextlib.suppress(OSError):  # only an early start: the commit's fsync is what counts
            os.fsync(fd)

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def close(self) -> None:
        self.wait()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
