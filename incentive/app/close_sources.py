"""``incentive close POLICY SOURCES...``: a close straight from the raw CRM export.

Crediting runs in memory; its period table (``period.csv``, exactly as
``incentive credit`` writes it) is then closed like any per-person data
file -- it is the data the ledger records, so ``verify`` and a rebuild
re-evaluate exactly it -- and the credit table and the sources record go
with the outputs (``app.recorded_sources``).
"""

from __future__ import annotations

from typing import Callable

from incentive.app.close import CloseOptions, CloseOutcome, close_period
from incentive.app.progress import SILENT, Progress
from incentive.app.recorded_sources import RecordedSources, entry_record, sources_record
from incentive.app.run import RunOptions
from incentive.app.sources_run import Sources, credit_period, period_file, table_options
from incentive.app.versioned import SplitPlan
from incentive.errors import UsageError
from incentive.policy.files import read_policy_bytes
from incentive.policy.validate import load_policy


def close_sources(policy_path: str, sources: Sources, run: RunOptions, opts: CloseOptions, *,
                  notify: Callable[[str], None] | None = None, progress: Progress = SILENT,
                  split: SplitPlan | None = None) -> CloseOutcome:
    """Credit the period from ``sources``, then close its period table (bad input: exit 2, nothing written).

    ``split``: the period is split between plan versions (``app.versioned``), which a close from the sources
    does not do -- each version would credit the sources under its own crediting file -- so it is refused."""
    if split is not None:
        raise UsageError(f"period {run.period} is split between plan versions: a split period is closed "
                         "from its per-person data file (`incentive credit` writes one from the sources)")
    say = notify or (lambda message: None)
    checked = load_policy(policy_path, data=read_policy_bytes(policy_path))
    progress.stage("read")
    credited = credit_period(checked, policy_path, sources, run)
    for note in credited.notes:
        say(f"note: {note}")
    recorded = sources_record(credited)
    with period_file(credited) as table:
        outcome = close_period(policy_path, str(table), table_options(run), opts, notify=notify, progress=progress,
                               sources=recorded)
    if outcome.already_closed:
        _check_same_sources(outcome, recorded)
    return outcome


def _check_same_sources(outcome: CloseOutcome, recorded: RecordedSources) -> None:
    """An earlier close of the same period table from other sources (or from a data file) is a refusal too:
    the sources are the close's data, and what the ledger holds of them would not be these."""
    entry = outcome.entry
    then = entry_record(entry)
    now = recorded.record
    if then is None:
        raise UsageError(f"{entry.policy_id} period {entry.period} is already closed from a per-person data file "
                         f"({entry.data_name}, ledger entry {entry.seq}) holding this very period table; a close from "
                         "the sources would record its credit table and sources too: reopen it with a reason first")
    changed = sorted(n for n in set(then["sources"]) | set(now["sources"])
                     if (then["sources"].get(n) or {}).get("sha256") != (now["sources"].get(n) or {}).get("sha256"))
    if then["credits"]["sha256"] != now["credits"]["sha256"]:
        changed.append("the credit table")
    if changed:
        raise UsageError(f"{entry.policy_id} period {entry.period} is already closed with this period table but "
                         f"other sources ({', '.join(changed)} differ; ledger entry {entry.seq}): reopen it with a "
                         "reason to close it again from these")
