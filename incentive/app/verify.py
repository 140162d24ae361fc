"""``verify``: prove a close is what the ledger says it is.

Three independent checks, each naming what was tampered with:

1. the ledger's hash chain (every entry, every blob, every link);
2. an output directory against its ``manifest.json`` and against the output
   hashes the ledger recorded for that close;
3. a re-run: the close is recomputed from the policy text, the data bytes and
   the history the ledger recorded, and every regenerated output must hash
   exactly as recorded.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Sequence

from incentive.app.close_dir import read_manifest
from incentive.app.approvals import required_roles
from incentive.app.close import APPROVAL_KEY
from incentive.app.rebuild import engine_note, rebuild
from incentive.app.recorded_sources import carried_files, recorded_names
from incentive.app.verify_credits import check_credit_table
from incentive.policy.approval import approval_record
from incentive.errors import UsageError
from incentive.ledger import Ledger, LedgerEntry
from incentive.ledger.events import Event
from incentive.ledger.locate import existing
from incentive.output.manifest import MANIFEST_NAME, check_manifest, sha256_file


def verify(directory: str | None, ledger_path: str | None, *,
           heads: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """(problems, what was checked). No problems means everything matched.

    ``heads`` are entry or event hashes recorded outside the ledger (``close``
    prints the new head, ``approve`` the events head): a hash chain proves
    every row since the first, but not that the newest were not cut off; an
    anchor kept elsewhere does.
    """
    wanted = [_head_hash(h) for h in heads]
    path = existing(ledger_path).path
    ledger = Ledger(path, readonly=True)  # verify never writes: it works on a copy or a read-only mount too
    problems: list[str] = []
    checked: list[str] = []
    try:
        problems += ledger.verify_chain()
        entries_now = ledger.entries()
        events_now = ledger.events()
        checked.append(f"ledger {path}: hash chain of {len(entries_now)} entries"
                       + (f" and {len(events_now)} events (approvals, exports, inquiries)" if events_now else ""))
        for head in wanted:
            problems += _check_head(path, entries_now, events_now, head, checked)
        if not problems:
            problems += _export_roles(ledger, events_now)
        if problems:
            return problems, checked
        if directory is not None:
            entry = _entry_for_directory(ledger, Path(directory), problems)
            checked.append(f"outputs in {directory} against manifest.json and the ledger")
            entries = [entry] if entry is not None else []
        else:
            entries = ledger.current_closes()  # in policy and period order
        for entry in entries:
            problems += rerun(ledger, entry, Path(directory) if directory is not None else None)
            checked.append(f"re-run of {entry.policy_id} {entry.period} (entry {entry.seq})")
            credit_problems, credit_checked = check_credit_table(ledger, entry, Path(directory) if directory else None)
            problems += credit_problems
            checked += credit_checked
    finally:
        ledger.close()
    return problems, checked


def _head_hash(text: str) -> str:
    head = text.strip().lower()
    if not (12 <= len(head) <= 64 and all(c in "0123456789abcdef" for c in head)):
        raise UsageError(f"--head: expected an entry hash (12 to 64 hex digits, as `close` prints), got {text!r}")
    return head


def _check_head(path: Path, entries: list[LedgerEntry], events: list[Event], head: str,
                checked: list[str]) -> list[str]:
    found = [e for e in entries if e.entry_hash.startswith(head)]
    found_events = [e for e in events if e.event_hash.startswith(head)]
    if len(found) + len(found_events) > 1:
        raise UsageError(f"--head {head}: matches {len(found) + len(found_events)} entries and events; "
                         "give more digits")
    if found_events:
        event = found_events[0]
        later = sum(1 for e in events if e.seq > event.seq)
        checked.append(f"recorded events head {head[:16]}… is event {event.seq} of the chain ({later} events after it)")
        return []
    if not found:
        return [f"ledger {path}: entry {head[:16]}… (a head recorded earlier) is not in the ledger -- entries (or "
                "events) were removed from its end, or the ledger was replaced"]
    entry = found[0]
    later = sum(1 for e in entries if e.seq > entry.seq)
    checked.append(f"recorded head {head[:16]}… is entry {entry.seq} of the chain ({later} entries after it)")
    return []


def _export_roles(ledger: Ledger, events: list[Event]) -> list[str]:
    """Each export recorded the approvals its close's policy required (the ledger checks they were there)."""
    problems = []
    for event in events:
        if event.kind != "export":
            continue
        close = ledger.find(event.entry_hash)
        if close is None:
            continue  # the chain check reported it
        required = list(required_roles(close))
        if event.payload.get("required_roles") != required:
            problems.append(f"{event.describe()}: records required approvals {event.payload.get('required_roles')}, "
                            f"but the policy of ledger entry {close.seq} requires {required} -- an export without "
                            "the approvals it needed")
    return problems


def _entry_for_directory(ledger: Ledger, directory: Path, problems: list[str]) -> LedgerEntry | None:
    if not directory.is_dir():
        raise UsageError(f"{directory}: not a directory (give OUT/<policy>/<period> of a close)")
    if not (directory / MANIFEST_NAME).exists():
        raise UsageError(f"{directory}: no {MANIFEST_NAME}: not a close output directory")
    manifest = read_manifest(directory / MANIFEST_NAME)  # bounded and shape-checked before anything trusts it
    for name in check_manifest(directory):
        problems.append(f"{directory / name}: does not match manifest.json (changed, missing or extra)")
    policy_id, period = manifest["policy"]["id"], manifest["period"]
    entry = ledger.get_close(policy_id, period)
    if entry is None:
        problems.append(f"{directory}: the ledger has no current close of {policy_id} {period}")
        return None
    for name, sha in sorted(entry.outputs.items()):
        f = directory / name
        if not f.is_file():
            problems.append(f"{f}: missing (recorded in ledger entry {entry.seq})")
        elif sha256_file(f) != sha:
            problems.append(f"{f}: differs from what ledger entry {entry.seq} recorded -- tampered")
    return entry


def rerun(ledger: Ledger, entry: LedgerEntry, directory: Path | None = None) -> list[str]:
    """Recompute ``entry`` from its recorded inputs and options; list outputs that differ.

    ``directory``: the close's output directory, whose recorded credit table (a close from the sources)
    the re-run carries over; without it that file is listed as recorded and not compared."""
    with tempfile.TemporaryDirectory(prefix="incentive-verify-") as tmp_name:
        out = Path(tmp_name)
        carried = carried_files(entry, directory)
        results, _ = rebuild(ledger, entry, out, carried)
        not_at_hand = set(recorded_names(entry)) - set(carried)
        problems = []
        approval = results.checked.policy.approval
        expected = approval_record(approval) if approval is not None else None
        if entry.totals.get(APPROVAL_KEY) != expected:  # closes before approvals were recorded have neither
            problems.append(f"{entry.policy_id} {entry.period}: ledger entry {entry.seq} records approval "
                            f"{entry.totals.get(APPROVAL_KEY)!r}, its recorded policy {expected!r}")
        for name, sha in sorted(entry.outputs.items()):
            f = out / name
            if name in not_at_hand:
                continue  # the ledger keeps its hash only: checked with the close directory (check_credit_table)
            if not f.is_file():
                problems.append(f"{entry.policy_id} {entry.period}: re-run did not produce {name}")
            elif sha256_file(f) != sha:
                problems.append(f"{entry.policy_id} {entry.period}: re-run gives a different {name} "
                                f"than recorded in ledger entry {entry.seq}{engine_note(entry)}")
        return problems

