"""Which named quantities each stage of a policy may read.

Stage order (SPEC §4): inputs and the period -> derived + aggregates (one
graph) -> KPI values -> KPI points -> score -> ranking -> payouts (file
order, each sees the earlier ones) -> budgets -> penalties -> total ->
recommendations. A name that exists but is not visible yet is "hidden" with
the reason, so ``unknown-name`` can say *why* (e.g. ``band`` in a derived
value is computed later, in ranking). ``prev`` and ``last_year`` read only
closed periods, so their argument may also name such a quantity once its
type is known (``prev(score)`` in a derived value, ``prev(bonus)`` in the
``bonus`` payout itself); ``streak`` and ``count_last`` include the current
period and see only what the stage sees.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import cast

from incentive.policy.expr.check_base import Scope
from incentive.policy.expr.types import INPUT_TYPES, T
from incentive.policy.model import Policy
from incentive.policy.names import kpi_value

#: rank of each stage in evaluation order
INPUTS, GRAPH, KPI_VALUES, KPI_POINTS, SCORE, RANKING, PAYOUTS, BUDGETS, PENALTIES, TOTAL, RECOMMENDATIONS = range(11)

_LABEL = {GRAPH: "derived values and aggregates", KPI_VALUES: "KPI values", KPI_POINTS: "KPI points",
          SCORE: "score", RANKING: "ranking", PAYOUTS: "payouts", PENALTIES: "penalties", TOTAL: "total"}

PERIOD_NAMES = {"period_start": T.DATE, "period_end": T.DATE, "period_days": T.NUMBER}
RANKING_NAMES = {"band": T.TEXT, "rank": T.NUMBER, "percentile": T.NUMBER, "group_size": T.NUMBER, "eligible": T.BOOL}

#: stages whose expressions may use history functions
HISTORY_STAGES = frozenset({GRAPH, KPI_VALUES, PAYOUTS, PENALTIES, RECOMMENDATIONS})


class Stages:
    """Every named quantity of one policy, with the stage that computes it
    and (as checking proceeds) its type."""

    def __init__(self, policy: Policy):
        self.policy = policy
        self.stage: dict[str, int] = {}
        self.index: dict[str, int] = {}  # position of a payout / penalty in its section
        self.types: dict[str, T | None] = {}
        self._plans: dict[tuple[int, int], tuple[dict[str, None], dict[str, str], dict[str, None]]] = {}
        self._header_map: dict[str, str] | None = None
        for inp in policy.inputs:
            self._add(inp.id, INPUTS, INPUT_TYPES.get(inp.type))
        for name, t in PERIOD_NAMES.items():
            self._add(name, INPUTS, t)
        for d in policy.derived:
            self._add(d.id, GRAPH, None)
        for a in policy.aggregates:
            self._add(a.id, GRAPH, None)
        for k in policy.kpis:
            self._add(kpi_value(k.id), KPI_VALUES, None)
            self._add(k.id, KPI_POINTS, T.NUMBER)
        self._add("score", SCORE, T.NUMBER)
        for name, t in RANKING_NAMES.items():
            self._add(name, RANKING, t)
        for i, pay in enumerate(policy.payouts):
            self._add(pay.id, PAYOUTS, T.MONEY, i)
        for i, pen in enumerate(policy.penalties):
            self._add(pen.id, PENALTIES, T.MONEY, i)
        self._add("total", TOTAL, T.MONEY)

    def _add(self, name: str, stage: int, t: T | None, index: int = 0) -> None:
        if name in self.stage and self.stage[name] <= stage:
            return  # a duplicate id; the first definition is the one in force (duplicate-id reports it)
        self.stage[name] = stage
        self.index[name] = index
        self.types[name] = t

    def scope(self, stage: int, where: str, index: int = 0) -> Scope:
        """The scope of an expression of ``stage`` (``index``: which payout)."""
        visible_names, hidden, past_names = self._plan(stage, index)
        visible = _Typed(visible_names, self.types)
        past = cast("Mapping[str, T]", _Typed(past_names, self.types, typed_only=True))  # typed_only: never None
        stage_name = where.split(".")[0] if "." in where else where
        return Scope(visible, hidden, where, stage_name, stage in HISTORY_STAGES, past, self._headers())

    def _plan(self, stage: int, index: int) -> tuple[dict[str, None], dict[str, str], dict[str, None]]:
        """Which names a stage sees, which it does not (and why), and which of
        those it may read in a closed period: the same for every expression of
        that stage, so it is worked out once, not once per expression (a
        policy of 2,000 KPIs checks 2,000 KPI values against 4,000 names)."""
        key = (stage, index if stage == PAYOUTS else 0)
        plan = self._plans.get(key)
        if plan is None:
            visible: dict[str, None] = {}  # an ordered set: policy order, so messages are reproducible
            hidden: dict[str, str] = {}
            past: dict[str, None] = {}
            for name, s in self.stage.items():
                reason = self._hidden(name, s, stage, index)
                if reason is None:
                    visible[name] = None
                    continue
                hidden[name] = reason
                if not (s == RANKING and self.policy.ranking is None) and not (s == SCORE and not self.policy.kpis):
                    past[name] = None  # its value in an earlier (closed) period is known, once typed
            plan = self._plans[key] = (visible, hidden, past)
        return plan

    def _headers(self) -> dict[str, str]:
        if self._header_map is None:
            self._header_map = {i.column: i.id for i in self.policy.inputs if i.column and i.column != i.id}
        return self._header_map

    def _hidden(self, name: str, s: int, stage: int, index: int) -> str | None:
        if s == RANKING and self.policy.ranking is None:
            return "exists only when the policy has a ranking section"
        if s == SCORE and not self.policy.kpis:  # B6: the engine computes no score without KPIs
            return "exists only when the policy has kpis (the score is their weighted sum)"
        if s == KPI_VALUES and stage == KPI_VALUES:
            return "is another KPI's value (KPI values cannot read each other; define a derived value instead)"
        if s == PAYOUTS and stage == PAYOUTS:
            if self.index[name] == index:
                return "is this payout itself"
            if self.index[name] > index:
                return "is a later payout (a payout sees only the payouts before it in the file)"
            return None
        if s == PENALTIES and stage == PENALTIES:
            return "is a penalty (penalties cannot read each other)"
        if s > stage or (s == stage and stage not in (GRAPH, PAYOUTS)):
            return f"is computed later ({_LABEL.get(s, 'later')})"
        return None


class _Typed(Mapping[str, "T | None"]):
    """The names a scope sees, with their types *as they are now*.

    A live view, not a copy: types are filled in as checking proceeds (a
    derived value's type is known once it is checked), and copying every
    visible name for every expression made checking quadratic in policy size.
    ``typed_only``: only names whose type is known (what ``prev`` may read).
    """

    def __init__(self, names: dict[str, None], types: dict[str, T | None], *, typed_only: bool = False):
        self._names = names
        self._types = types
        self._typed_only = typed_only

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str) or name not in self._names:
            return False
        return not self._typed_only or self._types.get(name) is not None

    def __getitem__(self, name: str) -> T | None:
        if name not in self:
            raise KeyError(name)
        return self._types[name]

    def __iter__(self) -> Iterator[str]:
        return (name for name in self._names if name in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)
