"""User-facing failures and findings.

Every failure a user can cause is an ``IncentiveError``: the CLI prints it
and exits with status 2, never a traceback. Findings from ``validate`` print
as ``file:line:col: level code message`` (the yamllint / compiler form CI
tools parse).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Pos:
    """1-based line and column of a YAML node (0 when unknown)."""

    line: int = 0
    col: int = 0


@dataclass(frozen=True)
class Finding:
    """One problem in a policy (or policy test) file."""

    file: str
    line: int
    col: int
    level: Level
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.level} {self.code} {self.message}"

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.col, self.code, self.message)


@dataclass(frozen=True)
class DataProblem:
    """One problem in a period data file, located as a spreadsheet user sees it."""

    file: str
    row: int  # spreadsheet row: the header is row 1, the first data row is row 2
    column: str
    value: str
    expected: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row else self.file
        col = f" column {self.column!r}" if self.column else ""
        val = f": value {self.value!r}" if self.value != "" else ""
        return f"{where}:{col}{val}: {self.expected}"


class IncentiveError(Exception):
    """A failure the user caused and can fix; exit status 2, nothing written."""

    exit_code = 2


class UsageError(IncentiveError):
    """Bad command-line options or arguments."""


class PolicyLoadError(IncentiveError):
    """The policy file cannot be used at all (missing, not YAML, a bomb...)."""

    def __init__(self, findings: list[Finding]):
        self.findings = sorted(findings, key=Finding.sort_key)
        super().__init__("\n".join(str(f) for f in self.findings))


class PolicyInvalid(IncentiveError):
    """The policy parsed but has error-level findings; it cannot be evaluated."""

    def __init__(self, findings: list[Finding]):
        self.findings = sorted(findings, key=Finding.sort_key)
        super().__init__("\n".join(str(f) for f in self.findings))


@dataclass
class DataInvalid(IncentiveError):
    """The period data has problems; every one (up to a limit) is listed."""

    problems: list[DataProblem] = field(default_factory=list)
    truncated: int = 0

    def __str__(self) -> str:
        lines = [str(p) for p in self.problems]
        if self.truncated:
            lines.append(f"... and {self.truncated} more problems (raise --max-errors to see them)")
        return "\n".join(lines)


class EvaluationError(IncentiveError):
    """A policy and data that are each valid but cannot be evaluated together
    (division by zero for a person, a number too large...)."""
