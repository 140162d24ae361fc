"""Draw balances across closes: the order closes must keep, the balances of
people who left, and ``incentive balances`` (each close's balances, read
from the ledger).

A draw's opening balance is the closing balance the previous period's close
recorded, so where a policy has draws the order of closes matters: a period
is refused while the one before it is missing (once any earlier period of
the policy is closed), and while a later period is already closed (its
balances started without this one). A reopen of a period whose balances a
later close used is refused too (``reopen_guard``): re-close in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from incentive.engine.results import Results
from incentive.errors import UsageError
from incentive.io.periods import Period
from incentive.ledger import Ledger, LedgerEntry
from incentive.app.policy_copy import recorded_policy
from incentive.ledger.locate import open_existing
from incentive.numeric import plain_text
from incentive.policy import names
from incentive.policy.model import Policy

#: the key of a close's recorded totals listing balances owed by people absent from its data
DEPARTURES_KEY = "draw_departures"


def check_balance_order(ledger: Ledger, policy: Policy, period: Period, used: dict[int, LedgerEntry]) -> None:
    """Refuse a close whose draw balances would start from the wrong place."""
    closes = ledger.current_closes(policy.id)
    later = [e for e in closes if e.period_ordinal > period.ordinal]
    if later:
        raise UsageError(f"{policy.id} {period.label}: {later[0].period} is already closed, and its balances "
                         f"started without {period.label}; close periods in order (reopen {later[-1].period} back "
                         f"to {later[0].period} first)")
    earlier = [e for e in closes if e.period_ordinal < period.ordinal]
    previous = period.ordinal - 1
    if previous in used:
        return
    missing = Period.of(policy.period, previous).label
    if ledger.status(policy.id, missing).state == "reopened":
        raise UsageError(f"{policy.id} {period.label}: its balances (draws, holds) start from the closing balances of "
                         f"{missing}, which was reopened and is not closed again; close {missing} first")
    if earlier:
        raise UsageError(f"{policy.id} {period.label}: its balances (draws, holds) start from the closing balances of "
                         f"{missing}, which is not closed (last closed: {earlier[-1].period}); close {missing} first")


def carries_balances(policy: Policy) -> bool:
    """Whether a close of ``policy`` opens with the last close's balances (draws, holds, clawbacks to recover)."""
    return bool(policy.draws or policy.holds or any(c.recovers for c in policy.clawbacks))


def dependents(ledger: Ledger, entry: LedgerEntry, policy: Policy) -> list[LedgerEntry]:
    """The later current closes whose balances start, directly or through each other, from ``entry``;
    newest first (the order they must be reopened in)."""
    if not carries_balances(policy):
        return []
    used = {entry.entry_hash}
    found = []
    for later in ledger.current_closes(entry.policy_id, from_ordinal=entry.period_ordinal + 1):
        if used & set(later.history_hashes.values()):
            used.add(later.entry_hash)
            found.append(later)
    return found[::-1]


def reopen_guard(ledger: Ledger, entry: LedgerEntry, policy: Policy) -> None:
    """Refuse to reopen a period whose draw or hold balances a later current close started from."""
    later = dependents(ledger, entry, policy)
    if later:
        first, periods = later[-1], ", ".join(e.period for e in later)
        raise UsageError(f"{entry.policy_id} {entry.period}: the balances of {first.period} (ledger entry "
                         f"{first.seq}) start from this close; reopen {periods} first (newest first), or give "
                         f"--cascade to reopen them with it; then close them all again in period order; "
                         "nothing was recorded")


def departures_record(results: Results) -> dict[str, Any]:
    """The departures as the ledger records them with the close (hash-chained with it)."""
    gone = results.departures
    if gone is None or not gone.height:
        return {}
    id_col = results.id_column
    return {DEPARTURES_KEY: [{"employee": r[id_col], "draw": r["draw"], "balance": plain_text(r["balance"]),
                              "action": r["action"]} for r in gone.iter_rows(named=True)]}


def departure_lines(results: Results) -> list[str]:
    """A warning per balance owed by someone no longer in the data."""
    gone = results.departures
    if gone is None or not gone.height:
        return []
    id_col = results.id_column
    holds = {h.id for h in results.checked.policy.holds}
    clawed = {c.id for c in results.checked.policy.clawbacks}
    return [f"warning: {r[id_col]} owed {plain_text(r['balance'])} on clawback {r['draw']} at the last close and is "
            "not in this period's data: reported for recovery (balances.csv)" if r["draw"] in clawed
            else _departure_line(r[id_col], r, r["draw"] in holds) for r in gone.iter_rows(named=True)]


#: what happens to an amount held for someone who left, by the hold's ``on_leave`` (and a recovery still owed)
_HOLD_LEAVE = {"release": "released: owed to them, pay it by hand (balances.csv)",
               "forfeit": "forfeited (written off)", "report": "reported for a decision (balances.csv)",
               "recover": "reported for recovery (balances.csv)"}


def _departure_line(who: object, r: dict[str, Any], hold: bool) -> str:
    amount = plain_text(r["balance"])
    if not hold:
        return (f"warning: {who} owed {amount} on draw {r['draw']} at the last close and is not in this period's "
                "data: " + ("forgiven (written off)" if r["action"] == "forgive" else
                           "reported for recovery (balances.csv)"))
    what = f"owed a recovery of {amount}" if r["action"] == "recover" else f"had {amount} held"
    return (f"warning: {who} {what} on hold {r['draw']} at the last close and is not in this period's data: "
            + _HOLD_LEAVE.get(str(r["action"]), str(r["action"])))


@dataclass(frozen=True)
class BalanceRow:
    """One balance of one close. For a hold (``kind`` "hold") the movements read: ``shortfall`` newly
    held, ``recovered`` released from what was held, ``forgiven`` written off."""

    period: str
    employee: str
    draw: str
    opening: Decimal
    shortfall: Decimal
    recovered: Decimal
    forgiven: Decimal
    closing: Decimal
    status: str = ""
    kind: str = "draw"


def balances(policy: str, employee: str | None, period: str | None, ledger_path: str | None) -> list[BalanceRow]:
    """``incentive balances``: every draw balance the current closes of a policy recorded, in period order."""
    from incentive.app.history import policy_id_of

    policy_id = policy_id_of(policy)
    ledger = open_existing(ledger_path)
    try:
        closes = ledger.current_closes(policy_id)
        if not closes:
            raise UsageError(f"the ledger {ledger.path} has no closed period of policy {policy_id!r}")
        if period is not None:
            closes = [e for e in closes if e.period == period]
            if not closes:
                raise UsageError(f"--period: {policy_id} {period} is not closed in {ledger.path}")
        rows: list[BalanceRow] = []
        for entry in closes:
            plan = recorded_policy(entry)
            rows += _rows(ledger, entry, plan, employee)
        return rows
    finally:
        ledger.close()


#: the status of a hold's balance when its person left (by ``on_leave``; ``recover``: a recovery still owed)
_LEFT_STATUS = {"release": "released (pay by hand)", "forfeit": "forfeited", "report": "reported",
                "recover": "reported for recovery"}

#: a hold's steps shown in the draw columns of ``incentive balances`` (see ``BalanceRow``)
_HOLD_STEPS = (names.OPENING, names.HELD, names.RELEASED_EARLIER, names.WRITTEN_OFF, names.CLOSING)


#: a clawback's steps read by ``incentive balances`` (with its result column: what was recovered)
_CLAWBACK_STEPS = ("opening", "new", "carried")


def _rows(ledger: Ledger, entry: LedgerEntry, plan: Policy, employee: str | None) -> list[BalanceRow]:
    if not carries_balances(plan):
        return []
    id_col = plan.id_input.id
    steps = [names.step(d.id, s) for d in plan.draws
             for s in (names.OPENING, names.SHORTFALL, names.RECOVERED, names.FORGIVEN, names.CLOSING)]
    steps += [names.step(h.id, s) for h in plan.holds for s in _HOLD_STEPS]
    clawed = [c.id for c in plan.clawbacks if c.recovers]
    steps += [*clawed, *(names.step(c, s) for c in clawed for s in _CLAWBACK_STEPS)]
    frame = ledger.load_results(entry, columns=[id_col, *steps])
    if employee is not None:
        frame = frame.filter(pl.col(id_col).cast(pl.String) == employee)
    rows = []
    cent = Decimal(1).scaleb(-plan.money.decimals)  # the ledger keeps the engine's wide decimals
    for r in frame.iter_rows(named=True):
        for d in plan.draws:
            def v(s: str) -> Decimal:
                value = r.get(names.step(d.id, s))
                return (value if isinstance(value, Decimal) else Decimal(0)).quantize(cent)

            rows.append(BalanceRow(entry.period, str(r[id_col]), d.id, v(names.OPENING), v(names.SHORTFALL),
                                   v(names.RECOVERED), v(names.FORGIVEN), v(names.CLOSING)))
        for h in plan.holds:
            def hv(s: str) -> Decimal:
                value = r.get(names.step(h.id, s))
                return (value if isinstance(value, Decimal) else Decimal(0)).quantize(cent)

            opening, held, released, written_off, closing = (hv(s) for s in _HOLD_STEPS)
            rows.append(BalanceRow(entry.period, str(r[id_col]), h.id, opening, held, released, written_off, closing,
                                   kind="hold"))
        for c in clawed:  # a recovery owed, as a positive balance: opening, newly owed, recovered, closing
            def cv(column: str) -> Decimal:
                value = r.get(column)
                return -(value if isinstance(value, Decimal) else Decimal(0)).quantize(cent) + 0

            rows.append(BalanceRow(entry.period, str(r[id_col]), c, cv(names.step(c, "opening")),
                                   cv(names.step(c, "new")), cv(c), Decimal(0).quantize(cent),
                                   cv(names.step(c, "carried")), kind="clawback"))
    holds = {h.id for h in plan.holds}
    for gone in entry.totals.get(DEPARTURES_KEY) or []:
        if employee is None or gone.get("employee") == employee:
            balance = Decimal(str(gone.get("balance", "0"))).quantize(cent)
            zero = Decimal(0).quantize(cent)
            if gone.get("draw") in holds:
                action = str(gone.get("action"))
                rows.append(BalanceRow(entry.period, str(gone.get("employee")), str(gone.get("draw")), balance,
                                       zero, balance if action == "release" else zero,
                                       balance if action == "forfeit" else zero,
                                       balance if action in ("report", "recover") else zero,
                                       f"left: {_LEFT_STATUS.get(action, action)}", kind="hold"))
                continue
            forgive = gone.get("action") == "forgive"
            rows.append(BalanceRow(entry.period, str(gone.get("employee")), str(gone.get("draw")), balance,
                                   zero, zero, zero, zero if forgive else balance,
                                   "left: forgiven" if forgive else "left: reported for recovery",
                                   kind="clawback" if gone.get("draw") in clawed else "draw"))
    return rows
