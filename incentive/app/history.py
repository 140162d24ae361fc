"""``history``: one person's bands, scores and totals across the closed periods of a ledger."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from incentive.engine.clawbacks import DEALS
from incentive.engine.true_ups import APPLIED as TRUE_UP
from incentive.ledger.locate import open_existing
from incentive.policy.validate import load_policy


@dataclass(frozen=True)
class PersonPeriod:
    """One closed period's numbers of one person, as the audit record holds them."""

    policy_id: str
    period: str
    score: object
    band: str | None
    rank: object
    total: object
    recommendations: str | None
    true_up: object = None  # paid (+) or recovered (−) for corrections of earlier, already-paid periods
    clawback: object = None  # recovered (−) on deals refunded after the period that paid them
    superseded: int = 0  # earlier closes of the period, replaced by a reopen and a re-close


def person_history(employee: str, policy_id: str | None, ledger_path: str | None) -> list[PersonPeriod]:
    """``employee`` in the current close of every period (of ``policy_id``, if given), by policy and period."""
    store = open_existing(ledger_path)
    rows: list[PersonPeriod] = []
    try:
        for e in store.current_closes(policy_id):
            frame = store.load_results(e)
            id_col = frame.columns[0]
            me = frame.filter(pl.col(id_col).cast(pl.String) == employee)
            if not me.height:
                continue
            r = me.row(0, named=True)
            earlier = sum(1 for x in store.status(e.policy_id, e.period).events if x.kind == "close") - 1
            clawed = [r[c] for c in _clawback_columns(frame.columns) if r.get(c) is not None]
            rows.append(PersonPeriod(e.policy_id, e.period, r.get("score"), r.get("band"), r.get("rank"), r.get("total"),
                                     r.get("recommendations"), r.get(TRUE_UP), sum(clawed) if clawed else None,
                                     superseded=earlier))
    finally:
        store.close()
    return rows


def _clawback_columns(columns: list[str]) -> list[str]:
    """The clawback result columns of a recorded close: each has its ``<id>.deals`` step beside it."""
    present = set(columns)
    suffix = "." + DEALS
    return [c[: -len(suffix)] for c in columns if c.endswith(suffix) and c[: -len(suffix)] in present]


def policy_id_of(policy: str) -> str:
    """A policy file's id, or ``policy`` itself when it is not a file (an id)."""
    if Path(policy).is_file():
        return load_policy(policy).policy.id
    return policy

