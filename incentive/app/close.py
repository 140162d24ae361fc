"""The period close: official results, written all-or-nothing, locked in the ledger.

A close evaluates the policy on the period's data with the history recorded
in the ledger, writes every output into a temporary directory, records the
close in the ledger (one transaction, which also decides a race between two
concurrent closes; it starts, and stores the large blobs, as soon as the
audit record is written, while the other outputs still are), and only then
moves the directory into place as ``OUT/<policy>/<period>/``. Any failure
before that leaves neither outputs nor a ledger entry. The ledger is the
source of truth: should the final rename ever fail after the ledger
committed, ``incentive verify`` rebuilds and checks the outputs from what
the ledger recorded.

Closing a closed period again with identical policy and data bytes is a
no-op that says so; with anything different it is refused until the period
is reopened with a reason.

Every thread of a close is started in ``close_period``, which reads in the
close's order: read → evaluate → audit record → stage the ledger (blobs) →
the other outputs → commit → rename.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from incentive import __version__
from incentive.app.effective import parse_effective_period
from incentive.app.balances import (carries_balances, check_balance_order, departure_lines, departures_record,
                                    dependents, reopen_guard)
from incentive.app.policy_copy import recorded_policy
from incentive.app.outputs import WRITERS, OutputChoices, preload_charts, start_outputs
from incentive.app.progress import SILENT, Progress
from incentive.app.rebuild import engine_note, outputs_intact, rebuild
from incentive.app.recorded_options import OPTIONS_KEY, differences, record
from incentive.app.recorded_sources import RecordedSources, restorable, totals_of, write_files
from incentive.app.run import RunOptions, read_data
from incentive.app.statements import HISTORY_COLUMNS
from incentive.app.versioned import VERSIONS_KEY, SplitPlan, evaluate_split
from incentive.app import clawbacks, true_ups
from incentive.engine.pipeline import evaluate
from incentive.engine.results import Results
from incentive.errors import IncentiveError, UsageError
from incentive.io.periods import parse_period
from incentive.ledger import CloseRecord, Ledger, LedgerEntry, LedgerError, PeriodAlreadyClosed, utc_now
from incentive.ledger.history_note import no_history
from incentive.ledger.locate import open_existing, open_or_create
from incentive.ledger.staging import pack_data
from incentive.output.atomic import atomic_directory
from incentive.output.manifest import MANIFEST_NAME
from incentive.policy.approval import approval_record, period_problems
from incentive.policy.files import read_policy_bytes
from incentive.policy.validate import load_policy
from incentive.report.forfeits import check_totals
from incentive.settings import resolve_ledger
from incentive.stops import held_stops
from incentive.policy.model import Policy


#: the key of a ledger entry's ``totals`` holding the plan's approval record (the entry hash covers it;
#: never a payout id: ids have no ``@``); absent when the policy has no ``approval:``
APPROVAL_KEY = "@approval"


@dataclass(frozen=True)
class CloseOptions:
    out: str = "out"
    ledger: str | None = None
    by: str | None = None
    xlsx: bool = False
    trace: bool = False
    html: bool = True
    strict: bool = False  # refuse, rather than warn: history the ledger does not show, a missing or late approval
    statements: bool = False  # also statements/<id>.html, one per person (app.statements)


@dataclass(frozen=True)
class CloseOutcome:
    directory: Path
    entry: LedgerEntry  # the close recorded, or the earlier identical one
    results: Results | None
    already_closed: bool = False
    restored: bool = False  # the outputs of an earlier identical close were rebuilt


def who(by: str | None) -> str:
    if by and by.strip():
        return by.strip()
    return os.environ.get("INCENTIVE_USER") or getpass.getuser()


def output_dir(out: str, policy_id: str, period_label: str) -> Path:
    """``OUT/<policy>/<period>``; ids and labels are validated, so no traversal."""
    for part in (policy_id, period_label):
        if not part or part in (".", "..") or "/" in part or "\\" in part or "\x00" in part:
            raise UsageError(f"refusing to write outside {out}: unsafe path component {part!r}")
    return Path(out) / policy_id / period_label


def close_period(policy_path: str, data_path: str, run: RunOptions, opts: CloseOptions, *,
                 notify: Callable[[str], None] | None = None, progress: Progress = SILENT,
                 sources: RecordedSources | None = None, split: SplitPlan | None = None) -> CloseOutcome:
    """Close one period. ``notify`` receives what the user should read on
    stderr beside the outcome: a ledger created, no history visible, a data
    file already closed for another period. ``progress`` is told each stage
    as it starts (read, evaluate, outputs, ledger). ``sources``: a close
    from the crediting sources (``app.close_sources``) -- ``data_path`` is
    its period table; the record and credits.csv go with the outputs. ``split``: a period split between
    plan versions (``app.versioned``) -- ``policy_path`` is its primary version's file, and the close
    records the day-weighted results of every version and every version's text."""
    say = notify or (lambda message: None)
    if opts.html:
        preload_charts()
    if run.overrides:
        raise UsageError("close: --set is for what-if runs (evaluate, diff); an official close evaluates "
                         "the policy file exactly as committed")
    policy_bytes = read_policy_bytes(policy_path)  # D11: stat first, bounded read
    checked = load_policy(policy_path, data=policy_bytes)  # the bytes hashed are the bytes evaluated
    policy = checked.policy
    # a lone file closes only within its effective dates; a split's primary covers part of the period
    period = parse_period(run.period, policy.period) if split is not None else parse_effective_period(run.period, policy)
    for problem in period_problems(policy, period.label, period.start):  # before anything is created
        if opts.strict:
            raise UsageError(f"{problem}; --strict refuses to close it")
        say(f"warning: {problem}")
    policy_sha = _sha256(policy_bytes)
    progress.stage("read")
    data = read_data(data_path, policy, run, keep_bytes=True)
    data_bytes = data.raw  # the ledger keeps exactly the bytes that were evaluated
    assert data_bytes is not None  # keep_bytes=True: the reader kept them
    target = output_dir(opts.out, policy.id, period.label)
    depth = max(int(c.history_depth_needed or 0) for c in (split.versions if split is not None else (checked,)))
    setting = resolve_ledger(opts.ledger)
    if opts.strict and depth and not setting.path.exists():  # refuse before creating anything
        raise UsageError(no_history(policy.id, period.label, setting.path, depth) +
                         "; --strict refuses to close without history")
    options = record(run, xlsx=opts.xlsx, trace=opts.trace, html=opts.html, statements=opts.statements)
    outputs_chosen = {"xlsx": opts.xlsx, "trace": opts.trace, "html": opts.html, "statements": opts.statements}
    ledger = open_or_create(opts.ledger, say)
    background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="incentive-pack")
    try:
        wanted = [policy.id_input.id, *sorted(checked.history_names)]
        current = ledger.get_close(policy.id, period.label)
        if current is not None:
            if split is not None and _version_shas(current.totals) != _version_shas(split.record()):
                raise PeriodAlreadyClosed(current)  # the same primary file, another version beside it
            return _close_again(ledger, current, target, policy_sha, data.sha256, run, outputs_chosen, progress)
        for other in ledger.closes_with_data(policy.id, data.sha256):
            if other.period != period.label:
                say(f"warning: {Path(data_path).name} is byte for byte the data file already closed for "
                    f"{policy.id} {other.period} (ledger entry {other.seq}, {other.data_name}): is it a copy of "
                    "that period's file?")
        packing = background.submit(pack_data, data_bytes, data.sha256)  # packed while the close evaluates
        used = ledger.history_entries(policy.id, period.ordinal, depth)
        if carries_balances(policy):
            check_balance_order(ledger, policy, period, used)
        if depth and not used:
            note = no_history(policy.id, period.label, ledger.path, depth)
            if opts.strict:
                raise UsageError(note + "; --strict refuses to close without history")
            say(f"warning: {note}")
        history_hashes = {o: e.entry_hash for o, e in used.items()}
        history = {period.ordinal - o: ledger.load_results(e, columns=wanted) for o, e in used.items()}
        shown = [policy.id_input.id, *HISTORY_COLUMNS]  # the statements' history: the closes evaluated with
        choices = OutputChoices(xlsx=opts.xlsx, trace=opts.trace, html=opts.html, lang=run.lang, recorded=options,
                                statements=opts.statements,
                                statement_history={o: ledger.load_results(e, columns=shown) for o, e in used.items()}
                                if opts.statements else None,
                                sources=sources.record if sources is not None else None)
        progress.stage("evaluate")
        due = true_ups.pending(ledger, policy.id, period)
        recovered = (clawbacks.assess(ledger, policy, period, sources.recoveries, sources.paths)
                     if sources is not None else [])
        if split is None:
            results = evaluate(checked, data, period, history=history, lang=run.lang,
                               adjustments=true_ups.adjustments(due, policy.id_input.id),
                               recoveries=clawbacks.frames(recovered, policy.id_input.id))
        else:
            if due:
                raise UsageError(f"{policy.id} {period.label} is split between plan versions and has true-ups of "
                                 f"corrected earlier periods due ({len(due)}); a true-up is not weighted by days: "
                                 "hand the versions over on a period edge, or close the period from one version")
            primary_file = split.primary.policy.file
            results = evaluate_split(
                split, lambda c: data if c.policy.file == primary_file else read_data(data_path, c.policy, run),
                lambda c: {period.ordinal - o: ledger.load_results(
                    e, columns=[c.policy.id_input.id, *sorted(c.history_names)]) for o, e in used.items()},
                period, lang=run.lang)
        check_totals(results)  # B6: a total past the engine's range is exit 2 before anything is written
        for line in (departure_lines(results) + true_ups.absent_lines(due, results)
                     + clawbacks.absent_lines(recovered, results)):
            say(line)
        settlement = {**true_ups.applied(due, results), **true_ups.corrections(ledger, policy, period, results),
                      **clawbacks.record(recovered)}
        staged = None
        window = ExitStack()  # from just before the commit until the rename: stop signals wait (stops.py)
        held: list[str] = []
        try:
            with atomic_directory(target) as tmp, \
                    ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="incentive-write") as writers:
                progress.stage("outputs")
                write_files(tmp, sources)
                pending = start_outputs(results, tmp, policy_bytes, choices, writers)
                try:
                    audit = pending.audit.result()  # the ledger stores these very bytes
                    assert audit.data is not None  # the audit file's bytes are always kept (outputs.write)
                    # the ledger takes its write lock and stores the big blobs while the
                    # other outputs are still being written; the entry follows at the end
                    staged = ledger.stage_close(
                        policy.id, period.label, period.ordinal, history_hashes=history_hashes,
                        results_parquet=audit.data, results_sha256=audit.sha256,
                        results_rows=results.frame.height, packed_data=packing.result())
                    outputs = pending.finish()
                except BaseException:
                    pending.cancel()  # start no further file; the pool waits for the running ones
                    raise
                progress.stage("ledger")
                record_ = CloseRecord(
                    policy_id=policy.id, period=period.label, period_ordinal=period.ordinal,
                    policy_version=policy.version, policy_sha256=policy_sha,
                    policy_text=policy_bytes.decode("utf-8"), data_sha256=data.sha256, data_bytes=data_bytes,
                    data_name=Path(data_path).name, outputs=outputs, engine_version=__version__,
                    closed_by=who(opts.by), closed_at=utc_now(),
                    totals={**_manifest_totals(tmp), OPTIONS_KEY: options, **_approval(policy),
                            **departures_record(results), **settlement, **totals_of(sources),
                            **(split.record() if split is not None else {})},
                    history_hashes=history_hashes,
                )
                held = window.enter_context(held_stops())
                entry = staged.commit(record_)
        except PeriodAlreadyClosed as exc:
            # a concurrent close of the same period won the race: with identical inputs
            # and options that is the documented no-op, not a refusal
            _check_identical(exc.entry, policy_sha, data.sha256, run, outputs_chosen)
            return CloseOutcome(target, exc.entry, None, already_closed=True)
        finally:
            window.close()  # after the rename (or the failure): a held stop signal is reported below
            if staged is not None:
                staged.abort()  # a no-op once committed
        if held:
            say(f"warning: {' and '.join(held)} arrived after the ledger recorded the close; the close was "
                "finished, its outputs are in place")
        return CloseOutcome(target, entry, results)
    finally:
        ledger.close()
        background.shutdown(wait=False, cancel_futures=True)


def _close_again(ledger: Ledger, current: LedgerEntry, target: Path, policy_sha: str, data_sha: str, run: RunOptions,
                 outputs_chosen: dict[str, bool], progress: Progress) -> CloseOutcome:
    """The period is closed: identical inputs and options are a no-op, and outputs
    that went missing or changed (a crash between the ledger commit and the
    rename, or a deletion) are rebuilt exactly, as verify re-runs."""
    _check_identical(current, policy_sha, data_sha, run, outputs_chosen)
    if outputs_intact(target, current.outputs):
        return CloseOutcome(target, current, None, already_closed=True)
    progress.stage("outputs")
    with atomic_directory(target) as tmp:
        results, outputs = rebuild(ledger, current, tmp, restorable(current, target))
        if outputs != dict(current.outputs):
            raise LedgerError(f"{target}: rebuilt outputs differ from what ledger entry {current.seq} "
                              f"recorded{engine_note(current)}; run `incentive verify`")
    return CloseOutcome(target, current, results, already_closed=True, restored=True)


def reopen_period(policy: str, period: str, reason: str, ledger_path: str | None, by: str | None, *,
                  notify: Callable[[str], None] | None = None, cascade: bool = False) -> LedgerEntry:
    """Reopen a closed period so it can be closed again; ``policy`` is a policy file or a policy id.
    Returns the reopen's ledger entry; ``notify`` hears what the user must know (a period already paid,
    the later periods ``cascade`` reopened first because their balances started from this one)."""
    policy_id, label = policy_and_period(policy, period)
    store = open_existing(ledger_path, readonly=False)  # nothing to reopen in a ledger that does not exist
    try:
        current = store.get_close(policy_id, label)
        if current is not None:
            try:
                plan = recorded_policy(current)
            except IncentiveError:  # a copy this engine no longer reads: it cannot have draws to guard
                plan = None
            if plan is not None and cascade:
                for later in dependents(store, current, plan):  # newest first: each reopen leaves a valid chain
                    done = store.reopen(policy_id, later.period, f"cascade from {label}: {reason}", who(by))
                    if notify is not None:
                        notify(f"reopened {policy_id} {later.period} first (ledger entry {done.seq}): its balances "
                               f"started from {label}; close it again after {label}, in period order")
            elif plan is not None:
                reopen_guard(store, current, plan)
            exports = [e for e in store.events(policy_id, label, kind="export") if e.entry_hash == current.entry_hash]
            if exports and notify is not None:
                notify(f"warning: {policy_id} {label} was exported to payroll ({len(exports)} file(s), last "
                       f"{exports[-1].at} by {exports[-1].by}); its re-close records the differences against what "
                       "was paid, and the next period's close pays or recovers them as a true-up (the re-close "
                       "itself is not exported again)")
        return store.reopen(policy_id, label, reason, who(by))
    finally:
        store.close()


def policy_and_period(policy: str, period: str) -> tuple[str, str]:
    """The id and period label of a policy file (the label normalised), or both as given (an id)."""
    if Path(policy).is_file():
        checked = load_policy(policy)
        return checked.policy.id, parse_period(period, checked.policy.period).label
    return policy, period


def _check_identical(current: LedgerEntry, policy_sha: str, data_sha: str, run: RunOptions, outputs: dict[str, bool]) -> None:
    """An earlier close of the period with other inputs or options is a refusal (reopen first)."""
    if not current.same_inputs(policy_sha, data_sha):
        raise PeriodAlreadyClosed(current)
    changed = differences(current, run, outputs)
    if changed:
        raise UsageError(f"{current.policy_id} period {current.period} is already closed with identical policy "
                         f"and data but other options ({'; '.join(changed)}; ledger entry {current.seq}). "
                         "Re-run with the recorded options, or reopen it with a reason to close it again")


def _version_shas(totals: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """(file, sha256) of each version a split close weighted (none for any other close)."""
    return [(str(v.get("file")), str(v.get("sha256"))) for v in (totals or {}).get(VERSIONS_KEY) or ()]


def _approval(policy: Policy) -> dict[str, dict[str, str]]:
    """The approval record as the ledger entry keeps it, or nothing for a policy without one."""
    return {APPROVAL_KEY: approval_record(policy.approval)} if policy.approval is not None else {}


def _manifest_totals(directory: Path) -> dict:
    return json.loads((directory / MANIFEST_NAME).read_text(encoding="utf-8"))["totals"]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
