"""The ledger of period closes: SQLite, append-only, hash-chained.

* ``store``     -- ``Ledger`` (record / reopen / history / load), the records
  and the ledger's errors;
* ``chain``     -- what an entry hash covers and how it is computed;
* ``integrity`` -- ``verify_chain``'s end-to-end check of a ledger file.
* ``codec``     -- how the period data file is packed (zstd; zlib read for old entries).

See docs/ledger.md.
"""

from incentive.ledger.chain import GENESIS
from incentive.ledger.store import (
    DEFAULT_PATH,
    ENV_VAR,
    CloseRecord,
    HistoryChanged,
    Ledger,
    LedgerEntry,
    LedgerError,
    PeriodAlreadyClosed,
    PeriodNotClosed,
    PeriodStatus,
    resolve_path,
    utc_now,
)

__all__ = [
    "GENESIS", "DEFAULT_PATH", "ENV_VAR", "CloseRecord", "HistoryChanged", "Ledger", "LedgerEntry",
    "LedgerError", "PeriodAlreadyClosed", "PeriodNotClosed", "PeriodStatus", "resolve_path", "utc_now",
]
