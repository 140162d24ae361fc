"""The ledger's SQLite file: its tables, pragmas, how it is created, opened
and locked for writing.

Journal mode is the rollback journal (``DELETE``) with ``synchronous=FULL``:
a commit is durable when it returns, a crash mid-transaction is rolled back
on the next open, there are no ``-wal`` / ``-shm`` side files to lose or
copy, read-only opens (``verify``) need no write access, and large results
blobs are written once (WAL writes them twice). Pages are 64 KiB because the
rows are mostly large blobs. See docs/ledger.md.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from incentive.ledger import events
from incentive.ledger.errors import LedgerError

#: 2 added the ``events`` table (approvals, exports, inquiries); a version-1 file is
#: migrated when first opened for writing (the table is added, nothing else changes)
SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)
PAGE_SIZE = 65536

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
_DDL: tuple[str, ...] = (*_TABLES.strip().split(";\n"), *_TRIGGERS, *events.DDL)


def create_file(path: Path) -> bool:
    """Create an empty, owner-only ledger file at ``path`` unless one is there; True when this created it."""
    # through a symlink too: O_EXCL does not follow a link, so create its target (owner-only)
    real = Path(os.path.realpath(path))
    if not real.parent.exists():
        raise LedgerError(f"{path}: directory {real.parent} does not exist")
    try:
        fd = os.open(real, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    except OSError as exc:
        raise LedgerError(f"{path}: cannot create the ledger ({exc.strerror})") from None
    try:
        os.fchmod(fd, 0o600)  # whatever the umask: the ledger holds pay data
    finally:
        os.close(fd)
    return True


def connect(path: Path, readonly: bool, timeout: float, *, raw_text: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit) with the ledger's pragmas."""
    if readonly:
        uri = f"file:{quote(str(path.absolute()))}?mode=ro"
        con = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
    else:
        con = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        con.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # effective only while the file is empty
        con.execute("PRAGMA journal_mode = DELETE")
        con.execute("PRAGMA synchronous = FULL")
    con.execute("PRAGMA foreign_keys = ON")
    if raw_text:
        con.text_factory = bytes
    return con


def hot_journal(exc: sqlite3.OperationalError) -> bool:
    """A read-only connection met a hot rollback journal (SQLITE_READONLY_ROLLBACK)."""
    return getattr(exc, "sqlite_errorname", "") == "SQLITE_READONLY_ROLLBACK" or "readonly database" in str(exc)


def recover_journal(path: Path, timeout: float) -> None:
    """Roll back the hot journal a killed writer left, for a read-only open.

    Reading needs no write access, but SQLite must first restore the
    pages the journal holds, which needs write access to the file and its
    folder. With it, one read on a read-write connection does the
    rollback (nothing else is written); without it, say what to run."""
    journal = Path(f"{path}-journal")
    folder = path.absolute().parent
    if not (os.access(path, os.W_OK) and os.access(folder, os.W_OK)):
        raise LedgerError(
            f"{path}: an unfinished transaction of a killed close is still in {journal}; it must be "
            f"rolled back before the ledger can be read, which needs write access to {path} and "
            f"{folder}. Run `incentive verify --ledger {path}` as a user who may write there "
            "(nothing else is changed)")
    uri = f"file:{quote(str(path.absolute()))}?mode=rw"
    con = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
    try:
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        con.close()


def init_schema(con: sqlite3.Connection, path: Path, readonly: bool) -> int:
    """Create the tables in an empty file (not when ``readonly``), migrate a version-1 file opened for
    writing, refuse a file that is not a ledger this version reads; the file's schema version."""
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "ledger_schema" not in tables:
        if tables:
            raise LedgerError(f"{path}: an SQLite file, but not an incentive ledger")
        if readonly:
            raise LedgerError(f"{path}: an empty file, not an incentive ledger")
        begin_immediate(con, path)
        try:
            # re-check under the write lock: a concurrent opener may have won
            if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'ledger_schema'").fetchone():
                for statement in _DDL:
                    con.execute(statement)
                con.execute("INSERT INTO ledger_schema (version) VALUES (?)", (SCHEMA_VERSION,))
            con.execute("COMMIT")
        except BaseException:
            rollback(con)
            raise
    version = _version(con)
    if version not in READABLE_VERSIONS:
        raise LedgerError(f"{path}: ledger schema version {version} is not supported by this "
                          f"incentive (it reads versions {', '.join(map(str, READABLE_VERSIONS))})")
    if version == 1 and not readonly:
        version = _migrate_v1(con, path)
    return version


def _version(con: sqlite3.Connection) -> int | None:
    row = con.execute("SELECT max(version) FROM ledger_schema").fetchone()
    return row[0] if row else None


def _migrate_v1(con: sqlite3.Connection, path: Path) -> int:
    """Add the events table to a version-1 ledger; its entries and their hashes are untouched."""
    begin_immediate(con, path)
    try:
        if _version(con) == 1:  # a concurrent opener may have migrated it
            for statement in events.DDL:
                con.execute(statement)
            con.execute("INSERT INTO ledger_schema (version) VALUES (2)")
        con.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        rollback(con)
        raise LedgerError(f"{path}: cannot add the events table to this version-1 ledger ({exc})") from None
    except BaseException:
        rollback(con)
        raise
    return SCHEMA_VERSION


def begin_immediate(con: sqlite3.Connection, path: Path) -> None:
    """Take the write lock (``BEGIN IMMEDIATE``), saying "busy" only when another writer holds it."""
    try:
        con.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if "locked" in text or "busy" in text:
            raise LedgerError(f"{path}: the ledger is busy ({exc}); another close is writing -- "
                              "try again") from None
        # a full disk, a read-only file system, an I/O error: say what it is, not "busy"
        raise LedgerError(f"{path}: the ledger cannot be written ({exc}); nothing was recorded") from None


def rollback(con: sqlite3.Connection) -> None:
    """End the open transaction, if any, recording nothing of it."""
    if con.in_transaction:
        try:
            con.execute("ROLLBACK")
        except sqlite3.DatabaseError:
            pass  # SQLite already rolled back (or will, from the journal, on the next open)
