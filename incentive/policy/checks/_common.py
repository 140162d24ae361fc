"""Helpers the semantic checks share: findings, number display, expression walking.

The checks read only ``incentive.policy.model`` objects. A few of them look
inside expressions (history calls, band literals); they parse the source text
with ``ast`` themselves so they work even when the expression engine reported
errors and gave no ``CheckedPolicy``. Unparseable text is simply skipped: the
expression checks already report it (``expr-syntax``).
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Iterable, Iterator
from decimal import Decimal

from incentive.errors import Finding, Level, Pos
from incentive.numeric import plain_text
from incentive.policy.message_text import one_line
from incentive.policy.model import Policy, Source

#: names the engine computes itself; no element may reuse them
RESERVED = {
    "score": "the composite score",
    "band": "the band from ranking",
    "rank": "the rank from ranking",
    "percentile": "the percentile from ranking",
    "group_size": "the ranking group size",
    "eligible": "the ranking eligibility",
    "total": "the total payout",
    "true_up": "the true-up of earlier corrected periods",
    "period_start": "the first day of the period",
    "period_end": "the last day of the period",
    "period_days": "the number of days in the period",
}

#: history functions that establish a sustained pattern over several periods
PATTERN_FUNCTIONS = ("streak", "count_last")

#: expression text longer than this is not parsed here (the expression
#: checks refuse it with ``expr-too-complex``)
_MAX_TEXT = 2000


def finding(policy: Policy, pos: Pos, code: str, level: Level, message: str) -> Finding:
    return Finding(policy.file, pos.line, pos.col, level, code, one_line(message))


def first_pos(*candidates: Pos) -> Pos:
    """The first known position (line > 0), else the last candidate."""
    for pos in candidates:
        if pos.line > 0:
            return pos
    return candidates[-1]


def num(value: object) -> str:
    """A decimal as an analyst writes it: ``0.2``, ``100``, never ``1E+2``."""
    if isinstance(value, Decimal):
        return plain_text(value)
    return str(value)


def parse(source: Source) -> ast.Expression | None:
    """The Python AST of an expression, or None when it does not parse."""
    text = source.text.strip()
    if not text or len(text) > _MAX_TEXT:
        return None
    try:
        return ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def called_functions(tree: ast.AST) -> Iterator[ast.Call]:
    """Every call of a plain-named function in the tree."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            yield node


def names(tree: ast.AST) -> set[str]:
    """Every plain name read in the tree (function names excluded)."""
    funcs = {id(c.func) for c in called_functions(tree)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in funcs}


def node_pos(source: Source, node: ast.AST) -> Pos:
    """Position of an AST node in the policy file.

    Exact for single-line expressions (``col_offset`` is a UTF-8 byte offset,
    converted to characters for Chinese text); the expression's own position
    otherwise.
    """
    text = source.text.strip()
    if "\n" in text or source.pos.line == 0 or getattr(node, "lineno", 1) != 1:
        return source.pos
    offset = getattr(node, "col_offset", 0)
    chars = len(text.encode("utf-8")[:offset].decode("utf-8", errors="ignore"))
    return Pos(source.pos.line, source.pos.col + chars)


def iter_sources(policy: Policy) -> Iterator[Source]:
    """Every expression in the policy, in file-section order."""
    for d in policy.derived:
        yield d.expr
    for a in policy.aggregates:
        yield from (s for s in (a.of, a.where) if s is not None)
    for k in policy.kpis:
        yield k.value
    if policy.ranking is not None:
        r = policy.ranking
        yield r.by
        if r.eligible is not None:
            yield r.eligible
        yield from (t.expr for t in r.tie_break)
        yield from (b.guard for b in r.bands if b.guard is not None)
    for p in policy.payouts:
        basis = p.tiers.basis if p.tiers is not None else None
        yield from (s for s in (p.base, basis, p.amount, p.gate, p.cap, p.floor, p.prorate) if s is not None)
    for b in policy.budgets:
        yield b.amount
    for pen in policy.penalties:
        yield from (s for s in (pen.when, pen.amount, pen.cap) if s is not None)
    for rec in policy.recommendations:
        yield rec.when
    for g in policy.protected:
        yield g.when


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest known name, or ``""``.

    A case-only difference wins first (band ``c`` → ``C``); otherwise difflib's
    closest match.
    """
    known = list(known)
    folded = [k for k in known if k.lower() == name.lower()]
    hint = folded or difflib.get_close_matches(name, known, n=1, cutoff=0.7)
    return f" (did you mean {hint[0]!r}?)" if hint else ""
