"""Checking function calls: arguments bound to parameters, literal-only
arguments, history functions, and each function's type rule."""

from __future__ import annotations

import ast
import re
from datetime import date

from incentive.numeric import SCALE, to_dec
from incentive.policy.expr import nodes as n
from incentive.policy.expr.check_base import CheckerBase
from incentive.policy.expr.functions import FUNCTIONS, HISTORY_FUNCTIONS, MAX_HISTORY, Function
from incentive.policy.expr.suggest import hint
from incentive.policy.expr.types import NUMERIC, T, arith_type, comparable, describe, unify

_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")


class CallChecks(CheckerBase):
    """The calls part of the checker (``check._Checker`` adds names and operators)."""

    def call(self, a: ast.Call, hist: str | None) -> n.Node | None:
        assert isinstance(a.func, ast.Name)  # parse allows only calls by plain name
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
        maybe = [self.node(x, hist) for x in args]
        typed = [x for x in maybe if x is not None]
        if len(typed) < len(maybe):
            return None
        result = self.call_type(name, typed, args, a)
        if result is None:
            return None
        start, end = self.span(a)
        if name == "safe_div" and len(typed) == 2:
            typed.append(n.Lit(T.NUMBER, end, end, to_dec(0)))
        return n.Call(result, start, end, name, tuple(typed), literal_n)

    def bind(self, a: ast.Call, spec: Function) -> list[ast.expr] | None:
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
        k: int | None = 1
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
            ratio = arith_type("/", types[0], types[1])
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
