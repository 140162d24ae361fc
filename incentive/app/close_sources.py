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
from incentive.app.recorded_sources import sources_record
from incentive.app.run import RunOptions
from incentive.app.sources_run import Sources, credit_period, period_file, table_options
from incentive.policy.files import read_policy_bytes
from incentive.policy.validate import load_policy


def close_sources(policy_path: str, sources: Sources, run: RunOptions, opts: CloseOptions, *,
                  notify: Callable[[str], None] | None = None, progress: Progress = SILENT) -> CloseOutcome:
    """Credit the period from ``sources``, then close its period table (bad input: exit 2, nothing written)."""
    say = notify or (lambda message: None)
    checked = load_policy(policy_path, data=read_policy_bytes(policy_path))
    progress.stage("read")
    credited = credit_period(checked, policy_path, sources, run)
    for note in credited.notes:
        say(f"note: {note}")
    recorded = sources_record(credited)
    with period_file(credited) as table:
        return close_period(policy_path, str(table), table_options(run), opts, notify=notify, progress=progress,
                            sources=recorded)
