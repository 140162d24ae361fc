"""Opening the ledger a command was told to use, the same way for every command.

Where the ledger is comes from ``incentive.settings.resolve_ledger``. Only a
close creates a ledger file, and says so with its full path; a command that
only reads (``history``, ``verify``, ``reopen`` of a missing ledger, history
for ``evaluate`` / ``explain``) never creates one and says which path it
looked at and why.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from incentive.ledger.errors import LedgerError
from incentive.ledger.store import Ledger
from incentive.settings import DEFAULT_LEDGER as DEFAULT_PATH
from incentive.settings import LEDGER_ENV as ENV_VAR
from incentive.settings import Setting, resolve_ledger

__all__ = ["DEFAULT_PATH", "ENV_VAR", "LedgerMissing", "existing", "missing_message", "open_existing",
           "open_or_create", "resolve_path"]


def resolve_path(option: str | os.PathLike[str] | None = None) -> Path:
    """``--ledger`` if given, else ``$INCENTIVE_LEDGER``, else ``incentive.toml``'s ``ledger``, else
    ``./incentive-ledger.sqlite`` (``incentive.settings.resolve_ledger``, which also says which)."""
    return resolve_ledger(option).path


class LedgerMissing(LedgerError):
    """The resolved ledger path holds no file."""


def missing_message(setting: Setting) -> str:
    return (f"no ledger at {setting.describe()}: nothing has been closed with it. Give --ledger PATH, set "
            "$INCENTIVE_LEDGER, or put ledger = \"PATH\" in incentive.toml (see docs/ledger.md)")


def existing(option: str | os.PathLike[str] | None) -> Setting:
    """The resolved ledger, which must exist (``LedgerMissing`` otherwise; exit 2)."""
    setting = resolve_ledger(option)
    if not setting.path.exists():
        raise LedgerMissing(missing_message(setting))
    return setting


def open_existing(option: str | os.PathLike[str] | None, *, readonly: bool = True) -> Ledger:
    """The resolved ledger, opened without creating it."""
    return Ledger(existing(option).path, readonly=readonly)


def open_or_create(option: str | os.PathLike[str] | None, announce: Callable[[str], None] | None = None) -> Ledger:
    """The resolved ledger for writing; a new file is announced with its full path and why it is there."""
    setting = resolve_ledger(option)
    ledger = Ledger(setting.path)
    if ledger.created and announce is not None:
        announce(f"created ledger {setting.path.absolute()} (from {setting.source})")
    return ledger
