"""True-ups: a corrected period that was already paid is settled in the next close, never overwritten.

When a period exported to payroll is reopened and closed again, the
re-close records, with its ledger entry (hash-chained like everything
else), per person and per component what was paid and what the
correction computes (``TRUE_UPS_KEY``). What was paid is the exported
close's amounts; for the total, plus what later closes already paid or
recovered of earlier corrections of the same period, so a second
correction only settles what the first left.

The total row of each person is due until a later period's close takes
it: that close pays a positive amount in full and recovers a negative one
from its pay, never below zero (``incentive.engine.true_ups``), and
records what it took from which correction (``APPLIED_KEY``), so that
``verify`` re-runs it exactly and the rest stays due for the close after.
Only current closes count: reopening the close that took a true-up gives
it back to the next close; re-correcting a period replaces its pending
items with the new difference.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from incentive.engine import true_ups as stage
from incentive.engine.results import Results
from incentive.io.periods import Period
from incentive.ledger import Ledger, LedgerEntry
from incentive.numeric import DTYPE, plain_text
from incentive.policy import names
from incentive.policy.model import Policy

#: a re-close's totals key: the differences against what was paid, {"of": ..., "rows": [...]}
TRUE_UPS_KEY = "true_ups"
#: a close's totals key: what it paid or recovered of earlier periods' corrections
APPLIED_KEY = "true_ups_applied"


@dataclass(frozen=True)
class Item:
    """What one correction still has due for one person."""

    source: str  # the entry hash of the re-close that recorded it
    period: str  # the corrected period
    ordinal: int
    employee: str
    due: Decimal


def paid_close(ledger: Ledger, policy_id: str, period: str) -> LedgerEntry | None:
    """The close of ``period`` that was exported to payroll first (what payroll paid), if any."""
    exported = {e.entry_hash for e in ledger.events(policy_id, period, kind="export")}
    if not exported:
        return None
    return next((e for e in ledger.entries(policy_id)
                 if e.kind == "close" and e.period == period and e.entry_hash in exported), None)


def corrections(ledger: Ledger, policy: Policy, period: Period, results: Results) -> dict[str, Any]:
    """The ``TRUE_UPS_KEY`` record of a re-close of a paid period (nothing for any other close)."""
    paid = paid_close(ledger, policy.id, period.label)
    if paid is None:
        return {}
    id_col = results.id_column
    components = [*(p.id for p in policy.payouts), *(p.id for p in policy.penalties), names.TOTAL]
    before = ledger.load_results(paid)
    settled = _settled(ledger, policy.id, period.label)
    rows: list[dict[str, str]] = []
    old = _by_person(before, before.columns[0], components)
    new = _by_person(results.frame, id_col, components)
    for person in sorted(set(old) | set(new)):
        for component in components:
            was = old.get(person, {}).get(component, Decimal(0))
            if component == names.TOTAL:
                was += settled.get(person, Decimal(0))
            now = new.get(person, {}).get(component, Decimal(0))
            if now != was:
                rows.append({"employee": person, "component": component, "paid": plain_text(was),
                             "corrected": plain_text(now), "difference": plain_text(now - was)})
    return {TRUE_UPS_KEY: {"of": paid.entry_hash, "of_seq": paid.seq, "rows": rows}} if rows else {}


def pending(ledger: Ledger, policy_id: str, period: Period) -> list[Item]:
    """What corrections of earlier periods still have due, oldest period first."""
    closes = ledger.current_closes(policy_id)
    taken: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for entry in closes:
        for a in (entry.totals or {}).get(APPLIED_KEY, ()):
            taken[(a["source"], a["employee"])] += Decimal(a["applied"])
    items = []
    for entry in closes:
        if entry.period_ordinal >= period.ordinal:
            continue
        for row in ((entry.totals or {}).get(TRUE_UPS_KEY) or {}).get("rows", ()):
            if row["component"] != names.TOTAL:
                continue
            left = Decimal(row["difference"]) - taken[(entry.entry_hash, row["employee"])]
            if left:
                items.append(Item(entry.entry_hash, entry.period, entry.period_ordinal, row["employee"], left))
    return items


def recorded(entry: LedgerEntry) -> list[Item]:
    """The items a recorded close took (its re-run pays exactly these)."""
    return [Item(a["source"], a["period"], 0, a["employee"], Decimal(a["due"]))
            for a in (entry.totals or {}).get(APPLIED_KEY, ())]


def adjustments(items: list[Item], id_col: str) -> pl.DataFrame | None:
    """The engine's input: per person the sum of what is due."""
    if not items:
        return None
    due: dict[str, Decimal] = defaultdict(Decimal)
    for item in items:
        due[item.employee] += item.due
    people = sorted(due)
    return pl.DataFrame({id_col: people, stage.AMOUNT: [due[p] for p in people]},
                        schema={id_col: pl.String, stage.AMOUNT: DTYPE})


def applied(items: list[Item], results: Results) -> dict[str, Any]:
    """The ``APPLIED_KEY`` record: what the close took of each item, for the people it paid.

    A person's applied amount is shared out over their items: corrections in
    their favour in full, then recoveries oldest first until the amount is
    reached; what a recovery could not take stays due."""
    if not items or stage.APPLIED not in results.frame.columns:
        return {}
    id_col = results.id_column
    frame = results.frame.select(pl.col(id_col).cast(pl.String), pl.col(stage.APPLIED))
    took = dict(zip(frame.get_column(id_col).to_list(), frame.get_column(stage.APPLIED).to_list()))
    rows: list[dict[str, str]] = []
    by_person: dict[str, list[Item]] = defaultdict(list)
    for item in sorted(items, key=lambda i: (i.ordinal, i.period, i.source)):
        by_person[item.employee].append(item)
    for person in sorted(by_person):
        if person not in took:
            continue
        mine = by_person[person]
        left = Decimal(took[person]) - sum((i.due for i in mine if i.due > 0), Decimal(0))
        for item in mine:
            if item.due > 0:
                share = item.due
            else:
                share = max(item.due, left)
                left -= share
            rows.append({"source": item.source, "period": item.period, "employee": person,
                         "due": plain_text(item.due), "applied": plain_text(share)})
    return {APPLIED_KEY: rows} if rows else {}


def absent_lines(items: list[Item], results: Results) -> list[str]:
    """A warning per true-up due to someone not in this period's data (it stays due)."""
    present = set(results.frame.get_column(results.id_column).cast(pl.String).to_list())
    return [f"warning: {i.employee} has a true-up of {plain_text(i.due)} due from the correction of {i.period} and "
            "is not in this period's data: it stays due (pay or recover it by hand if they left)"
            for i in items if i.employee not in present]


def _settled(ledger: Ledger, policy_id: str, period: str) -> dict[str, Decimal]:
    """Per person, what current closes already paid (or recovered) of corrections of ``period``."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    for entry in ledger.current_closes(policy_id):
        for a in (entry.totals or {}).get(APPLIED_KEY, ()):
            if a["period"] == period:
                out[a["employee"]] += Decimal(a["applied"])
    return out


def _by_person(frame: pl.DataFrame, id_col: str, components: list[str]) -> dict[str, dict[str, Decimal]]:
    present = [c for c in components if c in frame.columns]
    rows = frame.select(pl.col(id_col).cast(pl.String), *(pl.col(c) for c in present)).iter_rows()
    return {r[0]: {c: Decimal(v) if v is not None else Decimal(0) for c, v in zip(present, r[1:])} for r in rows}
