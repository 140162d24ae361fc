"""The crediting definition: what a crediting file declares, as plain frozen data.

A crediting file (named by the policy's ``crediting`` key) says where the
transaction lines are, who is credited with each (the line's person or the
split table), who sits above whom on a date, which lines count for which
measure, and which measures become the policy's inputs. ``load`` builds it;
``sql`` compiles it; nothing here reads data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from incentive.errors import Pos

#: the names a SOURCES argument may carry besides the line and adjustment sources
TABLES = ("splits", "assignments", "people")
MEASURE_KINDS = ("sum", "count", "count_distinct", "earliest", "latest")
CREDIT_KINDS = ("direct", "rollup", "all")
ADJUSTMENT_KINDS = ("refund", "collection")


@dataclass(frozen=True)
class Amount:
    """One amount column of a line source; dated by its own column or the line's date."""

    name: str
    column: str
    date: str | None = None  # None: the line's date; else an own date column (empty cell: no event)
    pos: Pos = Pos()


@dataclass(frozen=True)
class LineSource:
    """A table of transaction lines (orders, 订单): one row per line, unique ids."""

    name: str
    id: str
    date: str
    amounts: tuple[Amount, ...]
    person: str | None = None  # the owner when the split table has no owner row for the line
    deal: str | None = None  # a deal / opportunity id the split table may key on
    currency: str | None = None  # a currency column; every value must be the policy's currency
    columns: tuple[tuple[str, str], ...] = ()  # classification name -> header
    pos: Pos = Pos()


@dataclass(frozen=True)
class Adjustment:
    """Refunds, cancellations (退款 / 作废) or later collections (回款) of earlier lines.

    Each row names its original line; its credits go to that line's people,
    roles and shares, in the period of the adjustment's own date -- a refund
    as negative credits.
    """

    name: str
    of: str  # the line source whose lines it adjusts
    kind: str  # refund (negative) | collection (positive)
    id: str
    line: str
    date: str
    amounts: tuple[Amount, ...]
    currency: str | None = None
    pos: Pos = Pos()


@dataclass(frozen=True)
class Splits:
    """Who shares a line, in which role, at which share (分成)."""

    line: str  # the column holding the line (or deal) id
    person: str
    share: str
    role: str | None = None  # None: every row is an ``owner`` row
    by: str = "line"  # line | deal
    exact: bool = False  # shares per line and role must sum to exactly 100% (else at most)
    pos: Pos = Pos()


@dataclass(frozen=True)
class Assignments:
    """Effective-dated person -> manager / team / region rows, over [valid_from, valid_to)."""

    person: str
    valid_from: str
    valid_to: str
    manager: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()  # name -> header (team, region ...)
    pos: Pos = Pos()


@dataclass(frozen=True)
class Rule:
    """A classification: a line column's value in (or not in) a set."""

    name: str
    column: str  # a classification column name of the line sources
    values: tuple[str, ...]
    negate: bool = False  # not_in
    pos: Pos = Pos()


@dataclass(frozen=True)
class Measure:
    """A per-person, per-period number that becomes the policy input of the same id."""

    id: str
    kind: str  # sum | count | count_distinct | earliest | latest
    amount: str  # the amount name it reads (its events)
    column: str | None = None  # count_distinct: the classification column counted
    role: str | None = None  # None: every role
    credit: str = "direct"  # direct | rollup | all
    where: tuple[str, ...] = ()  # classification names, all must hold
    pos: Pos = Pos()


@dataclass(frozen=True)
class Definition:
    file: str
    lines: tuple[LineSource, ...]
    adjustments: tuple[Adjustment, ...] = ()
    splits: Splits | None = None
    assignments: Assignments | None = None
    people: str | None = None  # the header of the people file's id column (default: the policy's id input)
    rules: tuple[Rule, ...] = ()
    include: tuple[str, ...] = ()  # classifications every credited line must pass (others are excluded, counted)
    measures: tuple[Measure, ...] = ()
    # adjustment sources whose refunds of lines dated before the period are clawed back (the policy's
    # ``clawbacks``, recover mode): they stay in the credit table but no sum measure counts them
    recovered: tuple[str, ...] = ()
    positions: dict = field(default_factory=dict, compare=False, hash=False)

    def source_names(self) -> tuple[str, ...]:
        """Every name a SOURCES argument can be given under."""
        names = [s.name for s in self.lines] + [a.name for a in self.adjustments]
        if self.splits is not None:
            names.append("splits")
        if self.assignments is not None:
            names.append("assignments")
        names.append("people")
        return tuple(names)

    def rule(self, name: str) -> Rule:
        return next(r for r in self.rules if r.name == name)

    def amount_names(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for s in self.lines:
            for a in s.amounts:
                seen.setdefault(a.name)
        return tuple(seen)

    def column_names(self) -> tuple[str, ...]:
        """The classification column names of every line source (in order, once each)."""
        seen: dict[str, None] = {}
        for s in self.lines:
            for name, _ in s.columns:
                seen.setdefault(name)
        return tuple(seen)
