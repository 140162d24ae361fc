"""What the ledger holds, as Python values: a close to record, an entry read
back, where a period stands; and how an entry is read from its row.

Reading is strict because the file may have been edited outside incentive:
a JSON cell of the wrong shape is a ``LedgerError`` naming the entry, not a
crash further on (``verify`` then says exactly what changed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, Mapping, Sequence, TypeVar

from incentive.ledger.chain import ENTRY_COLUMNS
from incentive.ledger.errors import LedgerError

#: the JSON text cells of an entry (outputs, totals, history) are a few kilobytes; never parse more than this
MAX_JSON_CELL = 16 * 1024 * 1024


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


def utc_now() -> str:
    """The current time as ISO-8601 UTC to the second, e.g. ``2026-07-01T09:00:00Z``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_record(record: CloseRecord) -> None:
    """Refuse a record the ledger could not hash or would store wrongly (a caller's bug, not the user's)."""
    for name in ("policy_id", "period", "closed_by", "closed_at", "policy_sha256", "data_sha256"):
        value = getattr(record, name)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"CloseRecord.{name} must be a non-empty string")
    if isinstance(record.period_ordinal, bool) or not isinstance(record.period_ordinal, int):
        raise ValueError("CloseRecord.period_ordinal must be an int")
    if not isinstance(record.data_bytes, (bytes, bytearray, memoryview)):
        raise ValueError("CloseRecord.data_bytes must be bytes")


def entry_from_row(row: Sequence[Any], path: Path) -> LedgerEntry:
    """The entry of one ``entries`` row (its ``ENTRY_COLUMNS`` in order); ``path`` names the ledger in errors."""
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
        raise LedgerError(f"{path}: entry {v['seq']} cannot be read ({exc}); run `incentive verify`") from None
    return LedgerEntry(
        seq=v["seq"], kind=v["kind"], policy_id=v["policy_id"], period=v["period"],
        period_ordinal=v["period_ordinal"], by=v["actor"], at=v["at"], prev_hash=v["prev_hash"],
        entry_hash=v["entry_hash"], policy_version=v["policy_version"], policy_sha256=v["policy_sha256"],
        policy_text=v["policy_text"], data_sha256=v["data_sha256"], data_name=v["data_name"],
        data_size=v["data_size"], results_sha256=v["results_sha256"], results_rows=v["results_rows"],
        outputs=outputs, engine_version=v["engine_version"], totals=totals, history_hashes=history,
        reason=v["reason"], reopens=v["reopens"])


_Cell = TypeVar("_Cell", dict[str, Any], list[Any])


def _json_cell(text: Any, kind: type[_Cell], column: str, expected: str) -> _Cell:
    """A JSON text cell of an entry, of the shape ``kind`` (empty: an empty one)."""
    if not text:
        return kind()
    if not isinstance(text, str) or len(text) > MAX_JSON_CELL:
        raise ValueError(f"column {column}: expected {expected} as JSON text of at most {MAX_JSON_CELL:,} characters")
    value = json.loads(text)
    if not isinstance(value, kind):
        raise ValueError(f"column {column}: expected {expected}, got {type(value).__name__}")
    return value
