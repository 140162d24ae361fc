"""The ledger: one SQLite file recording every period close and reopen.

Why SQLite: one file, transactional, safe under concurrent processes
(``BEGIN IMMEDIATE`` serializes writers, so two closes of one period cannot
both succeed), readable by any tool. The file keeps, per close, the policy
text and data file exactly as evaluated, the per-person results (Parquet, so
decimals round-trip exactly) used by history rules, and the sha256 of every
output. Rows are append-only and hash-chained (``chain``); a reopen is a new
row, so the history of a period is never rewritten.

This module is the ``Ledger`` and its queries; the file's tables and pragmas
are in ``schema``, the records in ``records``, a close's two-step write in
``staging``. See docs/ledger.md.
"""

from __future__ import annotations

import io
import os
import sqlite3
from pathlib import Path
from types import TracebackType
from typing import Any, Callable, Iterable, Mapping, Sequence

import polars as pl

from incentive.errors import UsageError
from incentive.ledger import codec, schema, staging
from incentive.ledger.chain import ENTRY_COLUMNS, GENESIS, HASHED_COLUMNS, entry_hash, sha256_hex
from incentive.ledger.events import EVENT_COLUMNS, EVENT_KINDS, Event, event_from_row, event_hash, payload_text
from incentive.ledger.errors import (
    HistoryChanged,
    LedgerError,
    LedgerWriteError,
    PeriodAlreadyClosed,
    PeriodNotClosed,
    close_not_recorded,
)
from incentive.ledger.records import LedgerEntry, PeriodStatus, entry_from_row, utc_now
from incentive.ledger.staging import PackedData, StagedClose

_SELECT = ", ".join(ENTRY_COLUMNS)
_SELECT_EVENTS = ", ".join(EVENT_COLUMNS)
#: an entry that is the latest of its period and a close: the period's current close
_IS_CURRENT_CLOSE = ("kind = 'close' AND seq = (SELECT max(x.seq) FROM entries x "
                     "WHERE x.policy_id = entries.policy_id AND x.period = entries.period)")


class Ledger:
    """A ledger file. ``readonly=True`` opens an existing file without write access."""

    def __init__(self, path: str | os.PathLike[str], *, readonly: bool = False, timeout: float = 60.0):
        self.path = Path(path)
        self.readonly = readonly
        self.created = False  # True when this open created the file (callers announce it)
        self.schema_version = schema.SCHEMA_VERSION  # a read-only open of a version-1 file has no events
        self._timeout = timeout
        if self.path.is_dir():
            raise LedgerError(f"{self.path}: is a directory, not a ledger file")
        if readonly and not self.path.exists():
            raise LedgerError(f"{self.path}: no ledger here (nothing has been closed with this ledger path)")
        if not readonly:
            self.created = schema.create_file(self.path)
        try:
            self._con = self._connect(readonly)
            try:
                self.schema_version = schema.init_schema(self._con, self.path, readonly)
            except sqlite3.OperationalError as exc:
                if not (readonly and schema.hot_journal(exc)):
                    raise
                self._con.close()
                schema.recover_journal(self.path, timeout)  # a killed writer left its rollback journal
                self._con = self._connect(readonly)
                self.schema_version = schema.init_schema(self._con, self.path, readonly)
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{self.path}: not a usable incentive ledger ({exc})") from None

    # -- connection

    def _connect(self, readonly: bool, *, raw_text: bool = False) -> sqlite3.Connection:
        return schema.connect(self.path, readonly, self._timeout, raw_text=raw_text)

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _begin(self) -> None:
        schema.begin_immediate(self._con, self.path)

    def _rollback(self) -> None:
        schema.rollback(self._con)

    def _writable(self) -> None:
        if self.readonly:
            raise LedgerError(f"{self.path}: opened read-only")

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._con.execute(sql, tuple(params)).fetchall()
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{self.path}: the ledger cannot be read ({exc}); run `incentive verify`") from None

    def _entries_where(self, where: str, params: Iterable[Any] = (), *, order: str = "seq") -> list[LedgerEntry]:
        rows = self._rows(f"SELECT {_SELECT} FROM entries WHERE {where} ORDER BY {order}", params)
        return [entry_from_row(r, self.path) for r in rows]

    def _entry_at(self, seq: int) -> LedgerEntry:
        return self._entries_where("seq = ?", (seq,))[0]

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

    def current_closes(self, policy_id: str | None = None, *, from_ordinal: int | None = None,
                       before_ordinal: int | None = None, data_sha256: str | None = None) -> list[LedgerEntry]:
        """The current close of each period: its latest entry, when that is a
        close (a period reopened since has none). In period order: by policy
        id, then period ordinal. Narrowed to one policy, to periods with
        ``from_ordinal <= ordinal < before_ordinal``, or to closes of a data
        file with this sha256, when given."""
        where, params = [_IS_CURRENT_CLOSE], []
        for condition, value in (("policy_id = ?", policy_id), ("period_ordinal >= ?", from_ordinal),
                                 ("period_ordinal < ?", before_ordinal), ("data_sha256 = ?", data_sha256)):
            if value is not None:
                where.append(condition)
                params.append(value)
        return self._entries_where(" AND ".join(where), params, order="policy_id, period_ordinal")

    def closes_with_data(self, policy_id: str, data_sha256: str) -> list[LedgerEntry]:
        """Current closes of the policy's periods that evaluated a data file with this sha256."""
        return self.current_closes(policy_id, data_sha256=data_sha256)

    def history_entries(self, policy_id: str, before_ordinal: int, depth: int) -> dict[int, LedgerEntry]:
        """Current closes of the ``depth`` periods before ``before_ordinal``, by ordinal."""
        if depth <= 0:
            return {}
        closes = self.current_closes(policy_id, from_ordinal=before_ordinal - depth, before_ordinal=before_ordinal)
        return {e.period_ordinal: e for e in closes}

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

    def stage_close(self, policy_id: str, period: str, period_ordinal: int, *, history_hashes: Mapping[int, str],
                    results_parquet: bytes, results_sha256: str, results_rows: int,
                    packed_data: PackedData) -> StagedClose:
        """Start recording a close whose outputs are still being written.

        Takes the write lock (``BEGIN IMMEDIATE``); refuses with
        ``PeriodAlreadyClosed`` if the period is closed (also when a
        concurrent close won the race), ``HistoryChanged`` if a history period
        the evaluation used was reopened meanwhile; writes the two large blobs
        (the audit record and the packed data) and starts flushing them to
        disk on a side thread. ``StagedClose.commit`` later adds the entry,
        which names every output's hash, and commits; ``abort`` rolls
        everything back. The foreign key from the blobs to their entry is
        checked at commit (``defer_foreign_keys``), so nothing half-recorded
        can ever be committed. Meanwhile a concurrent close of any period
        waits for the lock.
        """
        self._writable()
        staging.check_parquet(results_parquet, results_rows)
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
            staging.insert_blobs(self._con, seq, results_parquet, packed_data.blob)
        except sqlite3.DatabaseError as exc:  # disk full, I/O error...: a message, not a traceback
            self._rollback()
            raise close_not_recorded(self.path, policy_id, period, exc) from None
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
        return self._entry_at(seq)

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

    # -- events: approvals, exports, inquiries (see ``events``)

    def events(self, policy_id: str | None = None, period: str | None = None, *,
               kind: str | None = None) -> list[Event]:
        """Events in the order they were recorded, narrowed to a policy, a period and a kind when given."""
        if self.schema_version < 2:
            return []  # a version-1 ledger opened read-only: none were ever recorded
        where, params = ["1"], []
        for condition, value in (("policy_id = ?", policy_id), ("period = ?", period), ("kind = ?", kind)):
            if value is not None:
                where.append(condition)
                params.append(value)
        rows = self._rows(f"SELECT {_SELECT_EVENTS} FROM events WHERE {' AND '.join(where)} ORDER BY seq", params)
        return [event_from_row(r, self.path) for r in rows]

    def event(self, seq: int) -> Event | None:
        """The event with this number, if any."""
        if self.schema_version < 2:
            return None
        rows = self._rows(f"SELECT {_SELECT_EVENTS} FROM events WHERE seq = ?", (seq,))
        return event_from_row(rows[0], self.path) if rows else None

    def events_head(self) -> str:
        """The newest event hash (``GENESIS`` when none)."""
        if self.schema_version < 2:
            return GENESIS
        rows = self._rows("SELECT event_hash FROM events ORDER BY seq DESC LIMIT 1")
        return rows[0][0] if rows else GENESIS

    def record_event(self, kind: str, policy_id: str, period: str, entry_hash_: str, payload: Mapping[str, Any],
                     actor: str, *, at: str | None = None, check: Callable[[Ledger], None] | None = None) -> Event:
        """Append one event about the close ``entry_hash_`` of a period.

        Under the write lock: the close must be the period's current one (an
        approval, export, inquiry or resolution of a superseded close means
        nothing), and ``check(self)`` runs so that a caller's
        precondition (no duplicate approval, approvals complete) holds at the
        moment the event is recorded, whatever runs concurrently."""
        self._writable()
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        if not (actor or "").strip():
            raise UsageError(f"recording a {kind} of {policy_id} period {period} needs a name (who)")
        text = payload_text(dict(payload))
        self._begin()
        try:
            close = self.find(entry_hash_)
            if close is None or close.kind != "close" or close.policy_id != policy_id or close.period != period:
                raise LedgerError(f"{self.path}: entry {entry_hash_[:12]}… is not a close of {policy_id} "
                                  f"period {period}")
            now = self._current_close(policy_id, period)
            if now is None or now.seq != close.seq:
                raise PeriodNotClosed(
                    f"{policy_id} period {period}: ledger entry {close.seq} is no longer its current close "
                    f"({'reopened since' if now is None else f'closed again as entry {now.seq}'}); "
                    "nothing was recorded")
            if check is not None:
                check(self)
            tail = self._rows("SELECT seq, event_hash FROM events ORDER BY seq DESC LIMIT 1")
            seq, prev = (tail[0][0] + 1, tail[0][1]) if tail else (1, GENESIS)
            fields: dict[str, Any] = dict(seq=seq, kind=kind, policy_id=policy_id, period=period,
                                          entry_hash=entry_hash_, ledger_head=self.head(), payload=text,
                                          actor=actor.strip(), at=at or utc_now())
            values = {**fields, "prev_hash": prev, "event_hash": event_hash(fields, prev)}
            placeholders = ", ".join("?" for _ in EVENT_COLUMNS)
            self._con.execute(f"INSERT INTO events ({_SELECT_EVENTS}) VALUES ({placeholders})",
                              tuple(values[c] for c in EVENT_COLUMNS))
            self._con.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            self._rollback()
            raise LedgerWriteError(f"{self.path}: cannot record the {kind} of {policy_id} period {period} "
                                   f"({exc}); nothing was recorded") from None
        except BaseException:
            self._rollback()
            raise
        found = self.event(seq)
        assert found is not None
        return found

    # -- verification

    def verify_chain(self) -> list[str]:
        """Recompute every entry and event hash, blob hash and chain link; [] when intact.

        Opens its own read-only connection that reads text as raw bytes, so a
        tampered, non-UTF-8 cell is reported rather than crashing.
        """
        from incentive.ledger.event_integrity import verify_events
        from incentive.ledger.integrity import verify_connection

        con = self._connect(True, raw_text=True)
        try:
            return verify_connection(con) + verify_events(con)
        except sqlite3.DatabaseError as exc:
            return [f"{self.path}: the ledger cannot be read ({exc}) -- damaged"]
        finally:
            con.close()

