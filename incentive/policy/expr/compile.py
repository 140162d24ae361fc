"""Compilation: a checked expression -> one polars expression.

The result is evaluated column-wise over all people at once; no Python runs
per row (no ``map_elements``). Numbers and money are ``numeric.DTYPE``
throughout, so ``*`` and ``/`` round half-even at the 12th decimal exactly as
``numeric.py_mul`` / ``py_div`` do in the reference evaluator. Division by
zero must not raise inside polars (it does for decimals): the divisor is
replaced by 1 where it is 0 and the result masked to null, and
``zero_division_checks`` gives the engine the conditions to report instead.

History functions compile their argument once per period offset, reading
earlier periods through ``CompileContext.col(name, offset)``; an offset
beyond ``ctx.history_depth`` is a null column (no record).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Callable, Protocol, TypeGuard

import polars as pl

from incentive import numeric
from incentive.policy.expr import nodes as n
from incentive.policy.expr.checked import CheckedExpr
from incentive.policy.expr.functions import MAX_HISTORY
from incentive.policy.expr.types import NUMERIC, T, polars_dtype


class CompileContext(Protocol):
    """Where compiled expressions read their columns from."""

    history_depth: int  # how many earlier periods are available
    periods_per_year: int

    def col(self, name: str, offset: int = 0) -> pl.Expr:
        """The column of ``name``; ``offset`` k > 0 = k periods back."""
        ...


def history_column(name: str, offset: int) -> str:
    """Column name of ``name`` ``offset`` periods back (the engine's
    convention, ``incentive.engine.context.history_column``)."""
    return name if offset == 0 else f"__h{offset}__{name}"


@dataclass(frozen=True)
class ColumnContext:
    """A ``CompileContext`` over one frame holding the current period's
    columns by name and earlier periods' as ``history_column(name, k)``."""

    history_depth: int = 0
    periods_per_year: int = 4

    def col(self, name: str, offset: int = 0) -> pl.Expr:
        return pl.col(history_column(name, offset))


def to_polars(expr: CheckedExpr, ctx: CompileContext) -> pl.Expr:
    """The expression as one polars expression over all people."""
    return _Compiler(ctx).expr(expr.node, 0)


def zero_division_checks(expr: CheckedExpr, ctx: CompileContext) -> list[tuple[str, pl.Expr]]:
    """For each ``/``, ``//`` and ``%``: its source text and a Boolean polars
    expression, true for the people whose divisor is 0 (and not null) where
    the division is actually reached: a division in an ``if`` branch not
    taken, after an ``and`` operand that is false, after an ``or`` operand
    that is true, or in a ``coalesce`` argument after a value that is present,
    does not count. Only the current period is checked; a zero divisor in an
    earlier period's value (inside ``prev`` ...) just gives null."""
    compiler = _Compiler(ctx)
    found: list[tuple[str, pl.Expr]] = []
    _collect_divisions(expr.node, expr.source.text, compiler, None, found)
    return found


def _null(t: T) -> pl.Expr:
    return pl.lit(None, dtype=polars_dtype(t))


_COMPARE = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_MIRROR = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_ZERO = numeric.lit(0)
_ONE = numeric.lit(1)


def _flag(cond: pl.Expr) -> pl.Expr:
    """1 where ``cond`` is true, else 0 (null counts as false)."""
    return pl.when(cond).then(_ONE).otherwise(_ZERO)


def _divide(op: str, left: pl.Expr, right: pl.Expr) -> pl.Expr:
    zero = right == _ZERO
    safe = pl.when(zero).then(_ONE).otherwise(right)
    if op == "/":
        result = left / safe
    elif op == "//":
        result = left // safe
    else:
        result = left % safe
    return pl.when(zero).then(_null(T.NUMBER)).otherwise(result)


def _integer_literal(node: n.Node) -> TypeGuard[n.Lit]:
    """A number written as a literal whose value is a whole number (``100``, ``2.0``)."""
    if not isinstance(node, n.Lit) or node.type not in NUMERIC:
        return False
    value = numeric.to_dec(node.value)
    return value == value.to_integral_value() and abs(value) < numeric.LIMIT


def _months_between(d1: pl.Expr, d2: pl.Expr) -> pl.Expr:
    y1, m1, day1 = (d1.dt.year().cast(pl.Int64), d1.dt.month().cast(pl.Int64), d1.dt.day().cast(pl.Int64))
    y2, m2, day2 = (d2.dt.year().cast(pl.Int64), d2.dt.month().cast(pl.Int64), d2.dt.day().cast(pl.Int64))
    raw = (y2 - y1) * 12 + (m2 - m1)
    whole = (pl.when((raw > 0) & (day2 < day1)).then(raw - 1)
             .when((raw < 0) & (day2 > day1)).then(raw + 1)
             .otherwise(raw))
    return whole.cast(numeric.DTYPE)


def _any_null(args: list[pl.Expr]) -> pl.Expr:
    cond = args[0].is_null()
    for a in args[1:]:
        cond = cond | a.is_null()
    return cond


class _Compiler:
    def __init__(self, ctx: CompileContext):
        self.ctx = ctx

    def expr(self, node: n.Node, offset: int) -> pl.Expr:
        method: Callable[[n.Node, int], pl.Expr] = getattr(self, "_" + type(node).__name__.lower())
        return method(node, offset)

    def _lit(self, node: n.Lit, offset: int) -> pl.Expr:
        if node.type in NUMERIC:
            return numeric.lit(node.value)
        return pl.lit(node.value, dtype=polars_dtype(node.type))

    def _name(self, node: n.Name, offset: int) -> pl.Expr:
        if offset > self.ctx.history_depth:
            return _null(node.type)
        col = self.ctx.col(node.name, offset)
        return col.cast(numeric.DTYPE) if node.type in NUMERIC else col

    def _unary(self, node: n.Unary, offset: int) -> pl.Expr:
        x = self.expr(node.operand, offset)
        if node.op == "-":
            return -x
        if node.op == "not":
            return ~x
        return x

    def _arith(self, node: n.Arith, offset: int) -> pl.Expr:
        left = self.expr(node.left, offset)
        right = self.expr(node.right, offset)
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            # an integer literal factor multiplies without rescaling (numeric.factor)
            if _integer_literal(node.right):
                return left * numeric.factor(node.right.value)
            if _integer_literal(node.left):
                return numeric.factor(node.left.value) * right
            return left * right
        return _divide(node.op, left, right)

    def _pow(self, node: n.Pow, offset: int) -> pl.Expr:
        base = self.expr(node.base, offset)
        if node.exponent == 0:
            return pl.when(base.is_null()).then(_null(T.NUMBER)).otherwise(_ONE)
        result = base
        for _ in range(node.exponent - 1):
            result = result * base
        return result

    def _compare(self, node: n.Compare, offset: int) -> pl.Expr:
        return self.compare(node.op, node.left, node.right, offset)

    def compare(self, op: str, left: n.Node, right: n.Node, offset: int) -> pl.Expr:
        """``left op right``, with a constant left side moved to the right:
        polars 2.1 returns a one-row result for ``literal < when(...)`` when
        every row takes the same literal branch, which then cannot be
        broadcast; ``when(...) > literal`` is fine."""
        if not self.reads_columns(left, offset) and self.reads_columns(right, offset):
            left, right, op = right, left, _MIRROR[op]
        a = self.expr(left, offset)
        b = self.expr(right, offset)
        return _COMPARE[op](a, b)

    def _boolop(self, node: n.BoolOp, offset: int) -> pl.Expr:
        values = [self.expr(v, offset) for v in node.values]
        result = values[0]
        for v in values[1:]:
            result = (result & v) if node.op == "and" else (result | v)
        return result

    def _ifelse(self, node: n.IfElse, offset: int) -> pl.Expr:
        return (pl.when(self.expr(node.test, offset))
                .then(self.expr(node.body, offset))
                .otherwise(self.expr(node.orelse, offset)))

    def _in(self, node: n.In, offset: int) -> pl.Expr:
        operand = self.expr(node.operand, offset)
        numeric_values = node.operand.type in NUMERIC
        if self.reads_columns(node.operand, offset):
            if numeric_values:
                values = pl.Series([numeric.to_dec(v) for v in node.values], dtype=numeric.DTYPE)
            else:
                values = pl.Series(list(node.values), dtype=pl.String)
            member = operand.is_in(values.implode())
        else:
            # a constant operand: is_in would not stay a broadcastable scalar
            member = pl.when(operand.is_null()).then(_null(T.BOOL)).otherwise(pl.lit(False))
            for v in node.values:
                member = member | (operand == (numeric.lit(v) if numeric_values else pl.lit(v, dtype=pl.String)))
        return ~member if node.negated else member

    def reads_columns(self, node: n.Node, offset: int) -> bool:
        """Whether ``node`` at ``offset`` reads any column (else it compiles
        to a constant: every name it reads is beyond the available history)."""
        if isinstance(node, n.Name):
            return offset <= self.ctx.history_depth
        if isinstance(node, n.History):
            if node.func == "prev":
                return self.reads_columns(node.arg, offset + node.n)
            if node.func == "last_year":
                return self.reads_columns(node.arg, offset + self.ctx.periods_per_year)
            return self.reads_columns(node.arg, offset)  # streak / count_last start at the current period
        return any(self.reads_columns(child, offset) for child in n.children(node))

    def _call(self, node: n.Call, offset: int) -> pl.Expr:
        args = [self.expr(a, offset) for a in node.args]
        f = node.func
        if f == "min":
            return pl.min_horizontal(*args)
        if f == "max":
            return pl.max_horizontal(*args)
        if f == "abs":
            return args[0].abs()
        if f == "round":
            return numeric.round_expr(args[0], node.params[0], "half_up")
        if f == "floor":
            return args[0].floor()
        if f == "ceil":
            return args[0].ceil()
        if f == "clamp":
            x, lo, hi = args
            return pl.when(_any_null(args)).then(_null(node.type)).otherwise(
                pl.min_horizontal(pl.max_horizontal(x, lo), hi))
        if f == "safe_div":
            a, b, default = args
            zero = b == _ZERO
            quotient = a / pl.when(zero).then(_ONE).otherwise(b)
            return pl.when(b.is_null() | zero).then(default).otherwise(quotient)
        if f in ("coalesce", "if_null"):
            return pl.coalesce(args)
        if f == "between":
            value, low, high = node.args
            inside = self.compare(">=", value, low, offset) & self.compare("<=", value, high, offset)
            return pl.when(_any_null(args)).then(_null(T.BOOL)).otherwise(inside)
        if f == "days_between":
            return (args[1] - args[0]).dt.total_days().cast(numeric.DTYPE)
        if f == "months_between":
            return _months_between(args[0], args[1])
        if f in ("year", "quarter", "month", "day"):
            return getattr(args[0].dt, f)().cast(numeric.DTYPE)
        raise AssertionError(f"no compiler for function {f}")

    def _history(self, node: n.History, offset: int) -> pl.Expr:
        ctx = self.ctx
        if node.func == "prev":
            return self.expr(node.arg, offset + node.n)
        if node.func == "last_year":
            return self.expr(node.arg, offset + ctx.periods_per_year)
        if node.func == "count_last":
            reachable = [j for j in range(node.n) if offset + j <= ctx.history_depth]
            total = _ZERO
            for j in reachable:
                total = total + _flag(self.expr(node.arg, offset + j))
            return total
        # streak: leading run of true, built from the furthest period inwards
        # so the expression grows linearly with the depth
        depth = min(ctx.history_depth - offset, MAX_HISTORY)
        run: pl.Expr = _ZERO
        for j in range(depth, -1, -1):
            run = pl.when(self.expr(node.arg, offset + j)).then(run + _ONE).otherwise(_ZERO)
        return run


def _collect_divisions(node: n.Node, text: str, comp: _Compiler, guard: pl.Expr | None,
                       out: list[tuple[str, pl.Expr]]) -> None:
    def under(extra: pl.Expr) -> pl.Expr:
        return extra if guard is None else guard & extra

    if isinstance(node, n.Arith) and node.op in ("/", "//", "%") and not (isinstance(node.right, n.Lit) and node.right.value != 0):
        divisor = comp.expr(node.right, 0)
        out.append((text[node.start:node.end], under((divisor == _ZERO).fill_null(False))))
    if isinstance(node, n.IfElse):
        test = comp.expr(node.test, 0).fill_null(False)
        _collect_divisions(node.test, text, comp, guard, out)
        _collect_divisions(node.body, text, comp, under(test), out)
        _collect_divisions(node.orelse, text, comp, under(~test), out)
        return
    if isinstance(node, n.BoolOp):
        reached = guard
        for value in node.values:
            _collect_divisions(value, text, comp, reached, out)
            v = comp.expr(value, 0)
            go_on = v.fill_null(True) if node.op == "and" else ~v.fill_null(False)
            reached = go_on if reached is None else reached & go_on
        return
    if isinstance(node, n.Call) and node.func in ("coalesce", "if_null"):
        reached = guard
        for arg in node.args:
            _collect_divisions(arg, text, comp, reached, out)
            missing = comp.expr(arg, 0).is_null()
            reached = missing if reached is None else reached & missing
        return
    if isinstance(node, n.Call) and node.func == "safe_div":
        a, b, default = node.args
        _collect_divisions(a, text, comp, guard, out)
        _collect_divisions(b, text, comp, guard, out)
        divisor = comp.expr(b, 0)
        _collect_divisions(default, text, comp, under((divisor.is_null() | (divisor == _ZERO)).fill_null(True)), out)
        return
    if isinstance(node, n.History):
        if node.func in ("streak", "count_last"):  # offset 0 is the current period
            _collect_divisions(node.arg, text, comp, guard, out)
        return
    for child in n.children(node):
        _collect_divisions(child, text, comp, guard, out)
