"""A small builder of ``Policy`` objects for the semantic-check unit tests.

The checks read only model objects, so their tests build policies directly
(no YAML, no loader). ``Builder.policy()`` is a complete, clean policy;
each test replaces the one part it is about with ``dataclasses.replace`` or
the keyword arguments, and asserts what the check under test reports.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from incentive.errors import Pos
from incentive.policy.checks._common import iter_sources
from incentive.policy.model import (Approval, Band, Budget, CurvePoint, Derived, Effective, Input, Kpi, Money, Payout, Penalty,
                                    Policy, Ranking, Recommendation, Scoring, Source, StepThreshold, Tier,
                                    Tiers)

D = Decimal


class Builder:
    """Factories for model objects with positions a test can assert on."""

    file = "plan.yaml"

    @staticmethod
    def src(text: str, line: int = 50, col: int = 10, path: str = "") -> Source:
        return Source(text, Pos(line, col), path)

    @staticmethod
    def inp(id: str, type: str = "number", line: int = 10, **kw) -> Input:
        for key in ("min", "max"):
            if kw.get(key) is not None:
                kw[key] = D(str(kw[key]))
        return Input(id, type, pos=Pos(line, 3), **kw)

    @staticmethod
    def curve(*points: tuple, line: int = 30) -> Scoring:
        return Scoring(curve=tuple(CurvePoint(D(str(v)), D(str(p)), Pos(line, 20 + 10 * n))
                                   for n, (v, p) in enumerate(points)), pos=Pos(line, 12))

    @staticmethod
    def step(*steps: tuple, line: int = 30) -> Scoring:
        return Scoring(step=tuple(StepThreshold(D(str(v)), D(str(p)), Pos(line, 20 + 10 * n))
                                  for n, (v, p) in enumerate(steps)), pos=Pos(line, 12))

    def kpi(self, id: str, weight: object, value: str = "attainment", scoring: Scoring | None = None,
            line: int = 30) -> Kpi:
        return Kpi(id, self.src(value, line, 20, f"kpis.{id}.value"), D(str(weight)),
                   scoring or self.curve((0, 0), (1, 100), line=line), pos=Pos(line, 3))

    @staticmethod
    def tiers(mode: str, *table: dict, basis: Source | None = None, line: int = 60) -> Tiers:
        rows = []
        for n, row in enumerate(table):
            rows.append(Tier(D(str(row["from"])),
                             rate=D(str(row["rate"])) if "rate" in row else None,
                             amount=D(str(row["amount"])) if "amount" in row else None,
                             pos=Pos(line + 1 + n, 9)))
        return Tiers(mode, tuple(rows), basis, pos=Pos(line, 5))

    def payout(self, id: str, line: int = 60, **kw) -> Payout:
        for key in ("base", "amount", "gate", "cap", "floor", "prorate"):
            if isinstance(kw.get(key), str):
                kw[key] = self.src(kw[key], line, 20, f"payouts.{id}.{key}")
        return Payout(id, pos=Pos(line, 3), **kw)

    def penalty(self, id: str, line: int = 70, **kw) -> Penalty:
        for key in ("when", "amount", "cap"):
            if isinstance(kw.get(key), str):
                kw[key] = self.src(kw[key], line, 20, f"penalties.{id}.{key}")
        return Penalty(id, pos=Pos(line, 3), **kw)

    def rec(self, id: str, when: str, action: str, line: int = 80) -> Recommendation:
        return Recommendation(id, self.src(when, line, 20, f"recommendations.{id}.when"), action,
                              pos=Pos(line, 3))

    @staticmethod
    def band(id: str, share: object, line: int = 40, guard: Source | None = None) -> Band:
        return Band(id, D(str(share)), guard=guard, pos=Pos(line, 5))

    def ranking(self, *bands: Band, **kw) -> Ranking:
        bands = bands or (self.band("A", "0.2", 41), self.band("B", "0.7", 42), self.band("C", "0.1", 43))
        return Ranking(self.src("score", 39, 7, "ranking.by"), tuple(bands), pos=Pos(38, 3), **kw)

    @staticmethod
    def approval(consulted: date | None = date(2025, 12, 10), approved: date = date(2025, 12, 15),
                 published: date | None = date(2025, 12, 20)) -> Approval:
        """An approval record on line 90: consulted_on at column 50, approved_on 30, published_on 70."""
        return Approval("销售委员会", approved, consulted_on=consulted, published_on=published, document="HR-2025-031",
                        field_pos={"approved_by": Pos(90, 10), "approved_on": Pos(90, 30),
                                   "consulted_on": Pos(90, 50), "published_on": Pos(90, 70)},
                        pos=Pos(90, 1))

    def policy(self, **kw) -> Policy:
        """A small, clean monthly policy; keyword arguments replace its parts."""
        base = Policy(
            id="plan", version="1", title="Plan", period="month", currency="CNY", money=Money(pos=Pos(6, 8)),
            inputs=(
                self.inp("employee_id", "id", 10),
                self.inp("name", "text", 11),
                self.inp("region", "text", 12),
                self.inp("revenue", "money", 13, min=0),
                self.inp("revenue_target", "money", 14, min="0.01"),
                self.inp("collected", "money", 15, min=0),
                self.inp("violation", "boolean", 16, default=False),
                self.inp("target_bonus", "money", 17, min=0),
            ),
            derived=(Derived("attainment", self.src("revenue / revenue_target", 20, 15, "derived.attainment"),
                             pos=Pos(20, 3)),
                     Derived("collection_rate", self.src("safe_div(collected, revenue)", 21, 20,
                                                         "derived.collection_rate"), pos=Pos(21, 3))),
            kpis=(self.kpi("sales", 60, "attainment", line=30),
                  self.kpi("collection", 40, "collection_rate", line=31)),
            ranking=self.ranking(within=("region",)),
            payouts=(self.payout("bonus", base="target_bonus",
                                 tiers=self.tiers("step", {"from": 0, "rate": 0}, {"from": 60, "rate": 1},
                                                  basis=self.src("score", 60, 30)),
                                 by_band={"A": D("1.5"), "B": D(1), "C": D("0.5")}),),
            penalties=(self.penalty("compliance", when="violation", forfeit=("all",), band="C"),),
            recommendations=(self.rec("improvement", 'band == "C"', "improvement_plan", 80),
                             self.rec("exit", 'streak(band == "C") >= 3', "exit_review", 81)),
            effective=Effective(date(2026, 1, 1), None, Pos(8, 12)),
            approval=self.approval(),
            file=self.file,
            pos=Pos(1, 1),
        )
        return replace(base, **kw)

    @staticmethod
    def checked(policy: Policy) -> SimpleNamespace:
        """A stand-in for the expression engine's CheckedPolicy: refs by plain AST names."""
        exprs = {}
        for n, source in enumerate(iter_sources(policy)):
            tree = ast.parse(source.text, mode="eval")
            refs = frozenset(x.id for x in ast.walk(tree) if isinstance(x, ast.Name))
            exprs[source.path or f"expr{n}"] = SimpleNamespace(source=source, refs=refs,
                                                               history_refs=frozenset(), uses_history=False)
        return SimpleNamespace(policy=policy, exprs=exprs)


@pytest.fixture
def b() -> Builder:
    return Builder()


@pytest.fixture
def budget_of():
    def make(id: str, components=(), by=(), line: int = 65) -> Budget:
        return Budget(id, Builder.src("10000", line, 20, f"budgets.{id}.amount"), tuple(components), tuple(by),
                      pos=Pos(line, 3))
    return make
