"""Inquiries (申诉): a participant questions a number of a closed period; HR
resolves it with no change, or with a correction -- a reopen and re-close
whose before/after numbers the resolution records.

Each step is a ledger event (``inquiry``, ``resolution``), so the record of
who asked what, when, and how it ended is hash-chained with the closes it
is about. An inquiry is numbered by its event number. The appeal window is
the policy's ``inquiries.appeal_window_days``, counted from the close: an
inquiry after it is accepted and marked late (a participant is never
refused a hearing by a date).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Literal

import polars as pl

from incentive.app.approvals import current_close
from incentive.app.inquiry_records import Inquiry, inquiries
from incentive.app.policy_copy import recorded_policy
from incentive.app.close import policy_and_period
from incentive.errors import UsageError
from incentive.ledger import Ledger, LedgerEntry, utc_now
from incentive.ledger.locate import open_existing
from incentive.numeric import plain_text
from incentive.policy.model import Policy

Outcome = Literal["no_change", "corrected"]
OUTCOMES: tuple[str, ...] = ("no_change", "corrected")
#: what an inquiry may be about besides a KPI, payout or penalty id
WHOLE = ("score", "band", "total", "recommendations")


def components(policy: Policy) -> tuple[str, ...]:
    """What an inquiry may be about: every KPI, payout, penalty and clawback id, and the score, band, total
    and recommendations."""
    return (*(k.id for k in policy.kpis), *(p.id for p in policy.payouts), *(p.id for p in policy.penalties),
            *(c.id for c in policy.clawbacks if c.recovers), *WHOLE)


def _at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def window_end(close: LedgerEntry, policy: Policy) -> str | None:
    """The last moment of the appeal window (ISO UTC), or None when the policy declares none."""
    if policy.inquiries is None:
        return None
    end = _at(close.at) + timedelta(days=policy.inquiries.appeal_window_days)
    return end.strftime("%Y-%m-%dT%H:%M:%SZ")


def open_inquiry(policy: str, period: str, employee: str, about: str, text: str, ledger_path: str | None,
                 by: str | None = None, *, at: str | None = None) -> Inquiry:
    """Record an inquiry about ``employee``'s ``about`` in the period's current close."""
    policy_id, label = policy_and_period(policy, period)
    text = (text or "").strip()
    if not text:
        raise UsageError("--text: say what the inquiry is about (it is recorded in the ledger)")
    ledger = open_existing(ledger_path, readonly=False)
    try:
        close = current_close(ledger, policy_id, label)
        plan = recorded_policy(close)
        allowed = components(plan)
        if about not in allowed:
            raise UsageError(f"--about: {about!r} is not a component of {policy_id}; expected one of "
                             f"{', '.join(allowed)}")
        _person(ledger, close, plan, employee)  # refuses an unknown employee
        now = at or utc_now()
        end = window_end(close, plan)
        payload = {"employee": employee, "about": about, "text": text, "close_seq": close.seq,
                   "window_end": end, "late": end is not None and now > end}
        event = ledger.record_event("inquiry", policy_id, label, close.entry_hash, payload,
                                    (by or "").strip() or employee, at=now)
        return Inquiry(event, None)
    finally:
        ledger.close()


def resolve_inquiry(number: int, outcome: str, note: str, ledger_path: str | None, by: str,
                    *, at: str | None = None) -> Inquiry:
    """Resolve inquiry ``number``. ``corrected`` needs the period reopened and closed again since the
    inquiry; its record holds both closes' entry hashes and the person's numbers in each."""
    if outcome not in OUTCOMES:
        raise UsageError(f"--outcome: expected one of {', '.join(OUTCOMES)}, got {outcome!r}")
    note = (note or "").strip()
    if not note:
        raise UsageError("--note: say how the inquiry was resolved (it is recorded in the ledger)")
    ledger = open_existing(ledger_path, readonly=False)
    try:
        inquiry = _inquiry(ledger, number)
        if inquiry.resolution is not None:
            r = inquiry.resolution
            raise UsageError(f"inquiry {number} is already resolved ({r.payload.get('outcome')}, {r.at} by {r.by})")
        opened = inquiry.opened
        close = current_close(ledger, opened.policy_id, opened.period)
        payload: dict[str, Any] = {"inquiry": number, "outcome": outcome, "note": note,
                                   "employee": inquiry.employee, "about": inquiry.about}
        if outcome == "corrected":
            if close.entry_hash == opened.entry_hash:
                raise UsageError(
                    f"inquiry {number}: a correction needs the period closed again with the corrected data -- "
                    f"run `incentive reopen {opened.policy_id} --period {opened.period} --reason \"inquiry "
                    f"{number}\"`, close it again, then resolve; the close is still ledger entry {close.seq}")
            before = ledger.find(opened.entry_hash)
            assert before is not None
            plan = recorded_policy(close)
            was = _numbers(ledger, before, recorded_policy(before), inquiry.employee)
            now = _numbers(ledger, close, plan, inquiry.employee)
            names = [*now, *(c for c in was if c not in now)]
            payload.update(before_entry=before.entry_hash, after_entry=close.entry_hash,
                           numbers=[[c, was.get(c), now.get(c)] for c in names])

        def not_resolved(store: Ledger) -> None:
            if _inquiry(store, number).resolution is not None:
                raise UsageError(f"inquiry {number} is already resolved")

        event = ledger.record_event("resolution", opened.policy_id, opened.period, close.entry_hash, payload,
                                    by, at=at, check=not_resolved)
        return Inquiry(opened, event)
    finally:
        ledger.close()


def list_inquiries(policy: str | None, ledger_path: str | None, *, open_only: bool = False,
                   employee: str | None = None) -> list[Inquiry]:
    """``incentive inquiry list``."""
    from incentive.app.history import policy_id_of

    ledger = open_existing(ledger_path)
    try:
        return inquiries(ledger, policy_id_of(policy) if policy else None, employee=employee, open_only=open_only)
    finally:
        ledger.close()


def _inquiry(ledger: Ledger, number: int) -> Inquiry:
    event = ledger.event(number)
    if event is None or event.kind != "inquiry":
        raise UsageError(f"no inquiry {number} in {ledger.path} (`incentive inquiry list` shows them)")
    found = [i for i in inquiries(ledger, event.policy_id) if i.number == number]
    return found[0]


def _person(ledger: Ledger, close: LedgerEntry, policy: Policy, employee: str) -> dict[str, Any]:
    id_col = policy.id_input.id
    frame = ledger.load_results(close).filter(pl.col(id_col).cast(pl.String) == employee)
    if frame.height == 0:
        raise UsageError(f"--employee: no employee {employee!r} in {close.policy_id} {close.period} "
                         f"(ledger entry {close.seq})")
    return frame.row(0, named=True)


def _numbers(ledger: Ledger, close: LedgerEntry, policy: Policy, employee: str) -> dict[str, Any]:
    """The person's KPI points, score, rank, band, payouts, penalties, total and recommendations in one close;
    a person missing from it (removed by the correction) has none."""
    try:
        row = _person(ledger, close, policy, employee)
    except UsageError:
        return {}
    wanted = (*(k.id for k in policy.kpis), "score", "rank", "band", *(p.id for p in policy.payouts),
              *(p.id for p in policy.penalties), "total", "recommendations")
    return {c: _plain(row[c]) for c in wanted if c in row}


def _plain(value: object) -> object:
    """A value as JSON keeps it exactly: a decimal as its plain text (no trailing zeros of the wide type)."""
    if isinstance(value, Decimal):
        return plain_text(value)
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)
