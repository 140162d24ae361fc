"""One evaluation: load the policy, read the data, fetch history (read-only), evaluate.

``RunOptions`` are the options every evaluating command takes (``evaluate``,
``explain``, ``diff``, ``sweep``, ``close``); ``read_data`` is the one
data-reading call of a close and of every re-run of it.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from incentive.app.progress import SILENT, Progress
from incentive.engine.pipeline import evaluate
from incentive.engine.results import Results
from incentive.errors import UsageError
from incentive.io import read_period_data
from incentive.io.periods import parse_period
from incentive.ledger.history_note import no_history, no_ledger
from incentive.ledger.store import Ledger
from incentive.policy.approval import period_problems
from incentive.policy.validate import load_policy
from incentive.app.effective import parse_effective_period
from incentive.io import PeriodData
from incentive.io.periods import Period
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy


@dataclass(frozen=True)
class RunOptions:
    period: str
    overrides: tuple[str, ...] = ()
    encoding: str | None = None
    sheet: str | None = None
    header_row: int | None = None  # data layout (io): header row given, else found below any title rows
    skip_footer: bool = False  # data layout (io): skip rows from the first totals / id-less row to the end
    max_errors: int = 100
    lang: str = "en"
    ledger: str | None = None  # read history from this ledger (evaluate never writes it)
    strict_history: bool = False  # refuse, rather than note: history the ledger does not show, a missing or late approval


def load(policy_path: str, overrides: tuple[str, ...] = ()) -> CheckedPolicy:
    """The checked policy, or ``PolicyLoadError`` / ``PolicyInvalid`` (exit 2)."""
    return load_policy(policy_path, overrides=list(overrides))


def run_evaluation(policy_path: str, data_path: str, opts: RunOptions, *, checked: CheckedPolicy | None = None,
                   progress: Progress = SILENT,
                   recoveries: Callable[[Period], Mapping[str, pl.DataFrame]] | None = None) -> Results:
    """Load, read, fetch history (read-only) and evaluate.

    ``policy_path`` may be a plan: a directory of the versions of one policy
    (``app.versioned``; docs/plan-versions.md)."""
    if checked is None and Path(policy_path).is_dir():
        from incentive.app.versioned import run_plan_evaluation

        return run_plan_evaluation(policy_path, data_path, opts, evaluate_file=run_evaluation, progress=progress)
    alone = checked is None  # one policy file, not a version a plan resolved the period to
    checked = checked or load(policy_path, opts.overrides)
    if alone:
        period = parse_effective_period(opts.period, checked.policy)  # a lone file: only within its dates
    else:
        period = parse_period(opts.period, checked.policy.period)
    approval = period_problems(checked.policy, period.label, period.start)
    if approval and opts.strict_history:
        raise UsageError(f"{approval[0]}; --strict refuses to evaluate it")
    progress.stage("read")
    data = read_period_data(data_path, checked.policy, encoding=opts.encoding, sheet=opts.sheet,
                            max_errors=opts.max_errors, header_row=opts.header_row, skip_footer=opts.skip_footer)
    notes: list[str] = []
    history = read_history(opts.ledger, checked, period, notes) if opts.ledger else None
    if notes and opts.strict_history:
        raise UsageError(f"{notes[0]}; --strict refuses to evaluate without history")
    progress.stage("evaluate")
    results = evaluate(checked, data, period, history=history, lang=opts.lang,
                       recoveries=recoveries(period) if recoveries is not None else None)
    results.warnings.extend(approval + notes)
    return results


def read_data(path: str | Path, policy: Policy, run: RunOptions, *, keep_bytes: bool = False) -> PeriodData:
    """The one data-reading call of a close and of every re-run of it.

    Every ``RunOptions`` field the reader takes as a keyword (``encoding``,
    ``sheet``, ``max_errors`` and whatever data-reading option is added to
    both) is passed, so a new option reaches the close and its re-runs alike."""
    accepted = inspect.signature(read_period_data).parameters
    kwargs = {k: v for k, v in dataclasses.asdict(run).items() if k in accepted and k not in ("path", "policy")}
    return read_period_data(path, policy, keep_bytes=keep_bytes, **kwargs)


def read_history(ledger_path: str, checked: CheckedPolicy, period: Period, notes: list[str] | None = None) -> dict[int, pl.DataFrame]:
    """Results of earlier closed periods, keyed by offset (1 = previous).

    Never creates the ledger. When the policy reads history and none is
    visible (no ledger file, or no earlier close of the policy in it), a
    note saying so is appended to ``notes``: a dry run without history
    silently disagrees with the official close otherwise."""
    depth = int(checked.history_depth_needed or 0)
    if not depth:
        return {}
    if not Path(ledger_path).exists():
        if notes is not None:
            notes.append(no_ledger(checked.policy.id, Path(ledger_path), depth))
        return {}
    wanted = [checked.policy.id_input.id, *sorted(checked.history_names)]
    with Ledger(ledger_path, readonly=True) as ledger:
        frames = ledger.history(checked.policy.id, period.ordinal, depth, columns=wanted)
    if not frames and notes is not None:
        notes.append(no_history(checked.policy.id, period.label, Path(ledger_path), depth))
    return {period.ordinal - ordinal: frame for ordinal, frame in frames.items()}


def select_employees(results: Results, employees: tuple[str, ...]) -> pl.DataFrame:
    frame = results.frame
    if not employees:
        return frame
    ids = frame.get_column(results.id_column).cast(pl.String)
    missing = sorted(set(employees) - set(ids.to_list()))
    if missing:
        raise UsageError(f"--employee: no such employee in the data: {', '.join(missing)}")
    return frame.filter(ids.is_in(list(employees)))
