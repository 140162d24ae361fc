"""What every part of the expression checker shares: the scope an expression is
checked against, the problems found so far, and source positions."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from incentive.numeric import LIMIT, to_dec
from incentive.policy.expr import nodes as n
from incentive.policy.expr.parse import Located, Parsed, Problem
from incentive.policy.expr.types import T

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

    names: Mapping[str, T | None]
    hidden: dict[str, str] = field(default_factory=dict)
    where: str = "this expression"
    stage: str = ""
    history: bool = True
    past: Mapping[str, T] = field(default_factory=dict)  # also readable inside prev() / last_year()
    headers: dict[str, str] = field(default_factory=dict)  # data-file column header -> input id


class CheckerBase:
    """The checker's state and helpers; ``node`` (in ``check._Checker``) types any sub-expression."""

    def __init__(self, parsed: Parsed, scope: Scope):
        self.smap = parsed.smap
        self.scope = scope
        self.problems: list[Problem] = []

    # -- helpers -------------------------------------------------------
    def fail(self, code: str, message: str, at: Located | int) -> None:
        start = at if isinstance(at, int) else self.smap.start(at)
        self.problems.append(Problem(code, message, start))

    def span(self, a: Located) -> tuple[int, int]:
        return self.smap.start(a), self.smap.end(a)

    def text(self, a: Located) -> str:
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

    def node(self, a: ast.expr, hist: str | None) -> n.Node | None:
        """The typed node of ``a`` (``hist``: the history function it sits in, if any)."""
        raise NotImplementedError
