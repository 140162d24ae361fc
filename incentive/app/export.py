"""``export``: a closed period's payouts as a payroll, bank or tax file.

The amounts are the close's recorded results (``Ledger.load_results``),
nothing re-run; the policy is the copy the close recorded (for component
labels and ids). The file is written atomically: to a temporary file beside
``--out``, fsynced, hashed, recorded in the ledger, then renamed. On any
refusal nothing is written and nothing recorded.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Callable

from incentive.app.approvals import record_export, require_approved
from incentive.app.true_ups import APPLIED_KEY, paid_close
from incentive.app.close import policy_and_period, who
from incentive.errors import UsageError
from incentive.exports.build import Context, ExportTable, build_table, result_columns
from incentive.exports.layout import Layout, load_layout
from incentive.exports.people import read_people
from incentive.exports.write import write_export
from incentive.io.periods import parse_period
from incentive.ledger import Ledger, LedgerEntry
from incentive.ledger.locate import open_existing
from incentive.output.atomic import FILE_MODE, atomic_path, fsync_path
from incentive.output.manifest import sha256_file
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.validate import load_policy
from incentive.settings import resolve_ledger


@dataclass(frozen=True)
class ExportOptions:
    policy: str  # a policy file or id
    period: str
    layout: str  # a shipped layout's name or a layout file
    out: str
    people: str | None = None
    ledger: str | None = None
    by: str | None = None


@dataclass(frozen=True)
class ExportOutcome:
    path: Path
    layout: Layout
    entry: LedgerEntry  # the close exported
    rows: int
    people: int
    control_total: Decimal
    currency: str
    sha256: str


def export_period(opts: ExportOptions) -> ExportOutcome:
    """Write the export of ``opts.period``'s current close; ``UsageError`` (exit 2, nothing written) on any refusal."""
    out = _out_path(opts.out)
    layout = load_layout(opts.layout)
    _check_out(out, layout, opts)
    policy_id, period = policy_and_period(opts.policy, opts.period)
    store = open_existing(opts.ledger, readonly=False)  # the export is recorded in it
    try:
        current = store.get_close(policy_id, period)
        if current is not None:  # before the approvals: approving a re-close would not make it exportable
            _refuse_paid_again(store, current)
        entry = gate(store, policy_id, period)
        checked = recorded_policy(entry)
        # a layout that reads no people field needs no people file: one given is not read
        people = read_people(opts.people, layout.people_fields) if opts.people and layout.people_fields else None
        results = store.load_results(entry, columns=result_columns(checked.policy,
                                                                   true_up=APPLIED_KEY in (entry.totals or {})))
        table = build_table(results, checked.policy, layout, _context(entry, checked), people)
        digest = _write(table, out, lambda sha: record(store, entry, table, out, sha, who(opts.by)))
    finally:
        store.close()
    cent = Decimal(1).scaleb(-checked.policy.money.decimals)  # shown as money: 967811.20, not 967811.2
    return ExportOutcome(path=out, layout=layout, entry=entry, rows=table.rows, people=table.people,
                         control_total=table.control_total.quantize(cent), currency=_currency(entry, checked),
                         sha256=digest)


# -- the approval gate and the ledger record (incentive/app/approvals.py) ------------------------


def gate(store: Ledger, policy_id: str, period: str) -> LedgerEntry:
    """The period's current close, once every approval its policy's ``sign_off`` requires is recorded.

    A period that is not closed is refused with what is closed; a close that
    lacks approvals with the roles missing (``require_approved``)."""
    if store.get_close(policy_id, period) is None:
        status = store.status(policy_id, period)
        if status.state == "reopened":
            raise UsageError(f"{policy_id} period {period} was reopened and is not closed again; close it "
                             "before exporting (an export is made from a closed period only)")
        closed = [e.period for e in store.current_closes(policy_id)]
        hint = f" (closed periods of {policy_id}: {', '.join(closed)})" if closed else \
            f" (the ledger {store.path} has no closed period of {policy_id})"
        raise UsageError(f"{policy_id} period {period} is not closed{hint}; an export is made from a closed "
                         "period only: run `incentive close` first")
    entry, _ = require_approved(store, policy_id, period)
    return entry


def _refuse_paid_again(store: Ledger, entry: LedgerEntry) -> None:
    """A re-close of a period payroll already paid is settled by true-ups, never exported a second time."""
    paid = paid_close(store, entry.policy_id, entry.period)
    if paid is not None and paid.entry_hash != entry.entry_hash:
        raise UsageError(f"{entry.policy_id} period {entry.period} was already paid: its close in ledger entry "
                         f"{paid.seq} was exported to payroll. This re-close (ledger entry {entry.seq}) recorded the "
                         "differences as true-ups, which the next period's close pays or recovers; export that "
                         "period instead (exporting this one would pay the period twice); nothing was written")


def record(store: Ledger, entry: LedgerEntry, table: ExportTable, out: Path, sha256: str, actor: str) -> None:
    """Record the export (kind "export") against the close; the gate is checked again under the ledger's lock."""
    record_export(store, entry, _payload(table, out, sha256), actor)


def _payload(table: ExportTable, out: Path, sha256: str) -> dict[str, object]:
    return {"layout": table.layout.name, "file": out.name, "sha256": sha256, "rows": table.rows,
            "control_total": str(table.control_total), "currency": table.currency}


# -------------------------------------------------------------------------------------------------


def _out_path(out: str) -> Path:
    path = Path(out)
    if path.is_dir():
        raise UsageError(f"--out {out}: is a directory; give the path of the file to write (e.g. {path / 'export.csv'})")
    if not path.parent.is_dir():
        raise UsageError(f"--out {out}: the directory {path.parent} does not exist")
    return path


_SUFFIXES = {".csv": "csv", ".xlsx": "xlsx", ".xls": "xls", ".xlsm": "xlsm"}


def _check_out(out: Path, layout: Layout, opts: ExportOptions) -> None:
    """Refuse an --out that would overwrite an input, or whose extension names another format."""
    target = out.resolve()
    inputs = {"the ledger": resolve_ledger(opts.ledger).path, "the people file": opts.people,
              "the layout file": opts.layout if Path(opts.layout).is_file() else None,
              "the policy file": opts.policy if Path(opts.policy).is_file() else None}
    for what, path in inputs.items():
        if path is not None and Path(path).resolve() == target:
            raise UsageError(f"--out {opts.out}: is {what}; give the path of a new file")
    named = _SUFFIXES.get(out.suffix.lower())
    if named is not None and named != layout.format:
        raise UsageError(f"--out {opts.out}: the layout {layout.name} writes {layout.format.upper()}, but the file "
                         f"is named .{out.suffix.lower().lstrip('.')}; name it .{layout.format}")


def recorded_policy(entry: LedgerEntry) -> CheckedPolicy:
    """The policy exactly as the close evaluated it (its copy in the ledger)."""
    text = (entry.policy_text or "").encode("utf-8")
    return load_policy(f"{entry.describe()} policy", data=text)


def _currency(entry: LedgerEntry, checked: CheckedPolicy) -> str:
    recorded = (entry.totals or {}).get("currency")
    return recorded if isinstance(recorded, str) and recorded else checked.policy.currency


def _context(entry: LedgerEntry, checked: CheckedPolicy) -> Context:
    period = parse_period(entry.period, checked.policy.period)
    try:
        total = Decimal(str((entry.totals or {})["total"]))
    except (KeyError, InvalidOperation):
        raise UsageError(f"{entry.describe()} has no recorded payout total; it cannot be exported") from None
    return Context(period=entry.period, period_start=period.start, period_end=period.end,
                   export_date=datetime.now(timezone.utc).date(), currency=_currency(entry, checked),
                   close_total=total)


def _write(table: ExportTable, out: Path, recorded: Callable[[str], None]) -> str:
    with atomic_path(out) as tmp:
        write_export(table, tmp)
        os.chmod(tmp, FILE_MODE)
        fsync_path(tmp)  # on disk before the ledger says it was written
        digest = sha256_file(tmp)
        recorded(digest)  # a refusal here (a reopen meanwhile) removes the temporary file: nothing written
    return digest
