"""Policy coverage: which branches of a plan no test case exercises.

A reviewer of a policy change wants to know which promises of the plan are
pinned by no test. The items of a policy are its branches:

- each KPI: both ends of a ``curve`` (value at or below the first point,
  at or above the last -- the clamped ends), or each ``step`` threshold
  (value inside that step);
- each tier of each tier table (the payout's basis -- ``tiers.basis``, or
  the base -- falls inside that tier);
- each payout ``gate`` (seen true and seen false), ``cap`` (binds: the
  amount before the cap exceeds it, with the gate open), ``floor`` (binds);
- each penalty (fires; a veto -- ``forfeit`` / ``band`` -- is listed as a
  veto) and each penalty ``cap`` (reached);
- ranking eligibility (seen true and false), each band (assigned);
- each budget (binds: its scale factor is below 1);
- each recommendation rule (fires); for a plan with exit-type rules, each
  protected status (an exit rule fires for a person in it) and each exit
  rule firing without an earlier improvement step (the guards of
  ``engine/exit_guard.py``).

An item is *exercised* when some person in the tested period of some case
(not its history periods) went through that branch. Results are read from
the step columns the engine keeps for ``explain`` (``commission.basis``,
``bonus.gate``, ``bonus.cap``, ``<penalty>.when``, ``<rule>.when``,
``<budget>.factor``, ``band`` ...). Items are those of the policy as written
(with the test file's overrides); a case's parametric variant counts toward
the items it shares with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Callable, Iterable, Sequence, TypeVar

import polars as pl

from incentive.engine.exit_guard import EARLIER, protected_column
from incentive.engine.results import Results
from incentive.errors import Finding, Pos
from incentive.numeric import lit, plain_text, round_expr
from incentive.policy import names
from incentive.policy.actions import LEGAL_REVIEW, is_exit
from incentive.policy.model import Policy
from incentive.policytest.outcomes import CoverageOutcome

if TYPE_CHECKING:  # the runner imports what a run needs; coverage only reads what it produced
    from incentive.policytest.runner import FileRun

Threshold = TypeVar("Threshold")  # a KPI step or a tier: a row of a table ordered by its start


@dataclass(frozen=True)
class Item:
    """One branch of a policy that a test can exercise."""

    key: str  # stable across evaluations, e.g. "payouts.commission.tiers.table[2]"
    kind: str  # kpi | tier | gate | cap | floor | penalty | veto | eligibility | band | budget | draw | recommendation
    untested: str  # what to tell the reviewer when no case exercises it
    pos: Pos


def _num(d: Decimal) -> str:
    return plain_text(d)


def items(policy: Policy) -> list[Item]:
    """Every coverable branch of ``policy``, in file order."""
    out: list[Item] = []
    for k in policy.kpis:
        s = k.scoring
        if s.curve:
            first, last = s.curve[0], s.curve[-1]
            out.append(Item(f"kpis.{k.id}.curve.low", "kpi",
                            f"KPI {k.id}: no case has a value at or below the curve's first point "
                            f"({_num(first.value)})", first.pos))
            out.append(Item(f"kpis.{k.id}.curve.high", "kpi",
                            f"KPI {k.id}: no case has a value at or above the curve's last point "
                            f"({_num(last.value)})", last.pos))
        for i, step in enumerate(s.step):
            out.append(Item(f"kpis.{k.id}.step[{i}]", "kpi",
                            f"KPI {k.id}: step {i + 1} of {len(s.step)} (value from {_num(step.start)}) "
                            f"is never reached", step.pos))
    if policy.ranking is not None:
        r = policy.ranking
        if r.eligible is not None:
            for value in (True, False):
                out.append(Item(f"ranking.eligible={str(value).lower()}", "eligibility",
                                f"ranking eligibility '{r.eligible.text}' is never {str(value).lower()}",
                                r.eligible.pos))
        for band in r.bands:
            out.append(Item(f"ranking.bands.{band.id}", "band", f"band {band.id} is never assigned", band.pos))
    for p in policy.payouts:
        if p.tiers is not None:
            n = len(p.tiers.table)
            basis = p.tiers.basis.text if p.tiers.basis is not None else (p.base.text if p.base else "the base")
            for i, tier in enumerate(p.tiers.table):
                out.append(Item(f"payouts.{p.id}.tiers.table[{i}]", "tier",
                                f"payout {p.id}: tier {i + 1} of {n} ({basis} from {_num(tier.start)}) "
                                f"is never reached", tier.pos))
        if p.gate is not None:
            for value in (True, False):
                out.append(Item(f"payouts.{p.id}.gate={str(value).lower()}", "gate",
                                f"payout {p.id}: gate '{p.gate.text}' is never {str(value).lower()}", p.gate.pos))
        if p.cap is not None:
            out.append(Item(names.expr_path(names.PAYOUTS, p.id, names.CAP), "cap",
                            f"payout {p.id}: cap '{p.cap.text}' never binds", p.cap.pos))
        if p.floor is not None:
            out.append(Item(names.expr_path(names.PAYOUTS, p.id, names.FLOOR), "floor",
                            f"payout {p.id}: floor '{p.floor.text}' never binds", p.floor.pos))
    for b in policy.budgets:
        out.append(Item(names.item_path(names.BUDGETS, b.id), "budget",
                        f"budget {b.id} never binds (nothing is scaled down)", b.pos))
    for pen in policy.penalties:
        veto = bool(pen.forfeit or pen.band)
        kind = "veto" if veto else "penalty"
        out.append(Item(names.item_path(names.PENALTIES, pen.id), kind, f"{kind} {pen.id} never fires", pen.pos))
        if pen.cap is not None:
            out.append(Item(names.expr_path(names.PENALTIES, pen.id, names.CAP), "cap",
                            f"penalty {pen.id}: cap '{pen.cap.text}' is never reached", pen.cap.pos))
    for d in policy.draws:
        out.append(Item(f"{names.item_path(names.DRAWS, d.id)}.shortfall", "draw",
                        f"draw {d.id}: no case earns less than the draw (the advance / top-up is untested)", d.pos))
        out.append(Item(f"{names.item_path(names.DRAWS, d.id)}.above", "draw",
                        f"draw {d.id}: no case earns more than the draw", d.pos))
        if d.recoverable:
            out.append(Item(f"{names.item_path(names.DRAWS, d.id)}.recovered", "draw",
                            f"draw {d.id}: no case recovers a balance (the recovery is untested)", d.pos))
            if d.recovery_cap is not None:
                out.append(Item(names.expr_path(names.DRAWS, d.id, names.RECOVERY_CAP), "cap",
                                f"draw {d.id}: recovery_cap '{d.recovery_cap.text}' is never reached",
                                d.recovery_cap.pos))
    for rule in policy.recommendations:
        out.append(Item(names.item_path(names.RECOMMENDATIONS, rule.id), "recommendation",
                        f"recommendation {rule.id} ({rule.action}) never fires", rule.pos))
    if any(is_exit(r) for r in policy.recommendations):
        for g in policy.protected:
            out.append(Item(names.item_path(names.PROTECTED, g.id), "protected",
                            f"protected status {g.id}: no case has an exit-type rule fire for a person in it "
                            f"(the {LEGAL_REVIEW} it becomes is untested)", g.pos))
        for rule in policy.recommendations:
            if is_exit(rule):
                out.append(Item(f"{names.item_path(names.RECOMMENDATIONS, rule.id)}.without_improvement",
                                "exit_guard", f"recommendation {rule.id} ({rule.action}): no case has it fire "
                                "without an earlier improvement step (the replacement is untested)", rule.pos))
    return out


def hits(results: Results) -> set[str]:
    """Keys of the items the people of ``results`` exercise."""
    policy = results.checked.policy
    frame: pl.DataFrame = results.frame
    have = set(frame.columns)
    checks: dict[str, pl.Expr] = {}

    def when(key: str, cond: pl.Expr, *needed: str) -> None:
        if all(n in have for n in needed):
            checks[key] = cond.fill_null(False).any()

    value_cols = {c.path: n for n, c in results.columns.items() if c.kind == "kpi_value"}
    for k in policy.kpis:
        col = value_cols.get(names.expr_path(names.KPIS, k.id, names.VALUE), names.kpi_value(k.id))
        v = pl.col(col)
        s = k.scoring
        if s.curve:
            when(f"kpis.{k.id}.curve.low", v <= lit(s.curve[0].value), col)
            when(f"kpis.{k.id}.curve.high", v >= lit(s.curve[-1].value), col)
        for i, step in enumerate(s.step):
            when(f"kpis.{k.id}.step[{i}]", _inside(v, s.step, i, lambda t: t.start), col)
    if policy.ranking is not None:
        when("ranking.eligible=true", pl.col("eligible"), "eligible")
        when("ranking.eligible=false", ~pl.col("eligible"), "eligible")
        for band in policy.ranking.bands:
            when(f"ranking.bands.{band.id}", pl.col("band") == band.id, "band")
    for p in policy.payouts:
        gross, gate, floor, cap_col = (names.step(p.id, n) for n in (names.GROSS, names.GATE, names.FLOOR, names.CAP))
        gate_open = pl.col(gate) if gate in have else pl.lit(True)
        if p.tiers is not None:
            basis = names.step(p.id, names.BASIS)
            basis = basis if basis in have else names.step(p.id, names.BASE)
            for i, _ in enumerate(p.tiers.table):
                when(f"payouts.{p.id}.tiers.table[{i}]", _inside(pl.col(basis), p.tiers.table, i, lambda t: t.start),
                     basis)
        if p.gate is not None:
            when(f"payouts.{p.id}.gate=true", pl.col(gate), gate)
            when(f"payouts.{p.id}.gate=false", ~pl.col(gate), gate)
        value = pl.col(gross)
        for scale in (names.FACTOR, names.PRORATE):
            if names.step(p.id, scale) in have:
                value = value * pl.col(names.step(p.id, scale))
        if floor in have:
            when(names.expr_path(names.PAYOUTS, p.id, names.FLOOR), gate_open & (value < pl.col(floor)), gross, floor)
            value = pl.max_horizontal(value, pl.col(floor))
        if p.cap is not None:
            when(names.expr_path(names.PAYOUTS, p.id, names.CAP), gate_open & (value > pl.col(cap_col)), gross, cap_col)
    for b in policy.budgets:
        factor = names.step(b.id, names.FACTOR)
        when(names.item_path(names.BUDGETS, b.id), pl.col(factor) < lit(1), factor)
    money = policy.money
    for pen in policy.penalties:
        fired_col, pen_cap = names.step(pen.id, names.WHEN), names.step(pen.id, names.CAP)
        fired = pl.col(fired_col)
        when(names.item_path(names.PENALTIES, pen.id), fired, fired_col)
        if pen.cap is not None:
            cap = round_expr(pl.col(pen_cap), money.decimals, money.rounding)
            when(names.expr_path(names.PENALTIES, pen.id, names.CAP), fired & (pl.col(pen.id) >= cap),
                 fired_col, pen_cap, pen.id)
    for d in policy.draws:
        earned, amount, back, owed = (names.step(d.id, n) for n in (names.EARNED, names.AMOUNT, names.RECOVERED,
                                                                    names.OPENING))
        key = names.item_path(names.DRAWS, d.id)
        when(f"{key}.shortfall", pl.col(earned) < pl.col(amount), earned, amount)
        when(f"{key}.above", pl.col(earned) > pl.col(amount), earned, amount)
        when(f"{key}.recovered", pl.col(back) > 0, back)
        if d.recovery_cap is not None:  # capped: the room above the draw would have recovered more
            room = pl.min_horizontal(pl.col(owed), pl.col(earned) - pl.col(amount))
            when(names.expr_path(names.DRAWS, d.id, names.RECOVERY_CAP), (pl.col(back) > 0) & (pl.col(back) < room),
                 back, owed, earned, amount)
    for rule in policy.recommendations:
        rule_when = names.step(rule.id, names.WHEN)
        when(names.item_path(names.RECOMMENDATIONS, rule.id), pl.col(rule_when), rule_when)
    exit_rules = [r for r in policy.recommendations if is_exit(r)]
    if exit_rules:
        fired = pl.any_horizontal([pl.col(names.step(r.id, names.WHEN)) for r in exit_rules])
        needed = [names.step(r.id, names.WHEN) for r in exit_rules]
        for g in policy.protected:
            when(names.item_path(names.PROTECTED, g.id), fired & pl.col(protected_column(g.id)),
                 protected_column(g.id), *needed)
        for rule in exit_rules:
            when(f"{names.item_path(names.RECOMMENDATIONS, rule.id)}.without_improvement",
                 pl.col(names.step(rule.id, names.WHEN)) & ~pl.col(EARLIER), EARLIER, names.step(rule.id, names.WHEN))
    if not checks or frame.height == 0:
        return set()
    row = frame.select(**checks).row(0, named=True)
    return {key for key, hit in row.items() if hit}


def _inside(value: pl.Expr, table: Sequence[Threshold], i: int, start: Callable[[Threshold], Decimal]) -> pl.Expr:
    """Lower-bound inclusive: ``table[i].start <= value < table[i + 1].start`` (the last is open-ended)."""
    cond = value >= lit(start(table[i]))
    if i + 1 < len(table):
        cond = cond & (value < lit(start(table[i + 1])))
    return cond


@dataclass
class Coverage:
    """Items per policy file, and which of them the cases so far exercised."""

    items: dict[str, list[Item]] = field(default_factory=dict)  # policy file -> items
    exercised: dict[str, set[str]] = field(default_factory=dict)

    def add_policy(self, file: str, policy: Policy) -> None:
        if file not in self.items:
            self.items[file] = items(policy)
            self.exercised[file] = set()

    def add_results(self, file: str, results: Results) -> None:
        self.exercised.setdefault(file, set()).update(hits(results))

    def outcomes(self, minimum: Decimal | None = None) -> list[CoverageOutcome]:
        out = []
        for file in sorted(self.items):
            all_items = self.items[file]
            done = self.exercised.get(file, set())
            untested = tuple(Finding(file, it.pos.line, it.pos.col, "warning", "untested", it.untested)
                             for it in all_items if it.key not in done)
            out.append(CoverageOutcome(policy=file, covered=len(all_items) - len(untested), total=len(all_items),
                                       untested=untested, minimum=minimum))
        return out


def coverage_of(runs: Iterable[FileRun], minimum: Decimal | None = None) -> list[CoverageOutcome]:
    """Coverage of every policy the runs tested."""
    cov = Coverage()
    for run in runs:
        if run.test is None or run.base_policy is None:
            continue
        cov.add_policy(run.test.policy, run.base_policy.policy)
        for case in run.cases:
            if case.results is not None:
                cov.add_results(run.test.policy, case.results)
    return cov.outcomes(minimum)
