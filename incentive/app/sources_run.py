"""Evaluating a period straight from the crediting sources (the raw CRM export).

Crediting runs in memory (``app.credit.credit_sources``); its period table
is written, as ``incentive credit`` writes it, into a private temporary
directory and evaluated like any per-person data file. So an evaluation or a
close from the sources is, byte for byte, the evaluation of the
``period.csv`` that ``incentive credit`` writes -- and that file is what a
close records as its data.
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

import polars as pl

from incentive.app import clawbacks
from incentive.app.credit import PERIOD_FILE, CreditRun, credit_sources
from incentive.app.progress import SILENT, Progress
from incentive.app.run import RunOptions, load, run_evaluation
from incentive.credits.definition import Definition
from incentive.engine.results import Results
from incentive.errors import UsageError
from incentive.io.periods import Period
from incentive.ledger.locate import open_existing
from incentive.policy.expr.checked import CheckedPolicy
from incentive.report.credit_lines import CreditLines, MeasureInfo, from_file

#: the name of the period table a close from the sources records as its data
TABLE_NAME = f"{PERIOD_FILE}.csv"


@dataclass(frozen=True)
class Sources:
    """The crediting SOURCES of a run (``NAME=PATH`` or files named after their source) and ``--crediting``."""

    args: tuple[str, ...]
    crediting: str | None = None


def table_options(opts: RunOptions) -> RunOptions:
    """The options that read the period table: ``--encoding`` is the sources'; the table is UTF-8 CSV.

    The data-layout options describe a per-person sheet, not the sources: given with sources they are an error."""
    given = [name for name, value in (("--sheet", opts.sheet), ("--header-row", opts.header_row),
                                      ("--skip-footer", opts.skip_footer)) if value]
    if given:
        raise UsageError(f"{', '.join(given)}: read a per-person data file; crediting sources are read as the "
                         "crediting file declares (give one data file, or drop the option)")
    return replace(opts, encoding=None)


def credit_period(checked: CheckedPolicy, policy_path: str, sources: Sources, opts: RunOptions) -> CreditRun:
    """The period credited in memory from ``sources`` (a ``UsageError`` for any bad input, nothing written)."""
    table_options(opts)
    return credit_sources(checked, policy_path, sources.args, opts.period, crediting=sources.crediting,
                          encoding=opts.encoding, lang=opts.lang)


@contextlib.contextmanager
def period_file(run: CreditRun) -> Iterator[Path]:
    """``period.csv`` of ``run`` in a private temporary directory, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="incentive-sources-") as tmp:
        path = Path(tmp) / TABLE_NAME
        run.period_csv(path)
        yield path


def evaluate_sources(policy_path: str, sources: Sources, opts: RunOptions, *,
                     progress: Progress = SILENT) -> tuple[Results, CreditRun]:
    """Credit in memory, then the normal evaluation of the period table."""
    checked = load(policy_path, opts.overrides)
    progress.stage("read")
    run = credit_period(checked, policy_path, sources, opts)
    notes: list[str] = []

    def recoveries(period: Period) -> dict[str, pl.DataFrame]:
        """What the close would recover for the clawbacks, read from ``--ledger`` (read-only) as it does."""
        if not any(f.height for f in run.recoveries.values()):
            return {}
        if not opts.ledger or not Path(opts.ledger).exists():
            notes.append(f"{sum(f.height for f in run.recoveries.values()):,} refund credits of earlier periods are "
                         "left out of the measures for a clawback but not recovered here: the close reads what "
                         "they earned from the ledger (give --ledger to see it)")
            return {}
        store = open_existing(opts.ledger)
        try:
            found = clawbacks.assess(store, checked.policy, period, run.recoveries,
                                     {n: str(p) for n, p in run.paths.items()})
        finally:
            store.close()
        return clawbacks.frames(found, checked.policy.id_input.id)

    with period_file(run) as path:
        results = run_evaluation(policy_path, str(path), table_options(opts), checked=checked, progress=progress,
                                 recoveries=recoveries)
    results.warnings.extend(notes)
    return results, run


def credit_only(policy_path: str, sources: Sources, opts: RunOptions) -> CreditRun:
    """The period credited from ``sources``, without evaluating (``explain --line``)."""
    return credit_period(load(policy_path, opts.overrides), policy_path, sources, opts)


def credit_lines(run: CreditRun) -> CreditLines:
    """The credit table of ``run`` as ``explain`` reads it: its ``credits.csv``, written beside the run's credit
    table and scanned from there (the run kept alive with it)."""
    path = run.credits.directory / "credits.csv"
    run.credits_csv(path)
    return from_file(path, run.decimals, run.rounding, measure_infos(run.definition), "the sources", keep=run.credits)


def measure_infos(definition: Definition) -> tuple[MeasureInfo, ...]:
    return tuple(MeasureInfo(m.id, m.kind, m.amount, m.column) for m in definition.measures)
