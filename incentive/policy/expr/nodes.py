"""The typed intermediate form of a checked expression.

``check`` turns an allow-listed Python AST into these nodes; ``compile``
(polars, column-wise) and ``reference`` (Python, row-wise) both walk them,
so the two evaluators cannot disagree about what an expression means.
Every node carries its type and the character span of its source text
(``start``/``end`` index into ``CheckedExpr.source.text``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Iterator, Union

from incentive.policy.expr.types import T

Value = Union[Decimal, str, bool, date]


@dataclass(frozen=True)
class Node:
    type: T
    start: int
    end: int


@dataclass(frozen=True)
class Lit(Node):
    value: Value


@dataclass(frozen=True)
class Name(Node):
    name: str


@dataclass(frozen=True)
class Unary(Node):
    op: str  # "-", "+", "not"
    operand: Node


@dataclass(frozen=True)
class Arith(Node):
    op: str  # "+", "-", "*", "/", "//", "%"
    left: Node
    right: Node


@dataclass(frozen=True)
class Pow(Node):
    base: Node
    exponent: int  # 0..4, a literal


@dataclass(frozen=True)
class Compare(Node):
    op: str  # "==", "!=", "<", "<=", ">", ">="
    left: Node
    right: Node


@dataclass(frozen=True)
class BoolOp(Node):
    op: str  # "and", "or"
    values: tuple[Node, ...]


@dataclass(frozen=True)
class IfElse(Node):
    test: Node
    body: Node
    orelse: Node


@dataclass(frozen=True)
class In(Node):
    operand: Node
    values: tuple[Value, ...]
    negated: bool


@dataclass(frozen=True)
class Call(Node):
    """A library function that reads only the current period."""

    func: str
    args: tuple[Node, ...]
    params: tuple[int, ...] = ()  # literal integer parameters (round's n)


@dataclass(frozen=True)
class History(Node):
    """``prev`` / ``last_year`` / ``streak`` / ``count_last``: ``arg`` is
    evaluated in earlier periods; ``n`` is prev's k or count_last's n."""

    func: str
    arg: Node
    n: int = 1


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, (Arith, Compare)):
        return (node.left, node.right)
    if isinstance(node, Pow):
        return (node.base,)
    if isinstance(node, BoolOp):
        return node.values
    if isinstance(node, IfElse):
        return (node.test, node.body, node.orelse)
    if isinstance(node, In):
        return (node.operand,)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, History):
        return (node.arg,)
    return ()


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(children(n)))
