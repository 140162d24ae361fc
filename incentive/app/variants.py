"""Evaluating several variants of a policy on one period data file.

``diff`` and ``sweep`` evaluate two or many policies on the same data. The
data is checked against each policy's inputs, but variants usually read the
file the same way (a weight or a rate changed, not an input), so a check
done for one variant is reused by every variant whose inputs are identical:
the file is read and checked once per distinct set of inputs, not once per
evaluation.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from incentive.app.progress import SILENT, Progress
from incentive.app.run import RunOptions, load, read_history
from incentive.app.versioned import version_for
from incentive.compare.diff import Diff, compare
from incentive.compare.sweep import Sweep, SweepPoint, parse_range, point_of
from incentive.engine.pipeline import evaluate
from incentive.engine.results import Results
from incentive.errors import Pos, UsageError
from incentive.io import read_period_data
from incentive.io.periods import parse_period
from incentive.io import PeriodData
from incentive.policy.approval import period_problems
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Input, Policy

#: evaluations one sweep may run (each is a full evaluation of the data)
MAX_SWEEP_VALUES = 200


def _input_signature(policy: Policy) -> tuple[Input, ...]:
    """What decides how a file is read: the inputs without positions and labels."""
    return tuple(replace(i, pos=Pos(), label=None) for i in policy.inputs)


class SharedData:
    """One data file, read and checked once per distinct set of policy inputs."""

    def __init__(self, data_path: str, opts: RunOptions, progress: Progress = SILENT):
        self.data_path = data_path
        self.opts = opts
        self.progress = progress
        self._read: list[tuple[tuple[Input, ...], PeriodData]] = []
        self.reads = 0  # how many times the file was actually read (for tests)
        self.notes: list[str] = []  # what the user must know about the runs (no history visible ...), once each

    def note(self, lines: list[str]) -> None:
        self.notes.extend(line for line in lines if line not in self.notes)

    def for_policy(self, policy: Policy) -> PeriodData:
        signature = _input_signature(policy)
        for known, data in self._read:
            if known == signature:
                return data
        self.progress.stage("read")
        data = read_period_data(self.data_path, policy, encoding=self.opts.encoding, sheet=self.opts.sheet,
                                max_errors=self.opts.max_errors, header_row=self.opts.header_row,
                                skip_footer=self.opts.skip_footer)
        self.reads += 1
        self._read.append((signature, data))
        return data


def evaluate_variant(checked: CheckedPolicy, shared: SharedData, step: str = "") -> Results:
    """Evaluate one loaded policy on the shared data (history read-only from the ledger, if given);
    ``step`` (``2/9``) is what the progress shows beside the evaluation."""
    opts = shared.opts
    period = parse_period(opts.period, checked.policy.period)
    data = shared.for_policy(checked.policy)
    # a what-if of a plan that could not be closed as it stands says so (the approval record, issue 16)
    notes: list[str] = period_problems(checked.policy, period.label, period.start)
    history = read_history(opts.ledger, checked, period, notes) if opts.ledger else None
    shared.progress.stage("evaluate", step)
    results = evaluate(checked, data, period, history=history, lang=opts.lang)
    results.warnings.extend(notes)
    shared.note(results.warnings)  # data warnings and history notes, once for all variants
    return results


def describe(path: str, overrides: Sequence[str]) -> str:
    """How a variant is named in tables and reports: the file plus its overrides."""
    return " ".join([path, *(f"--set {o}" for o in overrides)])


def run_diff(old_path: str, new_path: str, data_path: str, opts: RunOptions, *, by: Sequence[str] = (),
             top: int = 10, progress: Progress = SILENT) -> Diff:
    """Evaluate OLD as written and NEW with ``opts.overrides`` on DATA, and compare them (a plan directory:
    its version covering the period)."""
    old_path, new_path = version_for(old_path, opts.period), version_for(new_path, opts.period)
    old_checked = load(old_path)
    new_checked = load(new_path, opts.overrides)
    shared = SharedData(data_path, opts, progress)
    old = evaluate_variant(old_checked, shared, "1/2")
    new = evaluate_variant(new_checked, shared, "2/2")
    result = compare(old, new, by=by, top=top, lang=opts.lang, old_name=describe(old_path, ()),
                     new_name=describe(new_path, opts.overrides))
    return replace(result, notes=tuple(shared.notes))


def run_sweep(policy_path: str, data_path: str, opts: RunOptions, spec: str, *,
              progress: Progress = SILENT) -> Sweep:
    """One evaluation per value of ``spec`` (``PATH=a:b:step`` or ``PATH=v1,v2``), on top of ``opts.overrides``."""
    path, values = parse_range(spec)
    policy_path = version_for(policy_path, opts.period)
    if len(values) > MAX_SWEEP_VALUES:
        raise UsageError(f"--set-range {spec}: {len(values)} values; at most {MAX_SWEEP_VALUES} evaluations "
                         f"per sweep (use a larger step)")
    shared = SharedData(data_path, opts, progress)
    points: list[SweepPoint] = []
    money = None
    for number, value in enumerate(values, start=1):
        checked = load(policy_path, (*opts.overrides, f"{path}={value}"))
        money = money or (checked.policy.money.decimals, checked.policy.currency)
        points.append(point_of(value, evaluate_variant(checked, shared, f"{number}/{len(values)}")))
    decimals, currency = money or (2, "")
    return Sweep(path=path, points=tuple(points), money_decimals=decimals, currency=currency, reads=shared.reads,
                 notes=tuple(shared.notes))
