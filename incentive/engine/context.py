"""The state every stage shares while one evaluation runs.

Stages add whole columns to one polars frame; nothing is computed per row
in Python. ``Work.expr`` turns a checked expression into a polars
expression and remembers its division-by-zero checks, which are all
evaluated together once the frame is complete (see ``Work.finish``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from incentive.engine.results import ColumnInfo, Kind
from incentive.errors import EvaluationError
from incentive.numeric import DTYPE
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.expr.types import T
from incentive.policy.model import Policy

if TYPE_CHECKING:  # polars names its dtype-or-dtype-class union only for annotations
    from polars._typing import PolarsDataType

POLARS_TYPE: dict[T, PolarsDataType] = {T.NUMBER: DTYPE, T.MONEY: DTYPE, T.BOOL: pl.Boolean, T.TEXT: pl.String, T.DATE: pl.Date}

#: at most this many people are named in a runtime error message
MAX_NAMED = 10

#: lazy steps stacked before the frame is computed: polars optimizes a plan
#: in time that grows faster than its length, so a policy of 3,000 chained
#: derived values is computed in stretches of this many steps
MAX_LAZY_STEPS = 64


def history_column(name: str, offset: int) -> str:
    """The column holding ``name`` as it was ``offset`` periods ago (an internal helper column)."""
    return f"__h{offset}__{name}"


@dataclass
class CompileCtx:
    """``incentive.policy.expr.compile.CompileContext`` for the engine."""

    types: dict[str, T]
    history_depth: int
    periods_per_year: int

    def col(self, name: str, offset: int = 0) -> pl.Expr:
        if offset == 0:
            return pl.col(name)
        if offset <= self.history_depth:
            return pl.col(history_column(name, offset))
        dtype = POLARS_TYPE.get(self.types.get(name, T.NUMBER), DTYPE)
        return pl.lit(None, dtype=dtype)


@dataclass
class Work:
    """The lazily built frame plus what we know about its columns.

    Stages add expressions to one polars ``LazyFrame``; it is collected only
    where a stage needs concrete values (ranking, budgets) and at the end, so
    polars can run each stretch as one optimized, parallel plan.
    """

    checked: CheckedPolicy
    ctx: CompileCtx
    frame: pl.LazyFrame
    id_col: str
    columns: dict[str, ColumnInfo] = field(default_factory=dict)
    checks: list[tuple[str, str, str]] = field(default_factory=list)  # (column, path, expression text)
    diagnose: bool = False  # compute step by step to name what overflows (the slow, error-only path)
    lazy_steps: int = 0  # steps added since the frame was last computed

    @property
    def policy(self) -> Policy:
        return self.checked.policy

    def has(self, path: str) -> bool:
        return path in self.checked.exprs

    def expr(self, path: str) -> pl.Expr:
        """Compile the expression at ``path``; its zero checks are recorded."""
        from incentive.policy.expr.compile import to_polars, zero_division_checks

        checked_expr = self.checked.exprs[path]
        zero = {}
        for text, cond in zero_division_checks(checked_expr, self.ctx):
            name = f"__zero{len(self.checks)}"
            self.checks.append((name, path, text))
            zero[name] = cond.fill_null(False)
        if zero:
            self.frame = self.frame.with_columns(**zero)
        return to_polars(checked_expr, self.ctx)

    def add(self, exprs: dict[str, pl.Expr], kind: Kind, *, paths: dict[str, str] | None = None,
            money: bool = False, owner: str | None = None, stage: str = "") -> None:
        """Add columns computed from the current frame (one lazy step)."""
        if self.diagnose:
            self._add_checked(exprs, paths or {})
        else:
            self.frame = self.frame.with_columns(**exprs)
            self.lazy_steps += 1
            if self.lazy_steps >= MAX_LAZY_STEPS:
                self.materialize(stage or kind)
        for name in exprs:
            self.columns[name] = ColumnInfo(name, kind, (paths or {}).get(name), money, owner)

    def _add_checked(self, exprs: dict[str, pl.Expr], paths: dict[str, str]) -> None:
        """Diagnosis mode: compute each step at once and name who breaks it."""
        base = self.frame.collect()
        try:
            self.frame = base.with_columns(**exprs).lazy()
            return
        except (pl.exceptions.ComputeError, pl.exceptions.InvalidOperationError) as exc:
            error = exc
        for name, expr in exprs.items():
            bad = _failing_rows(base, expr, self.id_col)
            if bad:
                where = paths.get(name) or name
                ids = ", ".join(map(str, bad[:MAX_NAMED])) + (" and more" if len(bad) > MAX_NAMED else "")
                raise EvaluationError(f"{where}: a value goes beyond the engine's range (38 digits, 12 of them "
                                      f"after the decimal point) for {ids}") from None
        raise EvaluationError(overflow_message(", ".join(exprs), error)) from None

    def materialize(self, stage: str) -> pl.DataFrame:
        """Compute everything so far; the frame stays lazy on top of the result."""
        try:
            done = self.frame.collect()
        except (pl.exceptions.ComputeError, pl.exceptions.InvalidOperationError) as exc:
            raise Overflow(overflow_message(stage, exc)) from None
        self.frame = done.lazy()
        self.lazy_steps = 0
        return done

    def finish(self) -> pl.DataFrame:
        """Raise ``EvaluationError`` for any division by zero; drop helpers."""
        frame = self.materialize("evaluation")
        problems: list[str] = []
        names = [name for name, _, _ in self.checks]
        hits = frame.select(pl.col(n).sum() for n in names).row(0) if names else ()
        for (name, path, text), count in zip(self.checks, hits):
            if not count:
                continue
            ids = frame.filter(pl.col(name)).get_column(self.id_col).head(MAX_NAMED).to_list()
            more = f" and {count - MAX_NAMED} more" if count > MAX_NAMED else ""
            problems.append(
                f"{path}: division by zero in '{text}' for {count} "
                f"{'person' if count == 1 else 'people'}: {', '.join(map(str, ids))}{more} "
                "(use safe_div(a, b, default) where a zero divisor is expected)"
            )
        if problems:
            raise EvaluationError("\n".join(problems))
        return frame.drop([c for c in frame.columns if c.startswith("__")])


class Overflow(EvaluationError):
    """A computation left the numeric range; ``evaluate`` re-runs step by step to say where."""


def _fails(frame: pl.DataFrame, expr: pl.Expr) -> bool:
    try:
        frame.select(expr)
    except (pl.exceptions.ComputeError, pl.exceptions.InvalidOperationError):
        return True
    return False


def _failing_rows(base: pl.DataFrame, expr: pl.Expr, id_col: str, chunk: int = 4096) -> list[object]:
    """Ids of the rows for which ``expr`` cannot be computed (chunks, then rows)."""
    bad: list[object] = []
    for part in base.iter_slices(chunk):
        if not _fails(part, expr):
            continue
        for i in range(part.height):
            row = part.slice(i, 1)
            if _fails(row, expr):
                bad.append(row.item(0, id_col))
                if len(bad) > MAX_NAMED:
                    return bad
    return bad


def overflow_message(stage: str, exc: Exception) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return (f"{stage}: cannot compute the policy on this data: {first} (numbers are limited to "
            "38 digits, 12 of them after the decimal point)")
