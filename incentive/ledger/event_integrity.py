"""Checking the events chain: every event hash and link, and the rules an honest
ledger's events never break.

Like ``integrity`` it reads raw cells (text as bytes, with SQLite's
``typeof``) and trusts nothing. The rules, each a finding naming the event:

* it concerns a close of its policy and period that was that period's current
  close at the ledger head it recorded (an approval of a superseded close is
  worth nothing);
* an approval is not the same person in the same role twice for one close;
* an export lists approvals that exist, came before it, approve the same
  close and cover the roles it says the policy required;
* a resolution resolves an earlier inquiry of the same period, once; a
  ``corrected`` one names a later close of that period (the re-close).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from incentive.ledger.chain import GENESIS
from incentive.ledger.events import EVENT_COLUMNS, EVENT_HASHED, event_hash
from incentive.ledger.integrity import decoded_row

_TYPES = {**EVENT_HASHED, "prev_hash": ("text", False), "event_hash": ("text", False)}


@dataclass
class _Entries:
    """What the events are checked against: every entry, by hash, and each period's entries in order."""

    by_hash: dict[str, tuple[int, str, str, str]] = field(default_factory=dict)  # hash -> seq, kind, policy, period
    by_period: dict[tuple[str, str], list[tuple[int, str]]] = field(default_factory=dict)  # -> [(seq, kind)]

    def current_at(self, policy: str, period: str, head_seq: int) -> int | None:
        """The seq of the period's current close as of entry ``head_seq``."""
        last = None
        for seq, kind in self.by_period.get((policy, period), []):
            if seq <= head_seq:
                last = (seq, kind)
        return last[0] if last is not None and last[1] == "close" else None


def _entries(con: sqlite3.Connection) -> _Entries:
    found = _Entries()
    for seq, kind, policy, period, h in con.execute(
            "SELECT seq, kind, policy_id, period, entry_hash FROM entries ORDER BY seq"):
        try:
            kind, policy, period, h = (bytes(v).decode("utf-8") for v in (kind, policy, period, h))
        except (TypeError, UnicodeDecodeError):
            continue  # integrity reports the entry itself
        found.by_hash[h] = (seq, kind, policy, period)
        found.by_period.setdefault((policy, period), []).append((seq, kind))
    return found


def verify_events(con: sqlite3.Connection) -> list[str]:
    """All problems of the events behind ``con`` (opened with ``text_factory=bytes``); [] without an events table."""
    if not con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").fetchone():
        return []
    entries = _entries(con)
    problems: list[str] = []
    select = ", ".join(f"{c}, typeof({c})" for c in EVENT_COLUMNS)
    prev_expected, prev_name, expected_seq = GENESIS, "the genesis hash", 1
    state = _State()
    for raw in con.execute(f"SELECT {select} FROM events ORDER BY seq"):
        values, cell_problems = decoded_row(raw, EVENT_COLUMNS, _TYPES)
        seq = values["seq"]
        label = f"event {seq if seq is not None else '?'}"
        if isinstance(values["kind"], str) and isinstance(values["period"], str):
            label = f"{label} ({values['kind']}, {values['policy_id']} {values['period']})"
        problems += [f"{label}: {p} — tampered" for p in cell_problems]
        if isinstance(seq, int) and seq != expected_seq:
            problems.append(f"{label}: sequence number should be {expected_seq} — events missing or renumbered "
                            "— tampered")
        if values["prev_hash"] != prev_expected:
            problems.append(f"{label}: prev_hash does not match {prev_name}")
        if not cell_problems:
            fields = {c: values[c] for c in EVENT_HASHED}
            if event_hash(fields, values["prev_hash"]) != values["event_hash"]:
                problems.append(f"{label}: stored hash does not match its content — tampered")
            problems += [f"{label}: {p}" for p in state.check(values, entries)]
        prev_expected, prev_name = values["event_hash"], f"event {seq}"
        expected_seq = (seq if isinstance(seq, int) else expected_seq) + 1
    return problems


@dataclass
class _State:
    """The events seen so far, for the rules that look back."""

    approvals: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # event hash -> entry, role, actor
    inquiries: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # seq -> policy, period, entry
    resolved: set[int] = field(default_factory=set)

    def check(self, v: dict[str, Any], entries: _Entries) -> list[str]:
        try:
            payload = json.loads(v["payload"])
        except (ValueError, RecursionError):
            return ["its payload cannot be read"]
        if not isinstance(payload, dict):
            return ["its payload is not an object"]
        problems = _close_problems(v, entries)
        kind = v["kind"]
        if kind == "approval":
            key = (v["entry_hash"], str(payload.get("role")), v["actor"])
            if key in self.approvals.values():
                problems.append(f"{v['actor']} approves entry {v['entry_hash'][:12]}… as {key[1]} a second time")
            self.approvals[v["event_hash"]] = key
        elif kind == "export":
            problems += self._export_problems(v, payload)
        elif kind == "inquiry":
            self.inquiries[v["seq"]] = (v["policy_id"], v["period"], v["entry_hash"])
        elif kind == "resolution":
            problems += self._resolution_problems(v, payload, entries)
        return problems

    def _export_problems(self, v: dict[str, Any], payload: dict[str, Any]) -> list[str]:
        used = payload.get("approvals")
        required = payload.get("required_roles")
        if not isinstance(used, list) or not isinstance(required, list):
            return ["an export without its list of approvals and required roles"]
        problems, roles = [], set()
        for h in used:
            approval = self.approvals.get(str(h))
            if approval is None or approval[0] != v["entry_hash"]:
                problems.append(f"an export relying on approval {str(h)[:12]}…, which is no earlier approval of "
                                "the close it exports")
            else:
                roles.add(approval[1])
        missing = [r for r in required if r not in roles]
        if missing:
            problems.append(f"an export without the approvals it needed: {', '.join(map(str, missing))}")
        return problems

    def _resolution_problems(self, v: dict[str, Any], payload: dict[str, Any], entries: _Entries) -> list[str]:
        number = payload.get("inquiry")
        if not isinstance(number, int) or isinstance(number, bool):
            return [f"resolves inquiry {number!r}, which is no inquiry number"]
        inquiry = self.inquiries.get(number)
        if inquiry is None or inquiry[:2] != (v["policy_id"], v["period"]):
            return [f"resolves inquiry {number!r}, which is no earlier inquiry of this period"]
        if number in self.resolved:
            return [f"resolves inquiry {number} a second time"]
        self.resolved.add(number)
        if payload.get("outcome") != "corrected":
            return []
        before, after = entries.by_hash.get(inquiry[2]), entries.by_hash.get(v["entry_hash"])
        if before is None or after is None or after[1] != "close" or after[0] <= before[0]:
            return [f"a corrected resolution of inquiry {number} whose corrected close (a re-close after "
                    f"entry {before[0] if before else '?'}) is missing"]
        return []


def _close_problems(v: dict[str, Any], entries: _Entries) -> list[str]:
    close = entries.by_hash.get(v["entry_hash"])
    if close is None or close[1] != "close" or close[2:] != (v["policy_id"], v["period"]):
        return [f"concerns entry {v['entry_hash'][:12]}…, which is no close of {v['policy_id']} {v['period']}"]
    head = entries.by_hash.get(v["ledger_head"])
    if head is None:
        return [f"records ledger head {v['ledger_head'][:12]}…, which is no entry of this ledger"]
    if entries.current_at(v["policy_id"], v["period"], head[0]) != close[0]:
        return [f"concerns entry {close[0]}, which was not the period's current close when it was recorded"]
    return []
