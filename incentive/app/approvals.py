"""A closed period's sign-off: approvals, where a period stands, and the gate
payroll exports pass through.

A period's state is read from the ledger, never stored: ``draft`` (never
closed, or reopened since), ``closed``, ``approved`` (every role the
close's policy names in ``sign_off`` approved this very close) and
``exported``. An approval is of one close (its entry hash), so a reopen
clears it by itself: the re-close is another entry that nobody approved yet.
The required roles come from the policy copy recorded with the close, not
from today's policy file: what was closed is what must be signed off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from incentive.app.close import policy_and_period
from incentive.app.policy_copy import recorded_policy
from incentive.app.true_ups import paid_close
from incentive.errors import UsageError
from incentive.ledger import Ledger, LedgerEntry
from incentive.ledger.events import Event
from incentive.ledger.locate import open_existing
from incentive.policy.model import SIGN_OFF_ROLES

#: ``corrected``: re-closed after an earlier close of the period was exported -- never exported again; the
#: differences are true-ups of the next close (app/true_ups.py)
State = Literal["draft", "closed", "approved", "exported", "corrected"]


@dataclass(frozen=True)
class PeriodState:
    """Where one period of a policy stands, and what it waits for."""

    policy_id: str
    period: str
    state: State
    close: LedgerEntry | None  # the current close (None in draft)
    required: tuple[str, ...]  # the roles the close's policy requires
    approvals: tuple[Event, ...]  # approvals of the current close
    exports: tuple[Event, ...]  # exports of the current close
    reopened: bool  # the period was closed before and reopened since
    paid: LedgerEntry | None = None  # the earlier close payroll was paid from, when the current one corrects it

    @property
    def missing(self) -> tuple[str, ...]:
        approved = {a.payload.get("role") for a in self.approvals}
        return tuple(r for r in self.required if r not in approved)

    def waiting_for(self) -> str:
        """What has to happen next, in words."""
        if self.close is None:
            return "a close" + (" (reopened: approvals of the earlier close no longer count)" if self.reopened else "")
        if self.paid is not None:
            return (f"nothing: payroll paid ledger entry {self.paid.seq}; the differences are true-ups of the next "
                    "period's close")
        if self.missing:
            return "approval by " + ", ".join(self.missing)
        if not self.exports:
            return "a payroll export"
        return "nothing"


def required_roles(entry: LedgerEntry) -> tuple[str, ...]:
    sign_off = recorded_policy(entry).sign_off
    return sign_off.roles if sign_off is not None else ()


def period_state(ledger: Ledger, policy_id: str, period: str) -> PeriodState:
    status = ledger.status(policy_id, period)
    close = status.current
    reopened = any(e.kind == "reopen" for e in status.events)
    if close is None:
        return PeriodState(policy_id, period, "draft", None, (), (), (), reopened)
    paid = paid_close(ledger, policy_id, period)
    if paid is not None and paid.entry_hash != close.entry_hash:
        return PeriodState(policy_id, period, "corrected", close, required_roles(close), (), (), reopened, paid)
    mine = [e for e in ledger.events(policy_id, period) if e.entry_hash == close.entry_hash]
    approvals = tuple(e for e in mine if e.kind == "approval")
    exports = tuple(e for e in mine if e.kind == "export")
    state = PeriodState(policy_id, period, "closed", close, required_roles(close), approvals, exports, reopened)
    if state.missing:
        return state
    return PeriodState(policy_id, period, "exported" if exports else "approved", close, state.required,
                       approvals, exports, reopened)


def periods(ledger: Ledger, policy_id: str) -> list[str]:
    """Every period of the policy the ledger has seen, in period order."""
    seen: dict[str, int] = {}
    for e in ledger.entries(policy_id):
        seen.setdefault(e.period, e.period_ordinal)
    return sorted(seen, key=lambda p: seen[p])


def states(policy: str, period: str | None, ledger_path: str | None) -> list[PeriodState]:
    """``incentive status``: each period's state (or one period's)."""
    policy_id, label = policy_and_period(policy, period) if period else (_policy_id(policy), None)
    ledger = open_existing(ledger_path)
    try:
        wanted = [label] if label is not None else periods(ledger, policy_id)
        if not wanted:
            raise UsageError(f"the ledger {ledger.path} has no period of policy {policy_id!r}")
        return [period_state(ledger, policy_id, p) for p in wanted]
    finally:
        ledger.close()


def period_log(policy: str, period: str, ledger_path: str | None) -> list[str]:
    """Every close and reopen of one period, oldest first: which close is current, which were superseded
    and exported (what payroll paid), and why each reopen happened."""
    policy_id, label = policy_and_period(policy, period)
    ledger = open_existing(ledger_path)
    try:
        status = ledger.status(policy_id, label)
        exported = {e.entry_hash for e in ledger.events(policy_id, label, kind="export")}
        lines = []
        for e in status.events:
            if e.kind == "reopen":
                lines.append(f"entry {e.seq}  reopen  {e.at} by {e.by}: {e.reason}")
                continue
            role = "current" if status.current is not None and e.seq == status.current.seq else "superseded"
            paid = ", exported to payroll" if e.entry_hash in exported else ""
            trued = (e.totals or {}).get("true_ups")
            diff = f", {len(trued['rows'])} difference(s) against entry {trued['of_seq']} as true-ups" if trued else ""
            lines.append(f"entry {e.seq}  close   {e.at} by {e.by}: {e.data_name} ({role}{paid}{diff})")
        return lines
    finally:
        ledger.close()


def _policy_id(policy: str) -> str:
    from incentive.app.history import policy_id_of

    return policy_id_of(policy)


def approve(policy: str, period: str, name: str, role: str | None, comment: str | None,
            ledger_path: str | None, *, entry: str | None = None) -> tuple[Event, PeriodState]:
    """Record ``name``'s approval of the period's current close; the event and the state after it.

    ``entry`` (a hash prefix, optional) pins the close the approver reviewed:
    if the period was closed again meanwhile the approval is refused rather
    than applied to numbers nobody looked at."""
    policy_id, label = policy_and_period(policy, period)
    name = (name or "").strip()
    if not name:
        raise UsageError("--as: the approver's name is empty")
    ledger = open_existing(ledger_path, readonly=False)
    try:
        close = current_close(ledger, policy_id, label)
        if entry is not None and not close.entry_hash.startswith(entry.strip().lower()):
            raise UsageError(f"--entry {entry}: the current close of {policy_id} {label} is ledger entry "
                             f"{close.seq} ({close.entry_hash[:12]}…), not that one; review it and approve again")
        required = required_roles(close)
        role = _role(role, required, policy_id)

        def not_twice(store: Ledger) -> None:
            for e in store.events(policy_id, label, kind="approval"):
                if e.entry_hash == close.entry_hash and e.payload.get("role") == role and e.by == name:
                    raise UsageError(f"{name} already approved {policy_id} {label} (ledger entry {close.seq}) as "
                                     f"{role} ({e.at}, event {e.seq}); an approval is recorded once")

        payload = {"role": role, "comment": (comment or "").strip() or None, "close_seq": close.seq,
                   "required_roles": list(required)}
        event = ledger.record_event("approval", policy_id, label, close.entry_hash, payload, name, check=not_twice)
        return event, period_state(ledger, policy_id, label)
    finally:
        ledger.close()


def _role(role: str | None, required: tuple[str, ...], policy_id: str) -> str:
    if role is not None:
        if role not in SIGN_OFF_ROLES:
            raise UsageError(f"--role: expected one of {', '.join(SIGN_OFF_ROLES)}, got {role!r}")
        return role
    if len(required) > 1:
        raise UsageError(f"--role: policy {policy_id} requires approvals by {', '.join(required)}; "
                         "say which one this is")
    return required[0] if required else "hr"


def current_close(ledger: Ledger, policy_id: str, period: str) -> LedgerEntry:
    """The period's current close, or a UsageError saying why there is none (never closed, or reopened)."""
    close = ledger.get_close(policy_id, period)
    if close is None:
        state = ledger.status(policy_id, period).state
        why = "it was reopened and is not closed again" if state == "reopened" else "it was never closed"
        raise UsageError(f"{policy_id} period {period} is not closed ({why}); close it first")
    return close


def require_approved(ledger: Ledger, policy_id: str, period: str) -> tuple[LedgerEntry, PeriodState]:
    """The current close, when every approval its policy requires is recorded; else a UsageError saying which
    are missing (the export gate)."""
    close = current_close(ledger, policy_id, period)
    state = period_state(ledger, policy_id, period)
    if state.missing:
        have = ", ".join(f"{a.payload.get('role')} ({a.by})" for a in state.approvals) or "none"
        raise UsageError(f"{policy_id} period {period} (ledger entry {close.seq}) is not approved: it needs "
                         f"approval by {', '.join(state.missing)} (recorded: {have}). Run `incentive approve "
                         f"POLICY --period {period} --as NAME --role {state.missing[0]}`")
    return close, state


def record_export(ledger: Ledger, close: LedgerEntry, payload: dict[str, object], actor: str) -> Event:
    """Record a payroll export of ``close`` (the caller passed ``require_approved``).

    The gate is checked again under the ledger's write lock, so a reopen or a
    re-close between the check and the record refuses the record; the event
    lists the approvals it relied on and the roles required (``verify``
    checks both)."""
    state = period_state(ledger, close.policy_id, close.period)
    full = {**payload, "approvals": [a.event_hash for a in state.approvals], "required_roles": list(state.required)}

    def still_approved(store: Ledger) -> None:
        require_approved(store, close.policy_id, close.period)

    return ledger.record_event("export", close.policy_id, close.period, close.entry_hash, full, actor,
                               check=still_approved)


__all__ = ["PeriodState", "approve", "current_close", "period_state", "periods", "record_export", "recorded_policy",
           "require_approved", "required_roles", "states"]
