"""The adverse-impact report: selection rates of each demographic group, compared.

For each column of ``fairness.columns`` and each of its groups, and for each
*selection* -- being placed in a band (among the ranked), receiving a
recommendation action, being in a quartile of total pay -- the report counts
the group's people and those selected, and compares the group's selection
rate with the highest rate of any group (the most-favoured group): a ratio
under 4/5 is the four-fifths flag of 29 CFR 1607.4(D). The rule compares
the rates of a *favourable* outcome; for an *adverse* one (the bottom band,
an improvement or exit action, the lowest pay quartile) the favourable
outcome is avoiding it, so the ratio compares the rates of not being
selected and the flag names the group that is selected more often. Middle
bands and quartiles, and actions of no known direction, are reported but
not judged (``not_judged``). Fisher's exact test
(two-sided, the group against all the others, ``scipy.stats.fisher_exact``)
says how surprising the split would be if selection ignored the group. Per
group it also gives the median total pay and its ratio to the highest
group median. Groups under ``fairness.min_group`` people are ``too_small``:
no ratio, no flag, no p-value, no median.

Counts come from polars group-bys (one pass per column); rates and ratios
are exact fractions, compared with 4/5 exactly; medians are exact decimals.
Nothing depends on the row order. Statistics are not money: they leave here
as fractions and floats (p-values) and are written as fixed-decimal text.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from collections.abc import Callable
from typing import Literal

import polars as pl

from incentive.engine.results import Results
from incentive.numeric import py_round
from incentive.policy.actions import IMPROVEMENT_ACTIONS, LEGAL_REVIEW, default_kind, is_exit, is_improvement

SelectionKind = Literal["band", "action", "pay_quartile"]
Direction = Literal["favourable", "adverse", "neutral"]
Status = Literal["pass", "flag", "too_small", "no_selection", "not_judged"]
FOUR_FIFTHS = Fraction(4, 5)
QUARTILES = ("Q1", "Q2", "Q3", "Q4")  # Q4: the highest totals
#: actions a person is glad to receive; improvement- and exit-type actions and reviews are adverse
FAVOURABLE_ACTIONS = frozenset({"promotion_review", "recognition"})
ADVERSE_ACTIONS = frozenset({"no_results_review", "compliance_review", LEGAL_REVIEW})


@dataclass(frozen=True)
class Selection:
    kind: SelectionKind
    id: str  # the band id, the action, or Q1..Q4
    direction: Direction = "favourable"  # adverse: the four-fifths rule compares the rates of avoiding it


@dataclass(frozen=True)
class Cell:
    """One group under one selection."""

    column: str
    group: str
    selection: Selection
    headcount: int  # the group's people this selection is drawn from (the ranked, for a band)
    selected: int
    rate: Fraction | None  # selected / headcount; None for an empty group
    ratio: Fraction | None  # rate / the most-favoured group's rate (of avoiding it, if adverse); None if not judged
    reference: str | None  # the most-favoured group (the one least often selected, if adverse)
    p_value: float | None  # Fisher's exact test, two-sided, this group against all the others
    status: Status


@dataclass(frozen=True)
class GroupPay:
    column: str
    group: str
    headcount: int
    median_total: Decimal | None  # None for a too-small group (a median of a few people is their pay)
    ratio: Fraction | None  # median / the highest group median


@dataclass(frozen=True)
class FairnessReport:
    min_group: int
    cells: tuple[Cell, ...]
    pay: tuple[GroupPay, ...]

    def flags(self) -> list[Cell]:
        return [c for c in self.cells if c.status == "flag"]


_memo: dict[int, tuple[weakref.ref[Results], FairnessReport | None]] = {}
_memo_lock = threading.Lock()


def fairness_report(results: Results) -> FairnessReport | None:
    """The report of an evaluation, or None when its policy has no ``fairness`` section.

    Computed once per ``Results``: a close asks for it from three places (fairness.csv, the
    report's section, the terminal's flag lines), some on worker threads; the lock makes the
    first caller compute it and the others wait for that result."""
    key = id(results)
    with _memo_lock:
        held = _memo.get(key)
        if held is not None and held[0]() is results:
            return held[1]
        report = _compute(results)
        _memo[key] = (weakref.ref(results, _forget(key)), report)
        return report


def _forget(key: int) -> Callable[[weakref.ref[Results]], None]:
    """The callback that drops a memo entry once its Results is gone (ids are reused)."""

    def drop(_ref: weakref.ref[Results]) -> None:
        _memo.pop(key, None)

    return drop


def _compute(results: Results) -> FairnessReport | None:
    policy = results.checked.policy
    if policy.fairness is None:
        return None
    columns = list(policy.fairness.columns)
    frame, selections = _selection_frame(results, columns)
    cells: list[Cell] = []
    pay: list[GroupPay] = []
    for column in columns:
        cells += _cells(frame, column, selections, policy.fairness.min_group)
        pay += _pay(frame, column, policy.fairness.min_group, policy.money.decimals, policy.money.rounding)
    return FairnessReport(policy.fairness.min_group, tuple(cells), tuple(pay))


def _selection_frame(results: Results, columns: list[str]) -> tuple[pl.DataFrame, list[tuple[Selection, str, str]]]:
    """The group columns (as text), ``total``, and per selection a population and a selected boolean column."""
    policy = results.checked.policy
    frame = results.frame
    idc = results.id_column
    exprs = [pl.col(idc).cast(pl.String).alias("__id"), pl.col("total")]
    exprs += [pl.col(c).cast(pl.String).alias(f"__g_{c}") for c in columns]
    selections: list[tuple[Selection, str, str]] = []  # (selection, population column, selected column)
    everyone = pl.lit(True).alias("__all")
    exprs.append(everyone)
    if policy.ranking is not None and "band" in frame.columns:
        exprs.append(pl.col("band").is_not_null().alias("__ranked"))
        last = len(policy.ranking.bands) - 1
        for i, band in enumerate(policy.ranking.bands):  # listed from the top band down
            direction: Direction = "favourable" if i == 0 else "adverse" if i == last else "neutral"
            exprs.append((pl.col("band") == band.id).fill_null(False).alias(f"__band_{i}"))
            selections.append((Selection("band", band.id, direction), "__ranked", f"__band_{i}"))
    base = frame.select(exprs)
    for i, action in enumerate(_actions(results)):
        assert results.recommendations is not None  # _actions is empty without recommendations
        ids = results.recommendations.filter(pl.col("action") == action).get_column("employee_id").unique()
        base = base.with_columns(pl.col("__id").is_in(ids.implode()).alias(f"__act_{i}"))
        selections.append((Selection("action", action, _action_direction(results, action)), "__all", f"__act_{i}"))
    if base.height:
        cuts = _quartile_cuts(base.get_column("total"))
        total = pl.col("total")
        bounds = [(None, cuts[0]), (cuts[0], cuts[1]), (cuts[1], cuts[2]), (cuts[2], None)]
        for q, (lo, hi) in zip(QUARTILES, bounds):
            cond = pl.lit(True)
            if lo is not None:
                cond = cond & (total > lo)
            if hi is not None:
                cond = cond & (total <= hi)
            base = base.with_columns(cond.alias(f"__{q}"))
            direction = "favourable" if q == QUARTILES[-1] else "adverse" if q == QUARTILES[0] else "neutral"
            selections.append((Selection("pay_quartile", q, direction), "__all", f"__{q}"))
    return base, selections


def _actions(results: Results) -> list[str]:
    """The policy's actions in rule order, then any other action the recommendations carry, sorted."""
    declared = list(dict.fromkeys(r.action for r in results.checked.policy.recommendations))
    recs = results.recommendations
    if recs is None:
        return []
    extra = sorted(set(recs.get_column("action").to_list()) - set(declared))
    return declared + extra


def _action_direction(results: Results, action: str) -> Direction:
    """Promotion and recognition are favourable; improvement, exit and review actions adverse."""
    rule = next((r for r in results.checked.policy.recommendations if r.action == action), None)
    if action in FAVOURABLE_ACTIONS:
        return "favourable"
    if action in ADVERSE_ACTIONS or action in IMPROVEMENT_ACTIONS or default_kind(action) == "exit" \
            or (rule is not None and (is_exit(rule) or is_improvement(rule))):
        return "adverse"
    return "neutral"


def _quartile_cuts(total: pl.Series) -> list[Decimal]:
    """The three cut values of the totals by nearest rank (exact values of the data, no interpolation):
    Q1 is ``total <= c1``, Q2 ``c1 < total <= c2``, Q3 ``c2 < total <= c3``, Q4 ``total > c3``."""
    ordered = total.sort()
    n = ordered.len()
    return [ordered[max(0, -(-k * n // 4) - 1)] for k in (1, 2, 3)]


def _cells(frame: pl.DataFrame, column: str, selections: list[tuple[Selection, str, str]],
           min_group: int) -> list[Cell]:
    g = f"__g_{column}"
    aggs = []
    for i, (_, pop, sel) in enumerate(selections):
        aggs += [pl.col(pop).sum().alias(f"n{i}"), (pl.col(pop) & pl.col(sel)).sum().alias(f"k{i}")]
    counts = frame.group_by(g).agg(aggs).sort(g).rows(named=True) if aggs else []
    cells: list[Cell] = []
    for i, (selection, _, _) in enumerate(selections):
        groups = [(str(r[g]), int(r[f"n{i}"]), int(r[f"k{i}"])) for r in counts]
        cells += _compare(column, selection, groups, min_group)
    return cells


def _compare(column: str, selection: Selection, groups: list[tuple[str, int, int]], min_group: int) -> list[Cell]:
    """Rates, ratios to the most-favoured group, flags and p-values of one selection over one column's groups."""
    adverse = selection.direction == "adverse"
    judged = [(name, n, n - k if adverse else k) for name, n, k in groups]  # adverse: the rate of avoiding it
    big = [(name, n, k) for name, n, k in judged if n >= min_group and n > 0]
    best = max(big, key=lambda x: (Fraction(x[2], x[1]), x[0]), default=None)  # ties: the name decides, stably
    best_rate = Fraction(best[2], best[1]) if best is not None else Fraction(0)
    n_all, k_all = sum(n for _, n, _ in groups), sum(k for _, _, k in groups)
    out = []
    for name, n, k in groups:
        rate = Fraction(k, n) if n else None
        if n < min_group or rate is None:
            out.append(Cell(column, name, selection, n, k, rate, None, None, None, "too_small"))
            continue
        assert best is not None  # this group is one of ``big``
        p = fisher_p(k, n - k, k_all - k, (n_all - n) - (k_all - k)) if n_all > n else None
        if selection.direction == "neutral":
            out.append(Cell(column, name, selection, n, k, rate, None, None, p, "not_judged"))
            continue
        if best_rate == 0:
            out.append(Cell(column, name, selection, n, k, rate, None, None, p, "no_selection"))
            continue
        ratio = (1 - rate if adverse else rate) / best_rate
        out.append(Cell(column, name, selection, n, k, rate, ratio, best[0], p,
                        "flag" if ratio < FOUR_FIFTHS else "pass"))
    return out


def fisher_p(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of Fisher's exact test on the 2x2 table [[a, b], [c, d]] (scipy's, exact)."""
    from scipy.stats import fisher_exact  # imported when a report is computed: scipy takes a while to load

    return float(fisher_exact([[a, b], [c, d]], alternative="two-sided").pvalue)


def _pay(frame: pl.DataFrame, column: str, min_group: int, decimals: int, rounding: str) -> list[GroupPay]:
    """Each group's median total (exact: the mean of the two middle values when the count is even)."""
    g = f"__g_{column}"
    total = pl.col("total").sort()
    rows = (frame.group_by(g)
            .agg(pl.len().alias("n"), total.get((pl.len() - 1) // 2).alias("lo"), total.get(pl.len() // 2).alias("hi"))
            .sort(g).rows(named=True))
    with localcontext() as ctx:
        ctx.prec = 80  # exact: a total has at most 38 digits
        medians = {str(r[g]): (Decimal(r["lo"]) + Decimal(r["hi"])) / 2 for r in rows if r["n"] >= min_group}
    top = max(medians.values(), default=None)
    out = []
    for r in rows:
        name = str(r[g])
        median = medians.get(name)
        ratio = Fraction(median) / Fraction(top) if median is not None and top is not None and top > 0 else None
        shown = py_round(median, decimals, rounding) if median is not None else None
        out.append(GroupPay(column, name, int(r["n"]), shown, ratio))
    return out
