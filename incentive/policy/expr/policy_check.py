"""Checking every expression of a policy with the scope of its stage.

Parses each expression once, orders derived values and aggregates by their
dependencies (one graph: a cycle is an error reported at each member with
its path), types each expression against what its stage can see, and checks
the type each slot expects (a bool for conditions, numeric for amounts...).
The result is a ``CheckedPolicy`` the engine evaluates without re-checking,
or ``None`` with the findings when any error was found.
"""

from __future__ import annotations

import ast
import heapq
from dataclasses import dataclass, replace

from incentive.errors import Finding
from incentive.policy.expr.check import check
from incentive.policy.expr.checked import CheckedExpr, CheckedPolicy, make_checked
from incentive.policy.expr.functions import PERIODS_PER_YEAR
from incentive.policy.expr.parse import Parsed, Problem, parse
from incentive.policy.expr.scopes import (BUDGETS, GRAPH, KPI_VALUES, PAYOUTS, PENALTIES, RANKING,
                                          RECOMMENDATIONS, Stages)
from incentive.policy.expr.types import NUMERIC, T, describe
from incentive.policy.message_text import one_line
from incentive.policy.model import Aggregate, Policy, Source
from incentive.policy import names
from incentive.policy.actions import guards_exits

BOOL = frozenset({T.BOOL})
ORDERABLE = NUMERIC | {T.DATE, T.TEXT}
_WHAT = {BOOL: "a condition (bool)", NUMERIC: "a number or money", ORDERABLE: "a number, money, date or text",
         NUMERIC | {T.DATE}: "a number, money or date"}


@dataclass
class _Slot:
    source: Source
    path: str
    stage: int
    expect: frozenset | None  # allowed result types; None = any
    index: int = 0  # payout position (payouts see earlier payouts)
    aggregate: bool = False  # aggregates may not use history functions
    parsed: Parsed | None = None


def check_policy_expressions(policy: Policy) -> tuple[CheckedPolicy | None, list[Finding]]:
    """Check all expressions of ``policy``; ``None`` when any error was found."""
    return _PolicyCheck(policy).run()


def locate(source: Source, start: int) -> tuple[int, int]:
    """File line:col of character ``start`` of an expression: its column is
    added for single-line expressions; a multi-line one is reported where it
    begins (its later lines' columns depend on the YAML scalar style)."""
    pos = source.pos
    if pos.line == 0:
        return 0, 0
    if "\n" in source.text.rstrip("\n"):
        return pos.line, pos.col
    return pos.line, pos.col + start


def _names(tree: ast.AST) -> list[ast.Name]:
    """Names read by an expression (not the names of called functions)."""
    funcs = {id(x.func) for x in ast.walk(tree) if isinstance(x, ast.Call)}
    return [x for x in ast.walk(tree) if isinstance(x, ast.Name) and id(x) not in funcs]


class _PolicyCheck:
    def __init__(self, policy: Policy):
        self.policy = policy
        self.stages = Stages(policy)
        self.findings: list[Finding] = []
        self.exprs: dict[str, CheckedExpr] = {}
        self.failed = False

    def finding(self, source: Source, start: int, code: str, message: str) -> None:
        line, col = locate(source, start)
        self.findings.append(Finding(self.policy.file, line, col, "error", code, one_line(message)))

    # -- one slot ------------------------------------------------------
    def parse(self, slot: _Slot) -> None:
        parsed, problems = parse(slot.source.text)
        slot.parsed = parsed
        self.failed |= parsed is None
        self.report(slot, problems)

    def report(self, slot: _Slot, problems: list[Problem]) -> None:
        for p in problems:
            self.finding(slot.source, p.start, p.code, f"{slot.path}: {p.message}")

    def check(self, slot: _Slot) -> CheckedExpr | None:
        if slot.parsed is None:
            return None
        scope = self.stages.scope(slot.stage, slot.path, slot.index)
        if slot.aggregate:
            scope.history = False
            scope.stage = "aggregates"
        node, problems = check(slot.parsed, scope)
        if node is None:
            self.failed = True  # problems may be empty: a name it reads failed, and that is reported
            self.report(slot, problems)
            return None
        if slot.expect is not None and node.type not in slot.expect:
            self.failed = True
            self.finding(slot.source, node.start, "type-mismatch",
                         f"{slot.path} must be {_WHAT.get(slot.expect, 'of another type')}, "
                         f"but '{slot.source.text.strip()}' is {describe(node.type)}")
            return None
        source = slot.source if slot.source.path else replace(slot.source, path=slot.path)
        checked = make_checked(source, node)
        self.exprs[slot.path] = checked
        return checked

    def check_all(self, slots: list[_Slot]) -> None:
        for slot in slots:
            self.parse(slot)
            self.check(slot)

    # -- the policy ----------------------------------------------------
    def run(self) -> tuple[CheckedPolicy | None, list[Finding]]:
        p = self.policy
        order = self.graph()
        for k in p.kpis:
            slot = _Slot(k.value, k.value.path or names.expr_path(names.KPIS, k.id, names.VALUE), KPI_VALUES, NUMERIC)
            self.parse(slot)
            checked = self.check(slot)
            self.set_type(names.kpi_value(k.id), checked.type if checked else None)
        if p.ranking is not None:
            r = p.ranking
            slots = [_Slot(r.by, r.by.path or names.RANKING_BY, RANKING, NUMERIC)]
            if r.eligible is not None:
                slots.append(_Slot(r.eligible, r.eligible.path or names.RANKING_ELIGIBLE, RANKING, BOOL))
            for i, tb in enumerate(r.tie_break):
                slots.append(_Slot(tb.expr, tb.expr.path or names.tie_break_path(i), RANKING, ORDERABLE))
            for band in r.bands:
                if band.guard is not None:
                    slots.append(_Slot(band.guard, band.guard.path or names.band_guard_path(band.id), RANKING, BOOL))
            self.check_all(slots)
        for i, pay in enumerate(p.payouts):
            fields = [(names.BASE, pay.base), (names.BASIS, pay.tiers.basis if pay.tiers else None),
                      (names.AMOUNT, pay.amount), (names.GATE, pay.gate), (names.CAP, pay.cap),
                      (names.FLOOR, pay.floor), (names.PRORATE, pay.prorate)]
            self.check_all([_Slot(src, src.path or names.payout_path(pay.id, name), PAYOUTS,
                                  BOOL if name == names.GATE else NUMERIC, i)
                            for name, src in fields if src is not None])
        self.check_all([_Slot(b.amount, b.amount.path or names.expr_path(names.BUDGETS, b.id, names.AMOUNT), BUDGETS,
                              NUMERIC) for b in p.budgets])
        for pen in p.penalties:
            typed_fields = [(names.WHEN, pen.when, BOOL), (names.AMOUNT, pen.amount, NUMERIC), (names.CAP, pen.cap, NUMERIC)]
            self.check_all([_Slot(src, src.path or names.expr_path(names.PENALTIES, pen.id, name), PENALTIES, expect)
                            for name, src, expect in typed_fields if src is not None])
        for d in p.draws:  # after the penalties and the total; they read what a budget may read (not the total)
            fields = [(names.AMOUNT, d.amount), (names.RECOVERY_CAP, d.recovery_cap)]
            self.check_all([_Slot(src, src.path or names.expr_path(names.DRAWS, d.id, name), BUDGETS, NUMERIC)
                            for name, src in fields if src is not None])
        for h in p.holds:  # beside the draws: on a payout, reading what a budget may read
            fields = [(names.BILLED, h.billed), (names.COLLECTED, h.collected),
                      (names.COLLECTED_EARLIER, h.collected_earlier), (names.ADVANCE, h.advance)]
            self.check_all([_Slot(src, src.path or names.expr_path(names.HOLDS, h.id, name), BUDGETS, NUMERIC)
                            for name, src in fields if src is not None])
        self.check_all([_Slot(r.when, r.when.path or names.expr_path(names.RECOMMENDATIONS, r.id, names.WHEN),
                              RECOMMENDATIONS, BOOL)
                        for r in p.recommendations])
        self.check_all([_Slot(g.when, g.when.path or names.expr_path(names.PROTECTED, g.id, names.WHEN),
                              RECOMMENDATIONS, BOOL)
                        for g in p.protected])

        if self.failed or any(f.level == "error" for f in self.findings) or order is None:
            return None, self.findings
        ppy = PERIODS_PER_YEAR.get(p.period, 1)
        history_names = frozenset().union(*(e.history_refs for e in self.exprs.values()))
        depth = max((e.history_depth(ppy) for e in self.exprs.values()), default=0)
        types = {name: t for name, t in self.stages.types.items() if t is not None}
        if guards_exits(p):  # an exit needs an earlier improvement action: read the recorded recommendations
            history_names |= {names.RECOMMENDATIONS}
            types[names.RECOMMENDATIONS] = T.TEXT
            depth = max(depth, 1)
        if p.draws:  # a draw's balance and its age carry from the last close: read them from the ledger
            for d in p.draws:
                for step, t in ((names.CLOSING, T.MONEY), (names.AGE, T.NUMBER)):
                    history_names |= {names.step(d.id, step)}
                    types[names.step(d.id, step)] = t
            depth = max(depth, 1)
        for h in p.holds:  # what is held, by age, and a recovery still owed carry from the last close
            for carried in (*(names.hold_age(h.id, k, part) for k in range(h.ages) for part in names.HOLD_PARTS),
                            names.step(h.id, names.OWED)):
                history_names |= {carried}
                types[carried] = T.MONEY
            depth = max(depth, 1)
        for c in p.clawbacks:  # a recovery the last close's pay could not cover carries to this one
            if c.recovers:
                history_names |= {names.step(c.id, "carried")}
                types[names.step(c.id, "carried")] = T.MONEY
                depth = max(depth, 1)
        return CheckedPolicy(p, dict(self.exprs), order, types, history_names, depth), self.findings

    def set_type(self, name: str, t: T | None) -> None:
        if name in self.stages.types and self.stages.types[name] is None:
            self.stages.types[name] = t

    # -- derived values and aggregates: one dependency graph -------------
    def graph(self) -> tuple[str, ...] | None:
        """Parse, order and type the derived values and aggregates; the
        evaluation order, or ``None`` when there is a cycle."""
        p = self.policy
        members: dict[str, list[_Slot]] = {}
        rank: dict[str, tuple] = {}
        aggregates: dict[str, Aggregate] = {}
        for i, d in enumerate(p.derived):
            if d.id in members:
                continue
            members[d.id] = [_Slot(d.expr, d.expr.path or names.item_path(names.DERIVED, d.id), GRAPH, None)]
            rank[d.id] = (d.pos.line or d.expr.pos.line, 0, i)
        for i, a in enumerate(p.aggregates):
            if a.id in members:
                continue
            aggregates[a.id] = a
            of_type = BOOL if a.func == "count" else (NUMERIC | {T.DATE} if a.func in ("min", "max") else NUMERIC)
            slots = []
            if a.of is not None:
                slots.append(_Slot(a.of, a.of.path or names.expr_path(names.AGGREGATES, a.id, names.OF), GRAPH, of_type,
                                   aggregate=True))
            if a.where is not None:
                slots.append(_Slot(a.where, a.where.path or names.expr_path(names.AGGREGATES, a.id, names.WHERE),
                                   GRAPH, BOOL, aggregate=True))
            members[a.id] = slots
            rank[a.id] = (a.pos.line or (a.of.pos.line if a.of else 0), 1, i)
        deps: dict[str, list[str]] = {}
        for name, slots in members.items():
            found: list[str] = []
            for slot in slots:
                self.parse(slot)
                if slot.parsed is not None:
                    found += [x.id for x in _names(slot.parsed.tree)]
            if name in aggregates:
                found += list(aggregates[name].by)
            deps[name] = list(dict.fromkeys(d for d in found if d in members))
        order = _topological(deps, rank)
        cyclic = [name for name in members if name not in order]
        self.report_cycles(cyclic, deps, members, aggregates)
        for name in order:
            slots = members[name]
            if name in aggregates:
                agg = aggregates[name]
                checked = [self.check(slot) for slot in slots]
                if agg.func == "count":
                    self.set_type(name, T.NUMBER if all(checked) else None)
                else:
                    of = checked[0] if agg.of is not None else None
                    self.set_type(name, of.type if of is not None and all(checked) else None)
            else:
                one = self.check(slots[0])
                self.set_type(name, one.type if one else None)
        return None if cyclic else tuple(order)

    def report_cycles(self, cyclic: list[str], deps: dict[str, list[str]], members: dict[str, list[_Slot]],
                      aggregates: dict[str, Aggregate]) -> None:
        remaining = set(cyclic)
        for name in cyclic:
            path = _cycle_through(name, deps, remaining)
            if path is None:
                continue  # depends on a cycle without being on one: the cycle itself is reported
            nxt = path[1]
            text = " → ".join(path)
            located = self.token(members[name], nxt)
            if located is not None:
                slot, start = located
                self.finding(slot.source, start, "cycle", f"cycle: {text} ('{name}' depends on itself)")
            else:
                agg = aggregates.get(name)
                pos = agg.pos if agg is not None else members[name][0].source.pos
                self.findings.append(Finding(self.policy.file, pos.line, pos.col, "error", "cycle",
                                             f"cycle: {text} ('{name}' depends on itself through its 'by' columns)"))

    @staticmethod
    def token(slots: list[_Slot], name: str) -> tuple[_Slot, int] | None:
        """The first use of ``name`` in these expressions (for the position)."""
        for slot in slots:
            if slot.parsed is None:
                continue
            uses = [x for x in _names(slot.parsed.tree) if x.id == name]
            if uses:
                first = min(uses, key=lambda x: (x.lineno, x.col_offset))
                return slot, slot.parsed.smap.start(first)
        return None


def _topological(deps: dict[str, list[str]], rank: dict[str, tuple]) -> list[str]:
    """Kahn's algorithm; among the ready, file order first. Members of
    cycles (and what depends on them) are left out."""
    users: dict[str, list[str]] = {name: [] for name in deps}
    missing = {name: 0 for name in deps}
    for name, ds in deps.items():
        for d in ds:
            users[d].append(name)
            missing[name] += 1
    ready = [(rank[name], name) for name, m in missing.items() if m == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, name = heapq.heappop(ready)
        order.append(name)
        for user in users[name]:
            missing[user] -= 1
            if missing[user] == 0:
                heapq.heappush(ready, (rank[user], user))
    return order


def _cycle_through(start: str, deps: dict[str, list[str]], within: set[str]) -> list[str] | None:
    """Shortest path start → ... → start, or None when start is on no cycle."""
    parent: dict[str, str] = {}
    frontier = [start]
    seen = {start}
    while frontier:
        nxt: list[str] = []
        for node in frontier:
            for d in deps[node]:
                if d not in within:
                    continue
                if d == start:
                    path = [start]
                    cur = node
                    back = []
                    while cur != start:
                        back.append(cur)
                        cur = parent[cur]
                    path += reversed(back)
                    return path + [start]
                if d not in seen:
                    seen.add(d)
                    parent[d] = node
                    nxt.append(d)
        frontier = nxt
    return None
