"""Checking: an allow-listed AST -> typed IR nodes, against a scope.

Resolves every name against what its stage can see (``Scope``), every call
against the function library, and types every operation (rules in
``incentive.policy.expr.types`` and the table in ``functions``). All problems
are collected, not just the first; a sub-expression that already failed
yields ``None`` and its parents stay silent, so one mistake gives one finding.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from incentive.numeric import LIMIT, SCALE, to_dec
from incentive.policy.expr import nodes as n
from incentive.policy.expr.checked import CheckedExpr, make_checked
from incentive.policy.expr.functions import FUNCTIONS, HISTORY_FUNCTIONS, MAX_HISTORY
from incentive.policy.expr.parse import Parsed, Problem, binop_symbol, cmpop_symbol, parse, unary_symbol
from incentive.policy.expr.suggest import hint
from incentive.policy.expr.types import NUMERIC, T, comparable, unify
from incentive.policy.model import Source

_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")
_BOOL_WORDS = {"true": True, "false": False}


@dataclass
class Scope:
    """What one expression slot may read.

    ``names``: visible named quantities and their types (``None`` = the type
    is unknown because that quantity's own definition has an error, already
    reported). ``hidden``: quantities that exist but are not visible here,
    with the reason (e.g. "computed later (ranking)"). ``past``: hidden
    quantities that ``prev`` / ``last_year`` may still read, because earlier
    periods are closed and complete (a payout may look at its own value last
    period). ``where`` names the slot in messages; ``stage`` is the section
    name used in history messages. ``headers`` maps data-file column headers
    (``销售额``) to input ids, for the hint when a header is used as a name.
    """

    names: dict[str, T | None]
    hidden: dict[str, str] = field(default_factory=dict)
    where: str = "this expression"
    stage: str = ""
    history: bool = True
    past: dict[str, T] = field(default_factory=dict)  # also readable inside prev() / last_year()
    headers: dict[str, str] = field(default_factory=dict)  # data-file column header -> input id


def check_source(source: Source, scope: Scope) -> tuple[CheckedExpr | None, list[Problem]]:
    """Parse and check one expression of a policy (``Problem.start`` indexes
    ``source.text``)."""
    parsed, problems = parse(source.text)
    if parsed is None:
        return None, problems
    node, problems = check(parsed, scope)
    if node is None:
        return None, problems
    return make_checked(source, node), []


def check(parsed: Parsed, scope: Scope) -> tuple[n.Node | None, list[Problem]]:
    """Type the parsed expression; ``None`` with problems when it fails."""
    checker = _Checker(parsed, scope)
    node = checker.node(parsed.tree, None)
    if checker.problems:
        return None, checker.problems
    return node, []


def describe(t: T) -> str:
    return {T.NUMBER: "a number", T.MONEY: "money", T.BOOL: "a bool", T.TEXT: "text", T.DATE: "a date"}[t]


class _Checker:
    def __init__(self, parsed: Parsed, scope: Scope):
        self.smap = parsed.smap
        self.scope = scope
        self.problems: list[Problem] = []

    # -- helpers -------------------------------------------------------
    def fail(self, code: str, message: str, at: ast.AST | int) -> None:
        start = at if isinstance(at, int) else self.smap.start(at)
        self.problems.append(Problem(code, message, start))

    def span(self, a: ast.AST) -> tuple[int, int]:
        return self.smap.start(a), self.smap.end(a)

    def text(self, a: ast.AST) -> str:
        return self.smap.segment(a)

    def number(self, a: ast.Constant) -> Decimal | None:
        raw = self.text(a).replace("_", "")
        try:
            value = Decimal(int(raw, 0)) if raw[:2].lower() in ("0x", "0o", "0b") else Decimal(raw)
        except (InvalidOperation, ValueError):
            value = Decimal(str(a.value))
        if not value.is_finite() or abs(value) >= LIMIT:
            self.fail("expr-too-complex", f"number {self.text(a)} is too large (the limit is 10^{LIMIT.adjusted()})", a)
            return None
        return to_dec(value)

    # -- nodes ---------------------------------------------------------
    def node(self, a: ast.expr, hist: str | None) -> n.Node | None:
        start, end = self.span(a)
        if isinstance(a, ast.Constant):
            if isinstance(a.value, bool):
                return n.Lit(T.BOOL, start, end, a.value)
            if isinstance(a.value, str):
                return n.Lit(T.TEXT, start, end, a.value)
            value = self.number(a)
            return None if value is None else n.Lit(T.NUMBER, start, end, value)
        if isinstance(a, ast.Name):
            return self.name(a, hist)
        if isinstance(a, ast.UnaryOp):
            return self.unary(a, hist)
        if isinstance(a, ast.BinOp):
            return self.binop(a, hist)
        if isinstance(a, ast.BoolOp):
            return self.boolop(a, hist)
        if isinstance(a, ast.Compare):
            return self.compare(a, hist)
        if isinstance(a, ast.IfExp):
            return self.ifexp(a, hist)
        if isinstance(a, ast.Call):
            return self.call(a, hist)
        self.fail("expr-forbidden", f"'{self.text(a)}' is not allowed here", a)
        return None

    def name(self, a: ast.Name, hist: str | None) -> n.Node | None:
        start, end = self.span(a)
        scope = self.scope
        if a.id in scope.names:
            t = scope.names[a.id]
            return None if t is None else n.Name(t, start, end, a.id)
        if hist in ("prev", "last_year") and a.id in scope.past:
            return n.Name(scope.past[a.id], start, end, a.id)
        if a.id in _BOOL_WORDS:
            return n.Lit(T.BOOL, start, end, _BOOL_WORDS[a.id])
        if a.id in scope.hidden:
            self.fail("unknown-name", f"'{a.id}' {scope.hidden[a.id]}, so it cannot be used here", a)
        elif a.id in scope.headers:
            self.fail("unknown-name", f"'{a.id}' is the data column of input '{scope.headers[a.id]}'; "
                      f"expressions use the id: {scope.headers[a.id]}", a)
        elif a.id in FUNCTIONS:
            self.fail("unknown-name", f"'{a.id}' is a function; call it as {FUNCTIONS[a.id].signature}", a)
        else:
            self.fail("unknown-name", f"unknown name '{a.id}'{hint(a.id, scope.names)}", a)
        return None

    def unary(self, a: ast.UnaryOp, hist: str | None) -> n.Node | None:
        operand = self.node(a.operand, hist)
        if operand is None:
            return None
        op = unary_symbol(a.op)
        start, end = self.span(a)
        if op == "not":
            if operand.type != T.BOOL:
                self.fail("type-mismatch", f"'not' needs a bool, but '{self.text(a.operand)}' is {describe(operand.type)}", a)
                return None
            return n.Unary(T.BOOL, start, end, op, operand)
        if operand.type not in NUMERIC:
            self.fail("type-mismatch", f"unary '{op}' needs a number or money, but '{self.text(a.operand)}' is {describe(operand.type)}", a)
            return None
        return n.Unary(operand.type, start, end, op, operand)

    def binop(self, a: ast.BinOp, hist: str | None) -> n.Node | None:
        op = binop_symbol(a.op)
        start, end = self.span(a)
        if op == "**":
            base = self.node(a.left, hist)
            if base is None:
                return None
            if base.type != T.NUMBER:
                self.fail("type-mismatch", f"'**' needs a number, but '{self.text(a.left)}' is {describe(base.type)}", a)
                return None
            return n.Pow(T.NUMBER, start, end, base, a.right.value)
        left = self.node(a.left, hist)
        right = self.node(a.right, hist)
        if left is None or right is None:
            return None
        result = _arith_type(op, left.type, right.type)
        if isinstance(result, str):
            self.fail("type-mismatch", f"'{self.text(a)}': {result}", a)
            return None
        return n.Arith(result, start, end, op, left, right)

    def boolop(self, a: ast.BoolOp, hist: str | None) -> n.Node | None:
        op = "and" if isinstance(a.op, ast.And) else "or"
        values = [self.node(v, hist) for v in a.values]
        ok = True
        for src, v in zip(a.values, values):
            if v is None:
                ok = False
            elif v.type != T.BOOL:
                self.fail("type-mismatch", f"'{op}' needs bools, but '{self.text(src)}' is {describe(v.type)}", src)
                ok = False
        if not ok:
            return None
        start, end = self.span(a)
        return n.BoolOp(T.BOOL, start, end, op, tuple(values))

    def compare(self, a: ast.Compare, hist: str | None) -> n.Node | None:
        left_src: ast.expr = a.left
        left = self.node(a.left, hist)
        parts: list[n.Node | None] = []
        for op_node, right_src in zip(a.ops, a.comparators):
            op = cmpop_symbol(op_node)
            start, end = self.smap.start(left_src), self.smap.end(right_src)
            if op in ("in", "not in"):
                parts.append(self.member(left, left_src, right_src, op, start, end))
                left_src, left = right_src, None  # a list cannot be compared further
                continue
            right = self.node(right_src, hist)
            parts.append(self.pair(op, left, right, left_src, right_src, start, end))
            left_src, left = right_src, right
        if any(p is None for p in parts):
            return None
        if len(parts) == 1:
            return parts[0]
        start, end = self.span(a)
        return n.BoolOp(T.BOOL, start, end, "and", tuple(parts))

    def pair(self, op, left, right, left_src, right_src, start, end) -> n.Node | None:
        if left is None or right is None:
            return None
        lt, rt = left.type, right.type
        if not comparable(lt, rt):
            self.fail("type-mismatch", f"cannot compare {describe(lt)} ('{self.text(left_src)}') with {describe(rt)} ('{self.text(right_src)}')", left_src)
            return None
        if lt == T.BOOL and op not in ("==", "!="):
            self.fail("type-mismatch", f"bools can only be compared with == or !=, not '{op}'", left_src)
            return None
        return n.Compare(T.BOOL, start, end, op, left, right)

    def member(self, left, left_src, list_src, op, start, end) -> n.Node | None:
        if left is None:
            return None
        if left.type not in NUMERIC and left.type != T.TEXT:
            self.fail("type-mismatch", f"'{op}' needs a number, money or text on its left, but '{self.text(left_src)}' is {describe(left.type)}", left_src)
            return None
        values: list = []
        for elt in list_src.elts:
            negative = isinstance(elt, ast.UnaryOp)
            const = elt.operand if negative else elt
            if isinstance(const.value, str):
                if left.type != T.TEXT:
                    self.fail("type-mismatch", f"'{self.text(left_src)}' is {describe(left.type)} but the list holds text {self.text(elt)}", elt)
                    return None
                values.append(const.value)
            else:
                if left.type == T.TEXT:
                    self.fail("type-mismatch", f"'{self.text(left_src)}' is text but the list holds the number {self.text(elt)}", elt)
                    return None
                value = self.number(const)
                if value is None:
                    return None
                values.append(-value if negative else value)
        return n.In(T.BOOL, start, end, left, tuple(values), op == "not in")

    def ifexp(self, a: ast.IfExp, hist: str | None) -> n.Node | None:
        test = self.node(a.test, hist)
        body = self.node(a.body, hist)
        orelse = self.node(a.orelse, hist)
        if test is not None and test.type != T.BOOL:
            self.fail("type-mismatch", f"the condition of 'if' must be a bool, but '{self.text(a.test)}' is {describe(test.type)}", a.test)
            return None
        if test is None or body is None or orelse is None:
            return None
        t = unify(body.type, orelse.type)
        if t is None:
            self.fail("type-mismatch", f"the branches of 'if' differ: '{self.text(a.body)}' is {describe(body.type)}, '{self.text(a.orelse)}' is {describe(orelse.type)}", a)
            return None
        start, end = self.span(a)
        return n.IfElse(t, start, end, test, body, orelse)

    # -- calls ---------------------------------------------------------
    def call(self, a: ast.Call, hist: str | None) -> n.Node | None:
        name = a.func.id
        spec = FUNCTIONS.get(name)
        if spec is None:
            if name in self.scope.names or name in self.scope.hidden:
                self.fail("unknown-function", f"'{name}' is a value, not a function", a.func)
            else:
                self.fail("unknown-function", f"unknown function '{name}'{hint(name, FUNCTIONS)}", a.func)
            return None
        args = self.bind(a, spec)
        if args is None:
            return None
        if name in HISTORY_FUNCTIONS:
            return self.history(a, name, args, hist)
        if name == "date":
            return self.date_literal(a, args[0])
        literal_n: tuple[int, ...] = ()
        if name == "round":
            nsrc = args.pop(1) if len(args) > 1 else None
            digits = 0 if nsrc is None else self.literal_int(nsrc, "round", "n", 0, SCALE)
            if digits is None:
                return None
            literal_n = (digits,)
        typed = [self.node(x, hist) for x in args]
        if any(x is None for x in typed):
            return None
        result = self.call_type(name, typed, args, a)
        if result is None:
            return None
        start, end = self.span(a)
        if name == "safe_div" and len(typed) == 2:
            typed.append(n.Lit(T.NUMBER, end, end, to_dec(0)))
        return n.Call(result, start, end, name, tuple(typed), literal_n)

    def bind(self, a: ast.Call, spec) -> list[ast.expr] | None:
        """Positional and keyword arguments in parameter order."""
        given: list[ast.expr | None] = list(a.args)
        for kw in a.keywords:
            if spec.variadic or kw.arg not in spec.params:
                self.fail("bad-arguments", f"{spec.name}() has no parameter '{kw.arg}'; use {spec.signature}", kw)
                return None
            i = spec.params.index(kw.arg)
            while len(given) <= i:
                given.append(None)
            if given[i] is not None:
                self.fail("bad-arguments", f"{spec.name}() got '{kw.arg}' twice", kw)
                return None
            given[i] = kw.value
        count = len(given)
        too_few = count < spec.required or any(g is None for g in given[:spec.required])
        too_many = not spec.variadic and count > len(spec.params)
        if too_few or too_many:
            if spec.variadic:
                want = f"at least {spec.required} arguments"
            elif spec.required == len(spec.params):
                want = f"{spec.required} argument{'s' if spec.required != 1 else ''}"
            else:
                want = f"{spec.required} to {len(spec.params)} arguments"
            self.fail("bad-arguments", f"{spec.name}() takes {want} ({spec.signature}), got {count}", a)
            return None
        return [g for g in given if g is not None]

    def literal_int(self, a: ast.expr, func: str, param: str, lo: int, hi: int) -> int | None:
        if isinstance(a, ast.Constant) and type(a.value) is int and lo <= a.value <= hi:
            return a.value
        self.fail("bad-arguments", f"{func}()'s {param} must be a literal whole number from {lo} to {hi}, not '{self.text(a)}'", a)
        return None

    def date_literal(self, a: ast.Call, arg: ast.expr) -> n.Node | None:
        text = arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
        value = None
        if text is not None and _DATE_TEXT.fullmatch(text):
            try:
                value = date.fromisoformat(text)
            except ValueError:
                value = None
        if value is None:
            self.fail("bad-arguments", f"date() needs a literal date such as date(\"2026-01-31\"), not '{self.text(arg)}'", arg)
            return None
        start, end = self.span(a)
        return n.Lit(T.DATE, start, end, value)

    def history(self, a: ast.Call, name: str, args: list[ast.expr], hist: str | None) -> n.Node | None:
        scope = self.scope
        if not scope.history:
            self.fail("history-not-allowed", f"{name}() reads earlier periods; history functions are not allowed in {scope.stage or scope.where} "
                      "(only in derived, kpis, payouts, penalties and recommendations)", a.func)
            return None
        if hist is not None:
            self.fail("bad-arguments", f"history functions cannot be nested ({name}() inside {hist}())", a.func)
            return None
        k = 1
        if name == "count_last":
            k = self.literal_int(args[0], name, "n", 1, MAX_HISTORY)
            cond_src = args[1]
        else:
            cond_src = args[0]
            if name == "prev" and len(args) > 1:
                k = self.literal_int(args[1], name, "k", 1, MAX_HISTORY)
        arg = self.node(cond_src, name)
        if k is None or arg is None:
            return None
        if name in ("streak", "count_last") and arg.type != T.BOOL:
            self.fail("type-mismatch", f"{name}() needs a condition (a bool), but '{self.text(cond_src)}' is {describe(arg.type)}", cond_src)
            return None
        if not any(isinstance(x, n.Name) for x in n.walk(arg)):
            self.fail("bad-arguments", f"{name}() needs an argument that reads a recorded value, e.g. {name}(revenue)", cond_src)
            return None
        t = T.NUMBER if name in ("streak", "count_last") else arg.type
        start, end = self.span(a)
        return n.History(t, start, end, name, arg, k)

    def call_type(self, name: str, typed: list[n.Node], srcs: list[ast.expr], a: ast.Call) -> T | None:
        types = [x.type for x in typed]

        def need(kinds: frozenset | set, what: str) -> bool:
            for t, src in zip(types, srcs):
                if t not in kinds:
                    self.fail("type-mismatch", f"{name}() needs {what}, but '{self.text(src)}' is {describe(t)}", src)
                    return False
            return True

        def common(ts: list[T]) -> T | None:
            result = ts[0]
            for t, src in zip(ts[1:], srcs[1:]):
                u = unify(result, t)
                if u is None:
                    self.fail("type-mismatch", f"{name}() arguments do not mix: {describe(result)} and {describe(t)} ('{self.text(src)}')", src)
                    return None
                result = u
            return result

        if name in ("min", "max"):
            if types[0] == T.DATE:
                return T.DATE if need({T.DATE}, "dates (all of the same kind)") else None
            return common(types) if need(NUMERIC, "numbers or money") else None
        if name in ("abs", "floor", "ceil", "round"):
            return types[0] if need(NUMERIC, "a number or money") else None
        if name == "clamp":
            return common(types) if need(NUMERIC, "numbers or money") else None
        if name == "safe_div":
            if not need(NUMERIC, "numbers or money"):
                return None
            ratio = _arith_type("/", types[0], types[1])
            if isinstance(ratio, str):
                self.fail("type-mismatch", f"'{self.text(a)}': {ratio}", a)
                return None
            if len(types) < 3:
                return ratio
            u = unify(ratio, types[2])
            if u is None:
                self.fail("type-mismatch", f"safe_div() default is {describe(types[2])} but the quotient is {describe(ratio)}", srcs[2])
            return u
        if name in ("coalesce", "if_null"):
            return common(types)
        if name == "between":
            if not need(NUMERIC | {T.TEXT, T.DATE}, "numbers, money, text or dates"):
                return None
            for t, src in zip(types[1:], srcs[1:]):
                if not comparable(types[0], t):
                    self.fail("type-mismatch", f"between() cannot compare {describe(types[0])} with {describe(t)} ('{self.text(src)}')", src)
                    return None
            return T.BOOL
        if name in ("months_between", "days_between", "year", "quarter", "month", "day"):
            return T.NUMBER if need({T.DATE}, "dates") else None
        raise AssertionError(f"function {name} has no type rule")


def _arith_type(op: str, lt: T, rt: T) -> T | str:
    """Result type of ``lt op rt``, or the reason it is refused."""
    if T.DATE in (lt, rt):
        return "arithmetic on dates is not allowed (use days_between(d1, d2) or months_between(d1, d2))"
    if lt not in NUMERIC or rt not in NUMERIC:
        bad = lt if lt not in NUMERIC else rt
        return f"'{op}' needs numbers or money, not {describe(bad)}"
    money = T.MONEY
    if op in ("+", "-"):
        return money if money in (lt, rt) else T.NUMBER
    if op == "*":
        if lt == money and rt == money:
            return "money * money is not an amount (multiply money by a number, or divide money by money for a ratio)"
        return money if money in (lt, rt) else T.NUMBER
    if op == "/":
        if lt == money:
            return T.NUMBER if rt == money else money
        if rt == money:
            return "a number divided by money has no meaning (divide money by money for a ratio)"
        return T.NUMBER
    # // and %
    if lt == money:
        return money
    if rt == money:
        return f"a number {op} money has no meaning"
    return T.NUMBER
