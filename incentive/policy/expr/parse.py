"""Parsing: expression text -> an allow-listed Python AST, refused fast.

The text is parsed with ``ast.parse(mode="eval")`` (it is never compiled or
run) and then walked against an allow-list of node types. Hostile input is
refused before it can cost anything: the length is checked before parsing,
bracket nesting before the parser sees it, and the tree's depth and size
with an iterative walk, so ``((((...))))`` ten thousand deep, ``'x' * 10**9``
or ``x.__class__`` each end in one finding, never a crash.

Positions: a ``Problem`` carries the character index of the offending token
in the expression text. ``ast`` reports UTF-8 *byte* columns; ``SourceMap``
turns them into character indexes (Chinese text before a token would
otherwise shift the column).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

#: limits (``expr-too-complex``)
MAX_LENGTH = 2000  # characters of source
MAX_DEPTH = 40  # nesting of expression nodes (and of brackets)
MAX_NODES = 500  # expression nodes
MAX_NUMBER_DIGITS = 30  # digits in one numeric literal
MAX_STRING = 200  # characters in one string literal
MAX_POW = 4  # largest literal exponent of **


@dataclass(frozen=True)
class Problem:
    """One finding inside an expression; ``start`` is a character index into
    the expression text (``policy_check`` turns it into file line:col)."""

    code: str
    message: str
    start: int = 0


#: the nodes an expression problem can point at (they carry source positions)
Located = ast.expr | ast.keyword


class SourceMap:
    """Maps ``ast`` positions (1-based line, UTF-8 byte column) of the parsed
    text to character indexes in the original expression text."""

    def __init__(self, text: str, lead: int):
        self.text = text
        self.lead = lead  # leading whitespace stripped before parsing
        self.lines = text[lead:].split("\n")
        self.line_starts = [lead]
        for line in self.lines[:-1]:
            self.line_starts.append(self.line_starts[-1] + len(line) + 1)

    def index(self, lineno: int, byte_col: int) -> int:
        i = min(max(lineno, 1), len(self.lines)) - 1
        chars = len(self.lines[i].encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))
        return self.line_starts[i] + chars

    def start(self, node: Located) -> int:
        return self.index(node.lineno, node.col_offset)

    def end(self, node: Located) -> int:
        return self.index(node.end_lineno or node.lineno, node.end_col_offset or node.col_offset)

    def segment(self, node: Located) -> str:
        return self.text[self.start(node):self.end(node)]


@dataclass(frozen=True)
class Parsed:
    text: str
    tree: ast.expr
    smap: SourceMap


_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**"}
_CMPOPS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
           ast.In: "in", ast.NotIn: "not in"}
_UNARY = {ast.USub: "-", ast.UAdd: "+", ast.Not: "not"}

_FORBIDDEN = {
    ast.Attribute: "attribute access ('.{attr}') is not allowed",
    ast.Subscript: "subscripts ('x[...]') are not allowed",
    ast.Slice: "slices are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "generator expressions are not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.NamedExpr: "assignment expressions (':=') are not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.FormattedValue: "f-strings are not allowed",
    ast.Starred: "starred arguments ('*x') are not allowed",
    ast.Dict: "dict literals are not allowed",
    ast.Set: "set literals are not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
    ast.Tuple: "tuples are allowed only as the right side of 'in' / 'not in'",
    ast.List: "lists are allowed only as the right side of 'in' / 'not in'",
}


def binop_symbol(op: ast.operator) -> str | None:
    return _BINOPS.get(type(op))


def cmpop_symbol(op: ast.cmpop) -> str | None:
    return _CMPOPS.get(type(op))


def unary_symbol(op: ast.unaryop) -> str | None:
    return _UNARY.get(type(op))


def parse(text: str) -> tuple[Parsed | None, list[Problem]]:
    """Parse and allow-list one expression. Returns the tree, or ``None``
    with the problems that stop it."""
    if len(text) > MAX_LENGTH:
        return None, [Problem("expr-too-complex", f"expression is {len(text)} characters long; the limit is {MAX_LENGTH}")]
    stripped = text.lstrip()
    lead = len(text) - len(stripped)
    if not stripped.strip():
        return None, [Problem("expr-syntax", "empty expression")]
    deep = _bracket_overflow(text)
    if deep is not None:
        return None, [Problem("expr-too-complex", f"brackets nest more than {MAX_DEPTH} deep", deep)]
    smap = SourceMap(text, lead)
    try:
        tree = ast.parse(stripped, mode="eval").body
    except SyntaxError as exc:
        return None, [_syntax_problem(exc, smap, text)]
    except (RecursionError, MemoryError):
        return None, [Problem("expr-too-complex", "expression is too deeply nested to parse")]
    except ValueError as exc:  # e.g. NUL characters
        return None, [Problem("expr-syntax", f"invalid expression text: {exc}")]
    size = _size_problem(tree, smap)
    if size is not None:
        return None, [size]
    problems: list[Problem] = []
    _allow(tree, smap, problems, in_list=False)
    if problems:
        return None, problems
    return Parsed(text, tree, smap), []


def _bracket_overflow(text: str) -> int | None:
    """Index of the first bracket nested deeper than ``MAX_DEPTH`` (string
    literals skipped), before the parser gets to recurse on it."""
    depth = 0
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif text.startswith(quote, i):
                i += len(quote) - 1
                quote = ""
        elif ch in "'\"":
            quote = ch * 3 if text.startswith(ch * 3, i) else ch
            i += len(quote) - 1
        elif ch in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                return i
        elif ch in ")]}":
            depth -= 1
        i += 1
    return None


def _syntax_problem(exc: SyntaxError, smap: SourceMap, text: str) -> Problem:
    msg = exc.msg or "invalid syntax"
    if "null bytes" in msg:
        return Problem("expr-syntax", "invalid expression text: NUL characters")
    if not exc.offset or not exc.lineno:
        return Problem("expr-syntax", f"{msg} (the expression looks incomplete)", len(text.rstrip()))
    line = min(max(exc.lineno, 1), len(smap.lines)) - 1
    start = smap.line_starts[line] + min(exc.offset - 1, len(smap.lines[line]))
    if msg.startswith("unexpected indent"):
        msg = "unexpected indentation"
    return Problem("expr-syntax", msg, start)


def _size_problem(tree: ast.expr, smap: SourceMap) -> Problem | None:
    """Depth and node count, walked iteratively (the tree may be deep)."""
    count = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.expr):
            count += 1
            if depth > MAX_DEPTH:
                return Problem("expr-too-complex", f"expression nests more than {MAX_DEPTH} levels deep", smap.start(node))
            if count > MAX_NODES:
                return Problem("expr-too-complex", f"expression has more than {MAX_NODES} parts")
            depth += 1
        stack.extend((child, depth) for child in ast.iter_child_nodes(node))
    return None


def _allow(node: ast.expr, smap: SourceMap, out: list[Problem], in_list: bool) -> None:
    """Append a problem for every construct outside the language."""
    at = smap.start(node)
    kind = type(node)
    if isinstance(node, (ast.Tuple, ast.List)) and in_list:
        for elt in node.elts:
            _allow_list_element(elt, smap, out)
        return
    if kind in _FORBIDDEN:
        out.append(Problem("expr-forbidden", _FORBIDDEN[kind].format(attr=getattr(node, "attr", "")), at))
        return
    if isinstance(node, ast.Constant):
        _allow_constant(node, smap, out)
    elif isinstance(node, ast.Name):
        if node.id.startswith("__"):
            out.append(Problem("expr-forbidden", f"dunder names ('{node.id}') are not allowed", at))
    elif isinstance(node, ast.BinOp):
        symbol = binop_symbol(node.op)
        if symbol is None:
            out.append(Problem("expr-forbidden", f"operator '{_op_text(node, smap)}' is not allowed (use + - * / // % **)", at))
            return
        if symbol == "**":
            exp = node.right
            if not (isinstance(exp, ast.Constant) and type(exp.value) is int and 0 <= exp.value <= MAX_POW):
                out.append(Problem("expr-forbidden", f"'**' needs a literal integer exponent from 0 to {MAX_POW}, not '{smap.segment(exp)}'", smap.start(exp)))
                return
        _allow(node.left, smap, out, False)
        _allow(node.right, smap, out, False)
    elif isinstance(node, ast.UnaryOp):
        if unary_symbol(node.op) is None:
            out.append(Problem("expr-forbidden", "operator '~' is not allowed (use 'not' for booleans)", at))
            return
        _allow(node.operand, smap, out, False)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            _allow(value, smap, out, False)
    elif isinstance(node, ast.Compare):
        _allow(node.left, smap, out, False)
        for i, (op, right) in enumerate(zip(node.ops, node.comparators)):
            symbol = cmpop_symbol(op)
            if symbol in ("in", "not in") and i < len(node.ops) - 1:
                out.append(Problem("expr-forbidden", f"'{symbol}' must be the last comparison of a chain; add parentheses", smap.start(right)))
                continue
            if symbol is None:
                out.append(Problem("expr-forbidden", "'is' / 'is not' are not allowed (use == / != , and coalesce() for missing values)", smap.start(right)))
            elif symbol in ("in", "not in"):
                if not isinstance(right, (ast.Tuple, ast.List)):
                    out.append(Problem("expr-forbidden", f"the right side of '{symbol}' must be a literal list such as (\"A\", \"B\")", smap.start(right)))
                else:
                    _allow(right, smap, out, True)
            else:
                _allow(right, smap, out, False)
    elif isinstance(node, ast.IfExp):
        for child in (node.test, node.body, node.orelse):
            _allow(child, smap, out, False)
    elif isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute):
            _allow(node.func, smap, out, False)
            return
        if not isinstance(node.func, ast.Name):
            out.append(Problem("expr-forbidden", f"only library functions can be called, by plain name; '{smap.segment(node.func)}' is not one", smap.start(node.func)))
            return
        _allow(node.func, smap, out, False)
        for arg in node.args:
            _allow(arg, smap, out, False)
        for kw in node.keywords:
            if kw.arg is None:
                out.append(Problem("expr-forbidden", "'**' keyword unpacking is not allowed", smap.start(kw)))
            else:
                _allow(kw.value, smap, out, False)
    else:
        out.append(Problem("expr-forbidden", f"'{smap.segment(node) or kind.__name__}' is not allowed in an expression", at))


def _op_text(node: ast.BinOp, smap: SourceMap) -> str:
    between = smap.text[smap.end(node.left):smap.start(node.right)]
    return between.strip(" ()\n\t") or type(node.op).__name__


def _allow_constant(node: ast.Constant, smap: SourceMap, out: list[Problem]) -> None:
    value = node.value
    at = smap.start(node)
    if isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        digits = sum(ch.isdigit() for ch in smap.segment(node))
        if digits > MAX_NUMBER_DIGITS:
            out.append(Problem("expr-too-complex", f"number literal has {digits} digits; the limit is {MAX_NUMBER_DIGITS}", at))
    elif isinstance(value, str):
        if len(value) > MAX_STRING:
            out.append(Problem("expr-too-complex", f"text literal is {len(value)} characters long; the limit is {MAX_STRING}", at))
    elif value is None:
        out.append(Problem("expr-forbidden", "'None' is not allowed (missing values are handled with coalesce() / if_null())", at))
    elif isinstance(value, complex):
        out.append(Problem("expr-forbidden", "complex numbers are not allowed", at))
    elif isinstance(value, bytes):
        out.append(Problem("expr-forbidden", "byte strings are not allowed", at))
    else:
        out.append(Problem("expr-forbidden", f"'{smap.segment(node)}' is not allowed in an expression", at))


def _allow_list_element(node: ast.expr, smap: SourceMap, out: list[Problem]) -> None:
    inner = node.operand if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) else node
    if isinstance(inner, ast.Constant) and isinstance(inner.value, (int, float, str)) and not isinstance(inner.value, bool) \
            and (inner is node or not isinstance(inner.value, str)):
        _allow_constant(inner, smap, out)
        return
    out.append(Problem("expr-forbidden", f"the list after 'in' may hold only literal numbers and texts, not '{smap.segment(node)}'", smap.start(node)))
