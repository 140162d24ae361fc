"""The policy-test file format, as the runner sees it: plain, immutable dataclasses.

A test file (``*.test.yaml``) pins what a policy promises: for a period and
some people's input rows (and optionally their earlier periods), the values
of named quantities of named people. ``incentive.policytest.loader`` builds
these objects from the YAML, keeping the ``line:col`` of every part so that
each failure and each format error points at the line a reviewer edits.
The format is documented in ``docs/policy-tests.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from incentive.errors import Pos

@dataclass(frozen=True)
class Override:
    """``PATH=VALUE`` applied to the policy, as ``--set`` does."""

    text: str
    pos: Pos


@dataclass(frozen=True)
class Cell:
    """One value of an input or results row, keyed as written in the test file."""

    key: str
    value: object  # YAML 1.2 scalar: str / int / Decimal / bool / None
    pos: Pos  # of the value
    key_pos: Pos


@dataclass(frozen=True)
class Row:
    """One person's row: input values, or recorded results of an earlier period."""

    cells: tuple[Cell, ...]
    pos: Pos

    def get(self, key: str) -> Cell | None:
        return next((c for c in self.cells if c.key == key), None)


@dataclass(frozen=True)
class HistoryPeriod:
    """An earlier period: its input rows (evaluated) or its recorded results."""

    period: str
    period_pos: Pos
    kind: Literal["input", "results"]
    rows: tuple[Row, ...]
    pos: Pos


@dataclass(frozen=True)
class Expectation:
    """``expect: {E1: {commission: "3000.00"}}``: one named quantity of one person."""

    employee: str
    quantity: str
    expected: object  # scalar, or a tuple of action names for ``recommendations``
    pos: Pos  # of the quantity's key: where a failure is reported
    value_pos: Pos
    employee_pos: Pos


@dataclass(frozen=True)
class Case:
    name: str
    pos: Pos  # of the case mapping
    period: str
    period_pos: Pos
    rows: tuple[Row, ...]
    rows_pos: Pos
    expectations: tuple[Expectation, ...]
    overrides: tuple[Override, ...] = ()
    history: tuple[HistoryPeriod, ...] = ()
    tolerance: Decimal | None = None  # for numbers that are not money (scores, points, rates)


@dataclass(frozen=True)
class TestFile:
    """A loaded test file: the policy it tests and its cases, in file order."""

    __test__ = False  # not a pytest test class, despite the name

    file: str
    policy: str  # path of the policy file, resolved against the test file's folder
    policy_pos: Pos
    cases: tuple[Case, ...]
    overrides: tuple[Override, ...] = ()
    defaults: tuple[Cell, ...] = ()  # input values every input row gets unless it gives its own
