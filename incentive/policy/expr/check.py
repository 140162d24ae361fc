"""Checking: an allow-listed AST -> typed IR nodes, against a scope.

Resolves every name against what its stage can see (``Scope``), every call
against the function library, and types every operation (rules in
``incentive.policy.expr.types`` and the table in ``functions``). All problems
are collected, not just the first; a sub-expression that already failed
yields ``None`` and its parents stay silent, so one mistake gives one finding.
"""

from __future__ import annotations

import ast

from incentive.policy.expr import nodes as n
from incentive.policy.expr.check_base import Scope
from incentive.policy.expr.check_calls import CallChecks
from incentive.policy.expr.checked import CheckedExpr, make_checked
from incentive.policy.expr.functions import FUNCTIONS
from incentive.policy.expr.parse import Parsed, Problem, binop_symbol, cmpop_symbol, parse, unary_symbol
from incentive.policy.expr.suggest import hint
from incentive.policy.expr.types import NUMERIC, T, arith_type, comparable, describe, unify
from incentive.policy.model import Source

_BOOL_WORDS = {"true": True, "false": False}


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


class _Checker(CallChecks):
    """Names, literals and operators (calls: ``CallChecks``)."""

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
        assert op is not None  # parse allow-listed the operator
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
        assert op is not None  # parse allow-listed the operator
        start, end = self.span(a)
        if op == "**":
            base = self.node(a.left, hist)
            if base is None:
                return None
            if base.type != T.NUMBER:
                self.fail("type-mismatch", f"'**' needs a number, but '{self.text(a.left)}' is {describe(base.type)}", a)
                return None
            exponent = a.right
            assert isinstance(exponent, ast.Constant) and isinstance(exponent.value, int)  # parse allows only a literal integer
            return n.Pow(T.NUMBER, start, end, base, exponent.value)
        left = self.node(a.left, hist)
        right = self.node(a.right, hist)
        if left is None or right is None:
            return None
        result = arith_type(op, left.type, right.type)
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
        return n.BoolOp(T.BOOL, start, end, op, tuple(v for v in values if v is not None))

    def compare(self, a: ast.Compare, hist: str | None) -> n.Node | None:
        left_src: ast.expr = a.left
        left = self.node(a.left, hist)
        parts: list[n.Node | None] = []
        for op_node, right_src in zip(a.ops, a.comparators):
            op = cmpop_symbol(op_node)
            assert op is not None  # parse allow-listed the operator
            start, end = self.smap.start(left_src), self.smap.end(right_src)
            if op in ("in", "not in"):
                assert isinstance(right_src, (ast.Tuple, ast.List))  # parse allows only a literal list after 'in'
                parts.append(self.member(left, left_src, right_src, op, start, end))
                left_src, left = right_src, None  # a list cannot be compared further
                continue
            right = self.node(right_src, hist)
            parts.append(self.pair(op, left, right, left_src, right_src, start, end))
            left_src, left = right_src, right
        done = [p for p in parts if p is not None]
        if len(done) < len(parts):
            return None
        if len(done) == 1:
            return done[0]
        start, end = self.span(a)
        return n.BoolOp(T.BOOL, start, end, "and", tuple(done))

    def pair(self, op: str, left: n.Node | None, right: n.Node | None, left_src: ast.expr, right_src: ast.expr,
             start: int, end: int) -> n.Node | None:
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

    def member(self, left: n.Node | None, left_src: ast.expr, list_src: ast.Tuple | ast.List, op: str,
               start: int, end: int) -> n.Node | None:
        if left is None:
            return None
        if left.type not in NUMERIC and left.type != T.TEXT:
            self.fail("type-mismatch", f"'{op}' needs a number, money or text on its left, but '{self.text(left_src)}' is {describe(left.type)}", left_src)
            return None
        values: list = []
        for elt in list_src.elts:
            negative = isinstance(elt, ast.UnaryOp)
            const = elt.operand if isinstance(elt, ast.UnaryOp) else elt
            assert isinstance(const, ast.Constant)  # parse allows only literal numbers and texts in the list
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
