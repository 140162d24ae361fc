"""The ledger: one SQLite file recording every period close and reopen.

Why SQLite: one file, transactional, safe under concurrent processes
(``BEGIN IMMEDIATE`` serializes writers, so two closes of one period cannot
both succeed), readable by any tool. The file keeps, per close, the policy
text and data file exactly as evaluated, the per-person results (Parquet, so
decimals round-trip exactly) used by history rules, and the sha256 of every
output. Rows are append-only and hash-chained (``chain``); a reopen is a new
row, so the history of a period is never rewritten.

Journal mode is the rollback journal (``DELETE``) with ``synchronous=FULL``:
a commit is durable when it returns, a crash mid-transaction is rolled back
on the next open, there are no ``-wal`` / ``-shm`` side files to lose or
copy, read-only opens (``verify``) need no write access, and large results
blobs are written once (WAL writes them twice). Pages are 64 KiB because the
rows are mostly large blobs. See docs/ledger.md.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Literal, Mapping, Sequence
from urllib.parse import quote

import polars as pl

from incentive.errors import IncentiveError, UsageError
from incentive.ledger import codec
from incentive.ledger.chain import ENTRY_COLUMNS, GENESIS, HASHED_COLUMNS, canonical_json, entry_hash, sha256_hex

SCHEMA_VERSION = 1
DEFAULT_PATH = Path("incentive-ledger.sqlite")
ENV_VAR = "INCENTIVE_LEDGER"
PAGE_SIZE = 65536
#: the JSON text cells of an entry (outputs, totals, history) are a few kilobytes; never parse more than this
MAX_JSON_CELL = 16 * 1024 * 1024

_TABLES = """
CREATE TABLE ledger_schema (version INTEGER NOT NULL);
CREATE TABLE entries (
    seq              INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('close', 'reopen')),
    policy_id        TEXT NOT NULL,
    period           TEXT NOT NULL,
    period_ordinal   INTEGER NOT NULL,
    policy_version   TEXT,
    policy_sha256    TEXT,
    policy_text      TEXT,
    data_sha256      TEXT,
    data_name        TEXT,
    data_size        INTEGER,
    data_compression TEXT,
    data_blob_sha256 TEXT,
    results_sha256   TEXT,
    results_rows     INTEGER,
    outputs          TEXT,
    engine_version   TEXT,
    totals           TEXT,
    history          TEXT,
    actor            TEXT NOT NULL,
    at               TEXT NOT NULL,
    reason           TEXT,
    reopens          INTEGER REFERENCES entries (seq),
    prev_hash        TEXT NOT NULL,
    entry_hash       TEXT NOT NULL UNIQUE
);
CREATE INDEX entries_by_period ON entries (policy_id, period, seq);
CREATE INDEX entries_by_ordinal ON entries (policy_id, period_ordinal, seq);
CREATE TABLE close_blobs (
    seq     INTEGER PRIMARY KEY REFERENCES entries (seq),
    results BLOB NOT NULL,
    data    BLOB NOT NULL
)"""
# Rows are append-only: the hash chain detects any edit, these triggers refuse
# accidental ones (a deliberate tamperer can drop them; the chain still tells).
_TRIGGERS = tuple(
    f"CREATE TRIGGER {table}_append_only_{op[0].lower()} BEFORE {op} ON {table} "
    "BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END"
    for table in ("entries", "close_blobs") for op in ("UPDATE", "DELETE"))
_DDL: tuple[str, ...] = (*_TABLES.strip().split(";\n"), *_TRIGGERS)


# --------------------------------------------------------------------------- errors

class LedgerError(IncentiveError):
    """The ledger cannot be used for this (missing, not a ledger, busy, damaged...)."""


class PeriodAlreadyClosed(LedgerError):
    """The period is closed; it must be reopened (with a reason) to close it again."""

    def __init__(self, entry: "LedgerEntry"):
        self.entry = entry
        super().__init__(
            f"{entry.policy_id} period {entry.period} is already closed: closed {entry.at} by {entry.by} "
            f"(ledger entry {entry.seq}, policy version {entry.policy_version}, data {entry.data_name}). "
            f"Reopen it with a reason to close it again.")


class PeriodNotClosed(LedgerError):
    """A reopen of a period that is not currently closed."""


class HistoryChanged(LedgerError):
    """A history period the close was evaluated with was reopened in the meantime."""


class LedgerWriteError(LedgerError, sqlite3.OperationalError):
    """SQLite refused a write (disk full, I/O error...) and the transaction was
    rolled back: a message and exit 2, and still the ``sqlite3`` error it was."""


# --------------------------------------------------------------------------- records

@dataclass(frozen=True)
class CloseRecord:
    """What the caller knows about a close; the ledger adds seq and hashes.

    ``policy_sha256`` is the sha256 of the policy file's bytes, ``policy_text``
    that file as evaluated; ``data_sha256`` must be the sha256 of
    ``data_bytes``. ``history_hashes`` maps the ordinal of each earlier period
    whose results the evaluation read (``Ledger.history_entries``) to that
    close's ``entry_hash``, so ``verify`` can re-run with the same history.
    """

    policy_id: str
    period: str
    period_ordinal: int
    policy_version: str
    policy_sha256: str
    policy_text: str
    data_sha256: str
    data_bytes: bytes
    data_name: str
    outputs: Mapping[str, str]
    engine_version: str
    closed_by: str
    closed_at: str
    totals: Mapping[str, Any] = field(default_factory=dict)
    history_hashes: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LedgerEntry:
    """One ledger row: a close (``kind == "close"``) or a reopen."""

    seq: int
    kind: Literal["close", "reopen"]
    policy_id: str
    period: str
    period_ordinal: int
    by: str
    at: str
    prev_hash: str
    entry_hash: str
    policy_version: str | None = None
    policy_sha256: str | None = None
    policy_text: str | None = None
    data_sha256: str | None = None
    data_name: str | None = None
    data_size: int | None = None
    results_sha256: str | None = None
    results_rows: int | None = None
    outputs: dict[str, str] = field(default_factory=dict)
    engine_version: str | None = None
    totals: dict[str, Any] = field(default_factory=dict)
    history_hashes: dict[int, str] = field(default_factory=dict)
    reason: str | None = None
    reopens: int | None = None

    @property
    def closed_by(self) -> str:
        return self.by

    @property
    def closed_at(self) -> str:
        return self.at

    def describe(self) -> str:
        return f"entry {self.seq} ({self.policy_id} {self.period})"

    def same_inputs(self, policy_sha256: str, data_sha256: str) -> bool:
        """True when a re-close would evaluate exactly what this close did."""
        return self.kind == "close" and self.policy_sha256 == policy_sha256 and self.data_sha256 == data_sha256


@dataclass(frozen=True)
class PeriodStatus:
    """Where a period stands: never closed, closed, or reopened (and open again)."""

    policy_id: str
    period: str
    state: Literal["open", "closed", "reopened"]
    current: LedgerEntry | None
    events: tuple[LedgerEntry, ...]


def resolve_path(option: str | os.PathLike | None = None) -> Path:
    """``--ledger`` if given, else ``$INCENTIVE_LEDGER``, else ``incentive.toml``'s ``ledger``, else
    ``./incentive-ledger.sqlite`` (``incentive.settings.resolve_ledger``, which also says which)."""
    from incentive.settings import resolve_ledger

    return resolve_ledger(option).path


def utc_now() -> str:
    """The current time as ISO-8601 UTC to the second, e.g. ``2026-07-01T09:00:00Z``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- the ledger

_SELECT = ", ".join(ENTRY_COLUMNS)


class Ledger:
    """A ledger file. ``readonly=True`` opens an existing file without write access."""

    def __init__(self, path: str | os.PathLike, *, readonly: bool = False, timeout: float = 60.0):
        self.path = Path(path)
        self.readonly = readonly
        self.created = False  # True when this open created the file (callers announce it)
        self._timeout = timeout
        if self.path.is_dir():
            raise LedgerError(f"{self.path}: is a directory, not a ledger file")
        if readonly and not self.path.exists():
            raise LedgerError(f"{self.path}: no ledger here (nothing has been closed with this ledger path)")
        if not readonly:
            self._create_file()
        try:
            self._con = self._connect(readonly)
            try:
                self._init_schema()
            except sqlite3.OperationalError as exc:
                if not (readonly and _hot_journal(exc)):
                    raise
                self._con.close()
                self._recover_journal()  # a killed writer left its rollback journal: roll it back, then read
                self._con = self._connect(readonly)
                self._init_schema()
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{self.path}: not a usable incentive ledger ({exc})") from None

    # -- connection

    def _create_file(self) -> None:
        # through a symlink too: O_EXCL does not follow a link, so create its target (owner-only)
        real = Path(os.path.realpath(self.path))
        if not real.parent.exists():
            raise LedgerError(f"{self.path}: directory {real.parent} does not exist")
        try:
            fd = os.open(real, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return
        except OSError as exc:
            raise LedgerError(f"{self.path}: cannot create the ledger ({exc.strerror})") from None
        try:
            os.fchmod(fd, 0o600)  # whatever the umask: the ledger holds pay data
        finally:
            os.close(fd)
        self.created = True

    def _recover_journal(self) -> None:
        """Roll back the hot journal a killed writer left, for a read-only open.

        Reading needs no write access, but SQLite must first restore the
        pages the journal holds, which needs write access to the file and its
        folder. With it, one read on a read-write connection does the
        rollback (nothing else is written); without it, say what to run."""
        journal = Path(f"{self.path}-journal")
        folder = self.path.absolute().parent
        if not (os.access(self.path, os.W_OK) and os.access(folder, os.W_OK)):
            raise LedgerError(
                f"{self.path}: an unfinished transaction of a killed close is still in {journal}; it must be "
                f"rolled back before the ledger can be read, which needs write access to {self.path} and "
                f"{folder}. Run `incentive verify --ledger {self.path}` as a user who may write there "
                "(nothing else is changed)")
        uri = f"file:{quote(str(self.path.absolute()))}?mode=rw"
        con = sqlite3.connect(uri, uri=True, timeout=self._timeout, isolation_level=None)
        try:
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            con.close()

    def _connect(self, readonly: bool, *, raw_text: bool = False) -> sqlite3.Connection:
        if readonly:
            uri = f"file:{quote(str(self.path.absolute()))}?mode=ro"
            con = sqlite3.connect(uri, uri=True, timeout=self._timeout, isolation_level=None)
        else:
            con = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None)
            con.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # effective only while the file is empty
            con.execute("PRAGMA journal_mode = DELETE")
            con.execute("PRAGMA synchronous = FULL")
        con.execute("PRAGMA foreign_keys = ON")
        if raw_text:
            con.text_factory = bytes
        return con

    def _init_schema(self) -> None:
        con = self._con
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "ledger_schema" not in tables:
            if tables:
                raise LedgerError(f"{self.path}: an SQLite file, but not an incentive ledger")
            if self.readonly:
                raise LedgerError(f"{self.path}: an empty file, not an incentive ledger")
            self._begin()
            try:
                # re-check under the write lock: a concurrent opener may have won
                if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'ledger_schema'").fetchone():
                    for statement in _DDL:
                        con.execute(statement)
                    con.execute("INSERT INTO ledger_schema (version) VALUES (?)", (SCHEMA_VERSION,))
                con.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
        row = con.execute("SELECT max(version) FROM ledger_schema").fetchone()
        version = row[0] if row else None
        if version != SCHEMA_VERSION:
            raise LedgerError(f"{self.path}: ledger schema version {version} is not supported by this "
                              f"incentive (it reads version {SCHEMA_VERSION})")

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _begin(self) -> None:
        try:
            self._con.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "locked" in text or "busy" in text:
                raise LedgerError(f"{self.path}: the ledger is busy ({exc}); another close is writing -- "
                                  "try again") from None
            # a full disk, a read-only file system, an I/O error: say what it is, not "busy"
            raise LedgerError(f"{self.path}: the ledger cannot be written ({exc}); nothing was recorded") from None

    def _rollback(self) -> None:
        if self._con.in_transaction:
            try:
                self._con.execute("ROLLBACK")
            except sqlite3.DatabaseError:
                pass  # SQLite already rolled back (or will, from the journal, on the next open)

    def _writable(self) -> None:
        if self.readonly:
            raise LedgerError(f"{self.path}: opened read-only")

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        try:
            return self._con.execute(sql, tuple(params)).fetchall()
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{self.path}: the ledger cannot be read ({exc}); run `incentive verify`") from None

    def _entries_where(self, where: str, params: Iterable[Any] = ()) -> list[LedgerEntry]:
        rows = self._rows(f"SELECT {_SELECT} FROM entries WHERE {where} ORDER BY seq", params)
        return [self._entry(r) for r in rows]

    def _entry(self, row: Sequence[Any]) -> LedgerEntry:
        v = dict(zip(ENTRY_COLUMNS, row))
        try:
            outputs = _json_cell(v["outputs"], dict, "outputs", "an object of file name -> sha256")
            totals = _json_cell(v["totals"], dict, "totals", "an object")
            pairs = _json_cell(v["history"], list, "history", "a list of [ordinal, entry hash]")
            if not all(isinstance(h, str) for h in outputs.values()):
                raise ValueError("column outputs: expected an object of file name -> sha256")
            if not all(isinstance(p, list) and len(p) == 2 and isinstance(p[1], str) for p in pairs):
                raise ValueError("column history: expected a list of [ordinal, entry hash]")
            history = {int(o): h for o, h in pairs}
        except (ValueError, TypeError, RecursionError) as exc:
            raise LedgerError(f"{self.path}: entry {v['seq']} cannot be read ({exc}); run `incentive verify`") from None
        return LedgerEntry(
            seq=v["seq"], kind=v["kind"], policy_id=v["policy_id"], period=v["period"],
            period_ordinal=v["period_ordinal"], by=v["actor"], at=v["at"], prev_hash=v["prev_hash"],
            entry_hash=v["entry_hash"], policy_version=v["policy_version"], policy_sha256=v["policy_sha256"],
            policy_text=v["policy_text"], data_sha256=v["data_sha256"], data_name=v["data_name"],
            data_size=v["data_size"], results_sha256=v["results_sha256"], results_rows=v["results_rows"],
            outputs=outputs, engine_version=v["engine_version"], totals=totals, history_hashes=history,
            reason=v["reason"], reopens=v["reopens"])

    # -- reading

    def head(self) -> str:
        """The newest entry hash (``GENESIS`` when empty): record it outside the
        ledger (e.g. in the close's manifest) to detect truncation later."""
        rows = self._rows("SELECT entry_hash FROM entries ORDER BY seq DESC LIMIT 1")
        return rows[0][0] if rows else GENESIS

    def entries(self, policy_id: str | None = None) -> list[LedgerEntry]:
        """Every entry (of one policy, if given) in insertion order."""
        if policy_id is None:
            return self._entries_where("1")
        return self._entries_where("policy_id = ?", (policy_id,))

    def find(self, entry_hash_: str) -> LedgerEntry | None:
        """The entry with this hash, if any."""
        found = self._entries_where("entry_hash = ?", (entry_hash_,))
        return found[0] if found else None

    def status(self, policy_id: str, period: str) -> PeriodStatus:
        events = tuple(self._entries_where("policy_id = ? AND period = ?", (policy_id, period)))
        if not events:
            return PeriodStatus(policy_id, period, "open", None, events)
        last = events[-1]
        if last.kind == "close":
            return PeriodStatus(policy_id, period, "closed", last, events)
        return PeriodStatus(policy_id, period, "reopened", None, events)

    def get_close(self, policy_id: str, period: str) -> LedgerEntry | None:
        """The current close of a period (None if never closed or reopened since)."""
        return self.status(policy_id, period).current

    def closes_with_data(self, policy_id: str, data_sha256: str) -> list[LedgerEntry]:
        """Current closes of the policy's periods that evaluated a data file with this sha256."""
        return self._entries_where(
            "policy_id = ? AND data_sha256 = ? AND kind = 'close' AND seq = (SELECT max(x.seq) FROM entries x "
            "WHERE x.policy_id = entries.policy_id AND x.period = entries.period)", (policy_id, data_sha256))

    def begin_close(self, policy_id: str, period: str) -> None:
        """Fail fast, before evaluating, when the period is already closed.

        ``record_close`` checks again under the write lock; a caller that wants
        "identical re-close is a no-op" looks at ``get_close(...).same_inputs``.
        """
        current = self.get_close(policy_id, period)
        if current is not None:
            raise PeriodAlreadyClosed(current)

    def _current_closes(self, policy_id: str, lo: int, hi: int) -> list[LedgerEntry]:
        """Current closes of the policy's periods with lo <= ordinal < hi."""
        return self._entries_where(
            "policy_id = ? AND period_ordinal >= ? AND period_ordinal < ? AND kind = 'close' "
            "AND seq = (SELECT max(x.seq) FROM entries x WHERE x.policy_id = entries.policy_id "
            "AND x.period = entries.period)", (policy_id, lo, hi))

    def history_entries(self, policy_id: str, before_ordinal: int, depth: int) -> dict[int, LedgerEntry]:
        """Current closes of the ``depth`` periods before ``before_ordinal``, by ordinal."""
        if depth <= 0:
            return {}
        return {e.period_ordinal: e for e in self._current_closes(policy_id, before_ordinal - depth, before_ordinal)}

    def history(self, policy_id: str, before_ordinal: int, depth: int, *,
                columns: Sequence[str] | None = None) -> dict[int, pl.DataFrame]:
        """Results of the current closes of the ``depth`` periods before
        ``before_ordinal`` (missing periods absent). ``columns`` limits what is
        read; columns a period does not have are left out."""
        return {o: self.load_results(e, columns=columns)
                for o, e in self.history_entries(policy_id, before_ordinal, depth).items()}

    def recorded_history(self, entry: LedgerEntry, *, columns: Sequence[str] | None = None) -> dict[int, pl.DataFrame]:
        """The history a close was evaluated with (its ``history_hashes``), even
        where those periods have been reopened and closed again since."""
        out: dict[int, pl.DataFrame] = {}
        for ordinal, h in sorted(entry.history_hashes.items()):
            used = self.find(h)
            if used is None:
                raise LedgerError(f"{self.path}: {entry.describe()} used history entry {h[:12]}…, "
                                  "which is not in this ledger")
            out[ordinal] = self.load_results(used, columns=columns)
        return out

    def _blob(self, entry: LedgerEntry, column: str) -> bytes:
        if entry.kind != "close":
            raise ValueError(f"{entry.describe()} is a {entry.kind}; it has no stored results")
        rows = self._rows(f"SELECT {column} FROM close_blobs WHERE seq = ?", (entry.seq,))
        if not rows or not isinstance(rows[0][0], bytes):
            raise LedgerError(f"{self.path}: {entry.describe()}: stored {column} missing; run `incentive verify`")
        return rows[0][0]

    def load_results(self, entry: LedgerEntry, *, columns: Sequence[str] | None = None) -> pl.DataFrame:
        """A close's per-person results, checked against their recorded sha256,
        every decimal in the engine's type (the audit stores narrower ones)."""
        from incentive.numeric import DTYPE
        from incentive.output.tables import widen_decimals

        blob = self._blob(entry, "results")
        if sha256_hex(blob) != entry.results_sha256:
            raise LedgerError(f"{self.path}: {entry.describe()}: stored results do not match their hash "
                              "-- tampered; run `incentive verify`")
        source = io.BytesIO(blob)
        if columns is not None:
            present = set(pl.read_parquet_schema(source))
            columns = [c for c in columns if c in present]
            source.seek(0)
        return widen_decimals(pl.read_parquet(source, columns=columns), DTYPE)

    def load_data(self, entry: LedgerEntry) -> bytes:
        """The period data file's bytes exactly as that close evaluated them."""
        blob = self._blob(entry, "data")
        method = self._rows("SELECT data_compression FROM entries WHERE seq = ?", (entry.seq,))[0][0]
        try:
            data = codec.unpack(blob, method, entry.data_size)
        except codec.CodecError:
            data = b""
        if sha256_hex(data) != entry.data_sha256:
            raise LedgerError(f"{self.path}: {entry.describe()}: stored data do not match their hash "
                              "-- tampered; run `incentive verify`")
        return data

    # -- writing

    def record_close(self, entry: CloseRecord, results: pl.DataFrame, *,
                     results_parquet: bytes | None = None, results_sha256: str | None = None,
                     packed_data: "PackedData | None" = None) -> LedgerEntry:
        """Record a close in one ``BEGIN IMMEDIATE`` transaction.

        ``results_parquet`` may pass the bytes of the close's audit Parquet
        file (``results`` written by ``output.tables.write_audit``): they
        are stored as they are instead of encoding ``results`` a second time,
        and the manifest's sha256 of that file then equals ``results_sha256``
        (which the caller may pass along when it hashed those bytes already).
        ``packed_data`` may pass ``pack_data(entry.data_bytes)`` computed
        earlier (a close packs the data while it evaluates).

        Raises ``PeriodAlreadyClosed`` if the period is closed (also when a
        concurrent close won the race), ``HistoryChanged`` if a history period
        the evaluation used was reopened meanwhile. Nothing is recorded unless
        everything is. ``stage_close`` does the same in two steps.
        """
        self._writable()
        _check_record(entry)
        # The expensive part runs before taking the write lock: Parquet encoding
        # here, data compression and hashing on a second thread.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(pack_data, entry.data_bytes) if packed_data is None else None
            if results_parquet is None:
                results_blob = _results_blob(results)
            else:
                results_blob = results_parquet if isinstance(results_parquet, bytes) else bytes(results_parquet)
            known = results_sha256 if results_parquet is not None else None
            results_sha = known or sha256_hex(results_blob)
            packed = pending.result() if pending is not None else packed_data
        staged = self.stage_close(entry.policy_id, entry.period, entry.period_ordinal,
                                  history_hashes=entry.history_hashes, results_parquet=results_blob,
                                  results_sha256=results_sha, results_rows=results.height, packed_data=packed)
        return staged.commit(entry)

    def stage_close(self, policy_id: str, period: str, period_ordinal: int, *, history_hashes: Mapping[int, str],
                    results_parquet: bytes, results_sha256: str, results_rows: int,
                    packed_data: "PackedData") -> "StagedClose":
        """Start recording a close whose outputs are still being written.

        Takes the write lock (``BEGIN IMMEDIATE``), makes the checks
        ``record_close`` makes, writes the two large blobs (the audit record
        and the packed data) and starts flushing them to disk on a side
        thread. ``StagedClose.commit`` later adds the entry, which names every
        output's hash, and commits; ``abort`` rolls everything back. The
        foreign key from the blobs to their entry is checked at commit
        (``defer_foreign_keys``), so nothing half-recorded can ever be
        committed. Meanwhile a concurrent close of any period waits for the
        lock, as it would for ``record_close``.
        """
        self._writable()
        _check_parquet(results_parquet, results_rows)
        self._begin()
        try:
            current = self._current_close(policy_id, period)
            if current is not None:
                raise PeriodAlreadyClosed(current)
            self._check_ordinal(policy_id, period, period_ordinal)
            self._check_history(policy_id, period, history_hashes)
            tail = self._rows("SELECT max(seq) FROM entries")
            seq = (tail[0][0] or 0) + 1 if tail else 1
            self._con.execute("PRAGMA defer_foreign_keys = ON")  # reset by SQLite at COMMIT / ROLLBACK
            _insert_blobs(self._con, seq, results_parquet, packed_data.blob)
        except sqlite3.DatabaseError as exc:  # disk full, I/O error...: a message, not a traceback
            self._rollback()
            raise _close_not_recorded(self.path, policy_id, period, exc) from None
        except BaseException:
            self._rollback()
            raise
        return StagedClose(self, seq, policy_id, period, period_ordinal, dict(history_hashes), results_sha256,
                           results_rows, packed_data)

    def reopen(self, policy_id: str, period: str, reason: str, by: str, *, at: str | None = None) -> LedgerEntry:
        """Unlock a closed period; the reopen (who, when, why) is itself an entry."""
        self._writable()
        reason = (reason or "").strip()
        if not reason:
            raise UsageError(f"reopening {policy_id} period {period} needs a reason (it is recorded in the ledger)")
        if not (by or "").strip():
            raise UsageError(f"reopening {policy_id} period {period} needs the name of who reopens it")
        self._begin()
        try:
            current = self._current_close(policy_id, period)
            if current is None:
                raise PeriodNotClosed(f"{policy_id} period {period} is not closed; there is nothing to reopen")
            fields: dict[str, Any] = {c: None for c in HASHED_COLUMNS}
            fields.update(kind="reopen", policy_id=policy_id, period=period,
                          period_ordinal=current.period_ordinal, actor=by.strip(), at=at or utc_now(),
                          reason=reason, reopens=current.seq)
            seq = self._append(fields)
            self._con.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            self._rollback()
            raise LedgerWriteError(f"{self.path}: cannot record the reopen of {policy_id} period {period} ({exc}); "
                              "nothing was recorded") from None
        except BaseException:
            self._rollback()
            raise
        return self._entries_where("seq = ?", (seq,))[0]

    def _current_close(self, policy_id: str, period: str) -> LedgerEntry | None:
        last = self._entries_where(
            "seq = (SELECT max(seq) FROM entries WHERE policy_id = ? AND period = ?)", (policy_id, period))
        return last[0] if last and last[0].kind == "close" else None

    def _check_ordinal(self, policy_id: str, period: str, ordinal: int) -> None:
        clash = self._rows(
            "SELECT period, period_ordinal FROM entries WHERE policy_id = ? AND "
            "((period = ? AND period_ordinal != ?) OR (period != ? AND period_ordinal = ?)) LIMIT 1",
            (policy_id, period, ordinal, period, ordinal))
        if clash:
            other, other_ordinal = clash[0]
            raise LedgerError(f"{self.path}: {policy_id} period {period} (ordinal {ordinal}) clashes with period "
                              f"{other} (ordinal {other_ordinal}) already in the ledger; a policy id must keep "
                              "one period unit -- use a new policy id when the period unit changes")

    def _check_history(self, policy_id: str, period: str, history_hashes: Mapping[int, str]) -> None:
        for ordinal, h in sorted(history_hashes.items()):
            used = self.find(h)
            if used is None or used.kind != "close" or used.policy_id != policy_id \
                    or used.period_ordinal != int(ordinal):
                raise LedgerError(f"{self.path}: history entry {h[:12]}… for ordinal {ordinal} is not a close of "
                                  f"{policy_id} in this ledger")
            now = self._current_close(used.policy_id, used.period)
            if now is None or now.seq != used.seq:
                raise HistoryChanged(
                    f"cannot record {policy_id} period {period}: the history it was evaluated with "
                    f"changed meanwhile ({used.policy_id} period {used.period} was reopened or closed again); "
                    "run the close again")

    def _append(self, fields: dict[str, Any]) -> int:
        """Insert one entry at the end of the chain; the caller holds the write lock."""
        tail = self._rows("SELECT seq, entry_hash FROM entries ORDER BY seq DESC LIMIT 1")
        seq, prev = (tail[0][0] + 1, tail[0][1]) if tail else (1, GENESIS)
        fields = {**fields, "seq": seq}
        values = {**fields, "prev_hash": prev, "entry_hash": entry_hash(fields, prev)}
        placeholders = ", ".join("?" for _ in ENTRY_COLUMNS)
        self._con.execute(f"INSERT INTO entries ({_SELECT}) VALUES ({placeholders})",
                          tuple(values[c] for c in ENTRY_COLUMNS))
        return seq

    # -- verification

    def verify_chain(self) -> list[str]:
        """Recompute every entry hash, blob hash and chain link; [] when intact.

        Opens its own read-only connection that reads text as raw bytes, so a
        tampered, non-UTF-8 cell is reported rather than crashing.
        """
        from incentive.ledger.integrity import verify_connection

        con = self._connect(True, raw_text=True)
        try:
            return verify_connection(con)
        except sqlite3.DatabaseError as exc:
            return [f"{self.path}: the ledger cannot be read ({exc}) -- damaged"]
        finally:
            con.close()


# --------------------------------------------------------------------------- helpers

def _json_cell(text: Any, kind: type, column: str, expected: str) -> Any:
    """A JSON text cell of an entry, of the shape ``kind`` (empty: an empty one)."""
    if not text:
        return kind()
    if not isinstance(text, str) or len(text) > MAX_JSON_CELL:
        raise ValueError(f"column {column}: expected {expected} as JSON text of at most {MAX_JSON_CELL:,} characters")
    value = json.loads(text)
    if not isinstance(value, kind):
        raise ValueError(f"column {column}: expected {expected}, got {type(value).__name__}")
    return value


def _hot_journal(exc: sqlite3.OperationalError) -> bool:
    """A read-only connection met a hot rollback journal (SQLITE_READONLY_ROLLBACK)."""
    return getattr(exc, "sqlite_errorname", "") == "SQLITE_READONLY_ROLLBACK" or "readonly database" in str(exc)


def _check_record(entry: CloseRecord) -> None:
    for name in ("policy_id", "period", "closed_by", "closed_at", "policy_sha256", "data_sha256"):
        value = getattr(entry, name)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"CloseRecord.{name} must be a non-empty string")
    if isinstance(entry.period_ordinal, bool) or not isinstance(entry.period_ordinal, int):
        raise ValueError("CloseRecord.period_ordinal must be an int")
    if not isinstance(entry.data_bytes, (bytes, bytearray, memoryview)):
        raise ValueError("CloseRecord.data_bytes must be bytes")


def _results_blob(results: pl.DataFrame) -> bytes:
    from incentive.output.tables import parquet_bytes

    return parquet_bytes(results)


def _check_parquet(blob: bytes, rows: int) -> None:
    """Cheap sanity check of caller-supplied Parquet bytes (footer metadata only)."""
    if not (blob[:4] == b"PAR1" and blob[-4:] == b"PAR1"):
        raise ValueError("results_parquet is not a Parquet file")
    stored = pl.scan_parquet(io.BytesIO(blob)).select(pl.len()).collect().item()
    if stored != rows:
        raise ValueError(f"results_parquet holds {stored} rows, the results frame {rows}")


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


def _close_not_recorded(path: Path, policy_id: str, period: str, exc: sqlite3.DatabaseError) -> LedgerWriteError:
    return LedgerWriteError(f"{path}: cannot record the close of {policy_id} period {period} ({exc}); "
                            "nothing was recorded")


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
            _check_record(entry)
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
            raise _close_not_recorded(ledger.path, entry.policy_id, entry.period, exc) from None
        except BaseException:
            self.abort()
            raise
        self._done()
        return ledger._entries_where("seq = ?", (seq,))[0]

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
        self._thread = threading.Thread(target=self._run, name="incentive-ledger-flush", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with contextlib.suppress(OSError):  # only an early start: the commit's fsync is what counts
            os.fsync(self._fd)  # type: ignore[arg-type]

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def close(self) -> None:
        self.wait()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _insert_blobs(con: sqlite3.Connection, seq: int, results_blob: bytes, data_blob: bytes) -> None:
    """Reserve the blobs, then write them in place (incremental blob I/O): half
    the time of binding them, which copies a hundred megabytes once more."""
    con.execute("INSERT INTO close_blobs (seq, results, data) VALUES (?, zeroblob(?), zeroblob(?))",
                (seq, len(results_blob), len(data_blob)))
    for column, blob in (("results", results_blob), ("data", data_blob)):
        if blob:
            with con.blobopen("close_blobs", column, seq) as handle:
                handle.write(blob)
