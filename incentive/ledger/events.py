"""Events: what happens to a closed period after its close -- approvals,
payroll exports, inquiries and their resolutions.

Kept in their own table (``events``) rather than as more ``entries`` rows:
a period's state ("its latest entry is a close") and every history query
stay exactly what they were, and an event never changes what a close is.
Events are append-only and hash-chained like entries, in their own chain::

    event_hash = sha256(canonical_json({"v": 1, "event": {<EVENT_HASHED columns>},
                                        "prev_hash": prev_hash}))

where ``prev_hash`` is the previous event's hash (``GENESIS`` for the
first). Each event names the close it concerns (``entry_hash``) and the
ledger head when it was recorded (``ledger_head``), which binds it to the
entries chain: ``verify`` replays the entries up to that head and checks the
close was then the period's current one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Sequence

from incentive.ledger.chain import canonical_json, sha256_hex
from incentive.ledger.errors import LedgerError
from incentive.ledger.records import MAX_JSON_CELL

EVENT_HASH_VERSION = 1
EventKind = Literal["approval", "export", "inquiry", "resolution"]
EVENT_KINDS: tuple[str, ...] = ("approval", "export", "inquiry", "resolution")

#: column -> (SQLite storage class, nullable); the hashed content of an event
EVENT_HASHED: dict[str, tuple[str, bool]] = {
    "seq": ("integer", False),
    "kind": ("text", False),
    "policy_id": ("text", False),
    "period": ("text", False),
    "entry_hash": ("text", False),
    "ledger_head": ("text", False),
    "payload": ("text", False),
    "actor": ("text", False),
    "at": ("text", False),
}
EVENT_COLUMNS: tuple[str, ...] = (*EVENT_HASHED, "prev_hash", "event_hash")

DDL: tuple[str, ...] = (
    f"""CREATE TABLE events (
    seq         INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ({", ".join(repr(k) for k in EVENT_KINDS)})),
    policy_id   TEXT NOT NULL,
    period      TEXT NOT NULL,
    entry_hash  TEXT NOT NULL,
    ledger_head TEXT NOT NULL,
    payload     TEXT NOT NULL,
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    event_hash  TEXT NOT NULL UNIQUE
)""",
    "CREATE INDEX events_by_period ON events (policy_id, period, seq)",
    *(f"CREATE TRIGGER events_append_only_{op[0].lower()} BEFORE {op} ON events "
      "BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END" for op in ("UPDATE", "DELETE")),
)


@dataclass(frozen=True)
class Event:
    """One ``events`` row: an approval, an export, an inquiry or a resolution of one."""

    seq: int
    kind: str
    policy_id: str
    period: str
    entry_hash: str  # the close this event concerns
    ledger_head: str  # the newest entry hash when it was recorded
    payload: dict[str, Any]
    by: str
    at: str
    prev_hash: str
    event_hash: str

    def describe(self) -> str:
        return f"event {self.seq} ({self.kind}, {self.policy_id} {self.period})"


def event_hash(fields: dict[str, Any], prev_hash: str) -> str:
    """The hash of one event: its hashed columns and the previous event's hash."""
    missing = [c for c in EVENT_HASHED if c not in fields]
    if missing:
        raise ValueError(f"event fields missing: {missing}")
    content = {"v": EVENT_HASH_VERSION, "event": {c: fields[c] for c in EVENT_HASHED}, "prev_hash": prev_hash}
    return sha256_hex(canonical_json(content).encode("utf-8"))


def payload_text(payload: dict[str, Any]) -> str:
    """The payload as stored: canonical JSON (no floats: Decimals as strings)."""
    return canonical_json(payload)


def event_from_row(row: Sequence[Any], path: Path) -> Event:
    """The event of one ``events`` row (its ``EVENT_COLUMNS`` in order)."""
    v = dict(zip(EVENT_COLUMNS, row))
    text = v["payload"]
    try:
        if not isinstance(text, str) or len(text) > MAX_JSON_CELL:
            raise ValueError("expected JSON text")
        payload = json.loads(text)
        if not isinstance(payload, dict):
            raise ValueError(f"expected an object, got {type(payload).__name__}")
    except (ValueError, RecursionError) as exc:
        raise LedgerError(f"{path}: event {v['seq']} cannot be read (column payload: {exc}); "
                          "run `incentive verify`") from None
    return Event(seq=v["seq"], kind=v["kind"], policy_id=v["policy_id"], period=v["period"],
                 entry_hash=v["entry_hash"], ledger_head=v["ledger_head"], payload=payload, by=v["actor"],
                 at=v["at"], prev_hash=v["prev_hash"], event_hash=v["event_hash"])
