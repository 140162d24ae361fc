"""Clawbacks: what a refunded deal earned when it was paid, read from the ledger and taken back.

A refund credited in this period of a line dated in an earlier period, of a
source a ``recover``-mode clawback names, is left out of this period's
measures (``incentive.credits.recover``); crediting hands its credits here
instead, one per person, line and refund, as the clawback's basis measure
counts them. For each, the line's period's current close gives what the
person was paid and the basis it was earned on::

    recovered = round(paid × refunded / basis)    paid = Σ the clawback's payouts in that close
                                                   basis = its basis input in that close
    (refunded / basis taken as at most 1; nothing when basis or paid is not positive)

rounded to the currency with the policy's ``money.rounding`` -- the pro-rata
share of that close's pay at its own rate, whatever the tiers did. The close
records every row (``CLAWBACKS_KEY``, hash-chained with it), so a rebuild
and ``verify`` re-run exactly these amounts; the engine recovers them from
this period's pay and carries what pay cannot cover (``engine.clawbacks``).
A refund whose line's period has no close, or whose person that close did
not evaluate, cannot be recovered: that is an error before anything is
written (net the refund instead, ``mode: net``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass
from decimal import Context, Decimal, localcontext
from typing import Any, Mapping

import polars as pl

from incentive.engine import clawbacks as stage
from incentive.engine.results import Results
from incentive.errors import UsageError
from incentive.io.periods import Period
from incentive.ledger import Ledger, LedgerEntry
from incentive.numeric import DTYPE, plain_text, py_round
from incentive.policy.model import Clawback, Policy

#: a close's totals key: the recoveries this close computed, one row per person, line and refund
CLAWBACKS_KEY = "clawbacks"
_EXACT = Context(prec=80)


@dataclass(frozen=True)
class Recovered:
    """One refund of one line, for one person: what it takes back, and from which close."""

    clawback: str
    employee: str
    line: str
    refund: str
    source: str
    period: str  # the line's period: the close the commission was paid in
    of: str  # that close's entry hash
    refunded: str  # the person's credit of the refund (positive), as the basis measure counts it
    basis: str  # the person's basis in that close
    paid: str  # what the clawback's payouts paid them in that close
    recovered: str  # what this takes back (<= 0)


def assess(ledger: Ledger, policy: Policy, period: Period, found: Mapping[str, pl.DataFrame],
           files: Mapping[str, str]) -> list[Recovered]:
    """The recoveries of this period's refunds (``found``: clawback id -> credits, ``credits.recover``);
    ``UsageError`` naming the refund, line, person and period when one has no close to recover from."""
    cache: dict[tuple[str, str], tuple[LedgerEntry | None, dict[str, tuple[Decimal, Decimal]]]] = {}
    rows: list[Recovered] = []
    problems: list[str] = []
    for clawback in policy.clawbacks:
        credits = found.get(clawback.id)
        if not clawback.recovers or credits is None or not credits.height:
            continue
        grouped = (credits.group_by("person", "source", "event_id", "line_id", "line_date")
                   .agg(pl.col("credited").sum()).sort("person", "line_id", "event_id"))
        refunded_by = set(grouped.get_column("person").to_list())
        for person, source, refund, line, line_date, credited in grouped.iter_rows():
            original = Period.containing(policy.period, line_date)
            key = (clawback.id, original.label)  # each clawback reads its own basis and payouts
            if key not in cache:
                cache[key] = _close_of(ledger, policy, clawback, original, refunded_by)
            entry, people = cache[key]
            where = (f"{files.get(source, source)}: refund {refund} of line {line} (dated {line_date}, "
                     f"{original.label}), credited to {person}")
            if entry is None:
                problems.append(f"{where}: clawback {clawback.id} recovers what {person} was paid on the line in "
                                f"{original.label}, but {policy.id} {original.label} has no close in this ledger; "
                                f"close {original.label} first, or net such refunds (clawbacks.{clawback.id}.mode: net)")
                continue
            if person not in people:
                problems.append(f"{where}: clawback {clawback.id} recovers what {person} was paid on the line, but "
                                f"{person} has no earlier close: {policy.id} {original.label} (ledger entry {entry.seq}) "
                                f"did not evaluate {person}; recover it by hand, or net such refunds "
                                f"(clawbacks.{clawback.id}.mode: net)")
                continue
            basis, paid = people[person]
            refunded = -Decimal(credited)
            rows.append(Recovered(clawback.id, person, line, refund, source, original.label, entry.entry_hash,
                                  plain_text(refunded), plain_text(basis), plain_text(paid),
                                  plain_text(-_share(paid, refunded, basis, policy))))
    if problems:
        raise UsageError("\n".join(problems) + "\nnothing was recorded")
    return rows


def _share(paid: Decimal, refunded: Decimal, basis: Decimal, policy: Policy) -> Decimal:
    """``round(paid × min(refunded / basis, 1))``, exact until the one rounding."""
    if basis <= 0 or paid <= 0 or refunded <= 0:
        return Decimal(0)
    with localcontext(_EXACT):
        exact = paid if refunded >= basis else paid * refunded / basis
    return py_round(exact, policy.money.decimals, policy.money.rounding)


def _close_of(ledger: Ledger, policy: Policy, clawback: Clawback, period: Period,
              wanted: set[str]) -> tuple[LedgerEntry | None, dict[str, tuple[Decimal, Decimal]]]:
    """The current close of ``period`` and, for the ``wanted`` people it evaluated, (basis, paid by the
    clawback's payouts) in it."""
    entry = ledger.get_close(policy.id, period.label)
    if entry is None:
        return None, {}
    id_col = policy.id_input.id
    frame = ledger.load_results(entry, columns=[id_col, clawback.basis, *clawback.payouts])
    lacking = [c for c in (clawback.basis, *clawback.payouts) if c not in frame.columns]
    if lacking:  # closed under a policy without them: nothing to read the rate from
        raise UsageError(f"clawback {clawback.id}: {policy.id} {period.label} (ledger entry {entry.seq}) was closed "
                         f"without {', '.join(lacking)}, so what its pay on a refunded deal was cannot be read from "
                         f"it; recover such refunds by hand, or net them (clawbacks.{clawback.id}.mode: net); "
                         "nothing was recorded")
    zero = pl.lit(0, dtype=DTYPE)
    picked = frame.lazy().select(
        pl.col(id_col).cast(pl.String).alias("person"), pl.col(clawback.basis).cast(DTYPE).fill_null(zero),
        pl.sum_horizontal([pl.col(p).cast(DTYPE).fill_null(zero) for p in clawback.payouts]).cast(DTYPE).alias("paid"),
    ).filter(pl.col("person").is_in(sorted(wanted))).collect()
    return entry, {person: (basis, paid) for person, basis, paid in picked.iter_rows()}


def frames(rows: list[Recovered], id_col: str) -> dict[str, pl.DataFrame]:
    """The engine's input: per clawback, per person the sum recovered and the deals it comes from."""
    due: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    deals: dict[str, dict[str, list[dict[str, str]]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        due[r.clawback][r.employee] += Decimal(r.recovered)
        deals[r.clawback][r.employee].append({"line": r.line, "refund": r.refund, "period": r.period,
                                              "refunded": r.refunded, "basis": r.basis, "paid": r.paid,
                                              "recovered": r.recovered})
    out = {}
    for clawback, people in due.items():
        ids = sorted(people)
        out[clawback] = pl.DataFrame(
            {id_col: ids, stage.AMOUNT: [people[p] for p in ids],
             stage.DEALS: [json.dumps(deals[clawback][p], ensure_ascii=False, separators=(",", ":")) for p in ids]},
            schema={id_col: pl.String, stage.AMOUNT: DTYPE, stage.DEALS: pl.String})
    return out


def record(rows: list[Recovered]) -> dict[str, Any]:
    """The ``CLAWBACKS_KEY`` record of a close (nothing when it recovered nothing new)."""
    return {CLAWBACKS_KEY: [asdict(r) for r in rows]} if rows else {}


def recorded(entry: LedgerEntry) -> list[Recovered]:
    """The recoveries a recorded close computed (its re-run takes exactly these)."""
    return [Recovered(**r) for r in (entry.totals or {}).get(CLAWBACKS_KEY, ())]


def absent_lines(rows: list[Recovered], results: Results) -> list[str]:
    """A warning per recovery from someone not in this period's data (nothing can be taken from their pay)."""
    present = set(results.frame.get_column(results.id_column).cast(pl.String).to_list())
    return [f"warning: clawback {r.clawback}: {r.employee} owes {plain_text(-Decimal(r.recovered))} on line {r.line} "
            f"({r.period}, refund {r.refund}) and is not in this period's data: recorded, not recovered from pay; "
            "recover it by hand" for r in rows if r.employee not in present and Decimal(r.recovered)]
