"""The row-wise reference evaluator: one person, plain Python ``Decimal``.

It is the oracle of the differential tests and the readable statement of
what an expression means: it must give exactly what ``compile.to_polars``
gives, value for value (same 12-decimal model, same null rules; see the
``functions`` module docstring). It walks the same typed nodes, so it is a
small interpreter rather than ``simpleeval`` (which would re-parse the text
and re-implement the typing and null rules a second time).
"""

from __future__ import annotations

import operator
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal, localcontext
from typing import Any, Callable

from incentive.numeric import LIMIT, SCALE, py_div, py_mul, py_round, to_dec
from incentive.policy.expr import nodes as n
from incentive.policy.expr.checked import CheckedExpr
from incentive.policy.expr.functions import MAX_HISTORY
from incentive.policy.expr.types import NUMERIC

#: an expression's value: Decimal, bool, str, date or None. ``Any`` on purpose: this is an
#: interpreter over nodes the checker already typed, so each operation gets the kind it needs
Value = Any
Lookup = Callable[[str, int], object]

_CTX = Context(prec=80)
_COMPARE = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def evaluate(expr: CheckedExpr, lookup: Lookup, *, periods_per_year: int, history_depth: int) -> object:
    """The value of ``expr`` for one person. ``lookup(name, offset)`` gives
    that person's value of ``name`` ``offset`` periods back (0 = now), or
    ``None``. Raises ``OverflowError`` where polars would refuse a number
    beyond ``numeric.LIMIT``."""
    with localcontext(_CTX):
        value = _Evaluator(lookup, periods_per_year, history_depth).eval(expr.node, 0)
    return _clean(value)


def _clean(value: Value) -> Value:
    if isinstance(value, Decimal):
        value = to_dec(value)
        if value.is_zero():
            value = value.copy_abs()
        if abs(value) >= LIMIT:
            raise OverflowError(f"number {value} does not fit Decimal(38, {SCALE})")
    return value


def _scaled(d: Decimal) -> int:
    return int(d.scaleb(SCALE))


def _unscaled(i: int) -> Decimal:
    return Decimal(i).scaleb(-SCALE)


def months_between(d1: date, d2: date) -> int:
    raw = 12 * (d2.year - d1.year) + (d2.month - d1.month)
    if raw > 0 and d2.day < d1.day:
        return raw - 1
    if raw < 0 and d2.day > d1.day:
        return raw + 1
    return raw


def _kleene_and(values: list) -> bool | None:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _kleene_or(values: list) -> bool | None:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


class _Evaluator:
    def __init__(self, lookup: Lookup, periods_per_year: int, history_depth: int):
        self.lookup = lookup
        self.ppy = periods_per_year
        self.depth = history_depth

    def eval(self, node: n.Node, offset: int) -> Value:
        return _clean(getattr(self, "_" + type(node).__name__.lower())(node, offset))

    def _lit(self, node: n.Lit, offset: int) -> Value:
        return node.value

    def _name(self, node: n.Name, offset: int) -> Value:
        if offset > self.depth:
            return None
        value = self.lookup(node.name, offset)
        if value is not None and node.type in NUMERIC:
            return to_dec(value)
        return value

    def _unary(self, node: n.Unary, offset: int) -> Value:
        x = self.eval(node.operand, offset)
        if x is None:
            return None
        if node.op == "-":
            return -x
        if node.op == "not":
            return not x
        return x

    def _arith(self, node: n.Arith, offset: int) -> Value:
        a = self.eval(node.left, offset)
        b = self.eval(node.right, offset)
        if a is None or b is None:
            return None
        op = node.op
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return py_mul(a, b)
        if b == 0:
            return None
        if op == "/":
            return py_div(a, b)
        if op == "//":
            return Decimal(_scaled(a) // _scaled(b))  # floor of the exact quotient
        return _unscaled(_scaled(a) % _scaled(b))  # sign of the divisor

    def _pow(self, node: n.Pow, offset: int) -> Value:
        base = self.eval(node.base, offset)
        if base is None:
            return None
        if node.exponent == 0:
            return Decimal(1)
        result = base
        for _ in range(node.exponent - 1):
            result = _clean(py_mul(result, base))
        return result

    def _compare(self, node: n.Compare, offset: int) -> Value:
        a = self.eval(node.left, offset)
        b = self.eval(node.right, offset)
        if a is None or b is None:
            return None
        return _COMPARE[node.op](a, b)

    def _boolop(self, node: n.BoolOp, offset: int) -> Value:
        values = [self.eval(v, offset) for v in node.values]
        return _kleene_and(values) if node.op == "and" else _kleene_or(values)

    def _ifelse(self, node: n.IfElse, offset: int) -> Value:
        test = self.eval(node.test, offset)
        return self.eval(node.body if test is True else node.orelse, offset)

    def _in(self, node: n.In, offset: int) -> Value:
        x = self.eval(node.operand, offset)
        if x is None:
            return None
        found = any(x == v for v in node.values)
        return not found if node.negated else found

    def _call(self, node: n.Call, offset: int) -> Value:
        f = node.func
        args = [self.eval(a, offset) for a in node.args]
        if f in ("min", "max"):
            present = [a for a in args if a is not None]
            if not present:
                return None
            return min(present) if f == "min" else max(present)
        if f in ("coalesce", "if_null"):
            return next((a for a in args if a is not None), None)
        if f == "safe_div":
            a, b, default = args
            if b is None or b == 0:
                return default
            return None if a is None else py_div(a, b)
        if any(a is None for a in args):
            return None
        x = args[0]
        if f == "abs":
            return abs(x)
        if f == "round":
            return py_round(x, node.params[0], "half_up")
        if f == "floor":
            return x.to_integral_value(rounding=ROUND_FLOOR)
        if f == "ceil":
            return x.to_integral_value(rounding=ROUND_CEILING)
        if f == "clamp":
            return min(max(x, args[1]), args[2])
        if f == "between":
            return args[1] <= x <= args[2]
        if f == "days_between":
            return Decimal((args[1] - x).days)
        if f == "months_between":
            return Decimal(months_between(x, args[1]))
        if f == "year":
            return Decimal(x.year)
        if f == "quarter":
            return Decimal((x.month - 1) // 3 + 1)
        if f == "month":
            return Decimal(x.month)
        if f == "day":
            return Decimal(x.day)
        raise AssertionError(f"no reference for function {f}")

    def _history(self, node: n.History, offset: int) -> Value:
        if node.func == "prev":
            return self.eval(node.arg, offset + node.n)
        if node.func == "last_year":
            return self.eval(node.arg, offset + self.ppy)
        if node.func == "count_last":
            offsets = [offset + j for j in range(node.n) if offset + j <= self.depth]
            return Decimal(sum(1 for o in offsets if self.eval(node.arg, o) is True))
        count = 0
        for j in range(min(self.depth - offset, MAX_HISTORY) + 1):
            if self.eval(node.arg, offset + j) is not True:
                break
            count += 1
        return Decimal(count)
