"""What an evaluation produces: one row per person, a column per quantity.

Every named quantity of the policy (inputs, derived values, aggregates, KPI
values and points, score, rank, band, payouts, penalties, total) is a column
of ``Results.frame``, named by its id. Intermediate steps that ``explain``
shows (a payout's gross amount, its gate, cap, proration, the budget factor)
are columns named ``<id>.<step>``. Internal helper columns start with
``__`` and never leave the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import polars as pl

from incentive.policy.expr.checked import CheckedPolicy

if TYPE_CHECKING:  # the engine does not load the io layer at run time; it only names its Period
    from incentive.io.periods import Period

Kind = Literal[
    "input", "period", "derived", "aggregate", "kpi_value", "kpi_points", "score", "ranking",
    "payout", "step", "budget", "penalty", "adjustment", "total", "recommendation",
]


@dataclass(frozen=True)
class ColumnInfo:
    """Where a result column came from, for outputs and ``explain``."""

    name: str
    kind: Kind
    path: str | None = None  # expression path in CheckedPolicy.exprs, when one produced it
    money: bool = False
    owner: str | None = None  # for steps: the payout / penalty / budget id


@dataclass
class Results:
    """The outcome of one evaluation, independent of the input row order."""

    checked: CheckedPolicy  # the checked policy evaluated; its ``Policy`` is ``checked.policy``
    period: Period
    frame: pl.DataFrame  # sorted by employee id
    columns: dict[str, ColumnInfo] = field(default_factory=dict)
    ranking_summary: pl.DataFrame | None = None
    recommendations: pl.DataFrame | None = None  # one row per (person, rule) that fired
    data_file: str = ""
    data_sha256: str = ""
    warnings: list[str] = field(default_factory=list)
    #: people who owed a draw balance at the last close and are absent now (None: the policy has no draws)
    departures: pl.DataFrame | None = None

    @property
    def id_column(self) -> str:
        return self.checked.policy.id_input.id

    def public_columns(self) -> list[str]:
        """Named quantities in stage order (no intermediate steps)."""
        return [n for n, c in self.columns.items() if c.kind != "step" and n in self.frame.columns]

    def audit_columns(self) -> list[str]:
        """Everything ``explain`` may need: named quantities and steps."""
        return [n for n in self.columns if n in self.frame.columns]

    def money_columns(self) -> list[str]:
        return [n for n, c in self.columns.items() if c.money and n in self.frame.columns]
