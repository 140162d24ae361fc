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

from incentive.policy.expr.check import Scope
from incentive.policy.expr.types import INPUT_TYPES, T
from incentive.policy.model import Policy

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
        for i in policy.inputs:
            self._add(i.id, INPUTS, INPUT_TYPES.get(i.type))
        for name, t in PERIOD_NAMES.items():
            self._add(name, INPUTS, t)
        for d in policy.derived:
            self._add(d.id, GRAPH, None)
        for a in policy.aggregates:
            self._add(a.id, GRAPH, None)
        for k in policy.kpis:
            self._add(f"{k.id}_value", KPI_VALUES, None)
            self._add(k.id, KPI_POINTS, T.NUMBER)
        self._add("score", SCORE, T.NUMBER)
        for name, t in RANKING_NAMES.items():
            self._add(name, RANKING, t)
        for i, p in enumerate(policy.payouts):
            self._add(p.id, PAYOUTS, T.MONEY, i)
        for i, p in enumerate(policy.penalties):
            self._add(p.id, PENALTIES, T.MONEY, i)
        self._add("total", TOTAL, T.MONEY)

    def _add(self, name: str, stage: int, t: T | None, index: int = 0) -> None:
        if name in self.stage and self.stage[name] <= stage:
            return  # a duplicate id; the first definition is the one in force (duplicate-id reports it)
        self.stage[name] = stage
        self.index[name] = index
        self.types[name] = t

    def scope(self, stage: int, where: str, index: int = 0) -> Scope:
        """The scope of an expression of ``stage`` (``index``: which payout)."""
        visible: dict[str, T | None] = {}
        hidden: dict[str, str] = {}
        past: dict[str, T] = {}
        for name, s in self.stage.items():
            reason = self._hidden(name, s, stage, index)
            if reason is None:
                visible[name] = self.types[name]
                continue
            hidden[name] = reason
            t = self.types[name]
            if t is not None and not (s == RANKING and self.policy.ranking is None) \
                    and not (s == SCORE and not self.policy.kpis):
                past[name] = t  # its value in an earlier (closed) period is known
        stage_name = where.split(".")[0] if "." in where else where
        headers = {i.column: i.id for i in self.policy.inputs if i.column and i.column != i.id}
        return Scope(visible, hidden, where, stage_name, stage in HISTORY_STAGES, past, headers)

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
