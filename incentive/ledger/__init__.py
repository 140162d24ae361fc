"""The ledger of period closes: SQLite, append-only, hash-chained.

* ``store``     -- ``Ledger``: open, read (entries, current closes, history,
  stored results and data), stage a close, reopen;
* ``records``   -- ``CloseRecord``, ``LedgerEntry``, ``PeriodStatus`` and
  reading an entry from its row;
* ``errors``    -- the ledger's errors (each a message and exit 2);
* ``schema``    -- the SQLite file: tables, pragmas, opening, the write lock;
* ``staging``   -- a close in two steps (blobs, then the entry): ``StagedClose``, ``pack_data``;
* ``chain``     -- what an entry hash covers and how it is computed;
* ``integrity`` -- ``verify_chain``'s end-to-end check of a ledger file;
* ``codec``     -- how the period data file is packed (zstd; zlib read for old entries);
* ``locate``    -- which ledger file a command uses, opened the same way for every command.

See docs/ledger.md.
"""

from incentive.ledger.chain import GENESIS
from incentive.ledger.errors import HistoryChanged, LedgerError, PeriodAlreadyClosed, PeriodNotClosed
from incentive.ledger.locate import DEFAULT_PATH, ENV_VAR, resolve_path
from incentive.ledger.records import CloseRecord, LedgerEntry, PeriodStatus, utc_now
from incentive.ledger.store import Ledger

__all__ = [
    "GENESIS", "DEFAULT_PATH", "ENV_VAR", "CloseRecord", "HistoryChanged", "Ledger", "LedgerEntry",
    "LedgerError", "PeriodAlreadyClosed", "PeriodNotClosed", "PeriodStatus", "resolve_path", "utc_now",
]
