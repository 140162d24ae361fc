"""What a policy-test run produced, as the reporters show it.

One ``SuiteOutcome`` per test file, one ``CaseOutcome`` per case, each with
its ``Failure``s (expectations that did not hold) and error ``Finding``s
(the case could not run), plus the optional ``CoverageOutcome`` per policy.
``incentive validate``'s JUnit report uses the same two case/suite types (a
validated file is one case), so CI reads both commands the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Union

from incentive.errors import Finding
from incentive.numeric import plain_text


@dataclass(frozen=True)
class Failure:
    """A policy-test expectation that did not hold, at the line that states it."""

    file: str
    line: int
    col: int
    message: str  # "case 'x': employee E1: commission expected 3000.00, got 2999.99"
    details: tuple[tuple[str, str], ...] = ()  # e.g. (("employee", "E1"), ("expected", "3000.00"), ...)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


Problem = Union[Failure, Finding]


@dataclass(frozen=True)
class CaseOutcome:
    """One JUnit test case: a case of a policy test, or one validated file."""

    name: str
    classname: str
    file: str = ""
    line: int = 0
    failures: tuple[Problem, ...] = ()  # checked and found wrong
    errors: tuple[Finding, ...] = ()  # could not be checked (bad test input, evaluation error...)
    notes: tuple[Finding, ...] = ()  # shown, not failing (warnings)
    seconds: float | None = None

    @property
    def status(self) -> str:
        return "error" if self.errors else "failed" if self.failures else "passed"


@dataclass(frozen=True)
class SuiteOutcome:
    """One file: its cases, or the problems that kept it from running at all."""

    name: str
    cases: tuple[CaseOutcome, ...] = ()
    errors: tuple[Finding, ...] = ()  # the file is unusable (bad YAML, invalid policy...)
    deselected: int = 0  # cases left out by a name filter


@dataclass(frozen=True)
class CoverageOutcome:
    """How much of one policy the tests exercised; ``untested`` point into the policy file."""

    policy: str
    covered: int
    total: int
    untested: tuple[Finding, ...] = ()
    minimum: Decimal | None = None  # --min-coverage, in percent

    @property
    def percent(self) -> Decimal:
        """Shown to one decimal, rounded down: 99.96% never reads as 100.0%."""
        if not self.total:
            return Decimal(100)
        return (Decimal(100) * self.covered / self.total).quantize(Decimal("0.1"), rounding=ROUND_FLOOR)

    @property
    def ok(self) -> bool:
        """At least the minimum, compared exactly (not the rounded percentage)."""
        return self.minimum is None or Decimal(100) * self.covered >= self.minimum * self.total

    def headline(self) -> str:
        line = f"coverage of {self.policy}: {self.covered} of {self.total} items ({self.percent}%)"
        if not self.ok:
            line += f", below the minimum of {self.minimum_text}%"
        return line

    @property
    def minimum_text(self) -> str | None:
        """The minimum as people write it: ``90``, ``87.5``."""
        return None if self.minimum is None else plain_text(self.minimum)
