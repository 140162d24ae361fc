"""The ledger's errors: each one a message for the user and exit 2.

Apart from the records and the store because every ledger module raises
them, and callers catch them without needing the rest."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from incentive.errors import IncentiveError

if TYPE_CHECKING:
    from incentive.ledger.records import LedgerEntry


class LedgerError(IncentiveError):
    """The ledger cannot be used for this (missing, not a ledger, busy, damaged...)."""


class PeriodAlreadyClosed(LedgerError):
    """The period is closed; it must be reopened (with a reason) to close it again."""

    def __init__(self, entry: LedgerEntry):
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


def close_not_recorded(path: Path, policy_id: str, period: str, exc: sqlite3.DatabaseError) -> LedgerWriteError:
    """The error for a close SQLite refused to record (staging or commit)."""
    return LedgerWriteError(f"{path}: cannot record the close of {policy_id} period {period} ({exc}); "
                            "nothing was recorded")
