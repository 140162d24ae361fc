"""Band names used anywhere must be bands defined in ``ranking.bands``.

Checked: a penalty's forced ``band`` (the veto), the keys of a payout's
``band_factor`` (besides ``unranked``, the factor for people without a
band), and text compared with ``band`` in expressions
(``band == "A"``, ``band in ["B", "C"]``, ``streak(band == "C")``,
``prev(band) == "C"``). A misspelt band never matches, so a rule would
silently never fire. A policy without ``ranking`` has no bands at all.

Passes::

    ranking: {by: score, bands: {A: {share: 0.2}, B: {share: 0.7}, C: {share: 0.1}}}
    recommendations:
      improvement: {when: band == "C", action: improvement_plan}

Fails (there is no band D)::

    ranking: {by: score, bands: {A: {share: 0.2}, B: {share: 0.7}, C: {share: 0.1}}}
    recommendations:
      improvement: {when: band == "D", action: improvement_plan}
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from incentive.errors import Finding, Level, Pos
from incentive.policy.checks._common import did_you_mean, finding, first_pos, iter_sources, node_pos, parse
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Policy, Source

CODE = "unknown-band"
LEVEL: Level = "error"

_BAND_OF_PAST = ("prev", "last_year")

#: the band_factor key for people ranking gave no band (ineligible, exempt groups)
UNRANKED = "unranked"


def _is_band(node: ast.AST) -> bool:
    """``band``, or ``prev(band, …)`` / ``last_year(band)``."""
    if isinstance(node, ast.Name):
        return node.id == "band"
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _BAND_OF_PAST
            and bool(node.args) and isinstance(node.args[0], ast.Name) and node.args[0].id == "band")


def _literals(node: ast.AST) -> Iterator[ast.Constant]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        for elt in node.elts:
            yield from _literals(elt)


def _band_literals(source: Source) -> Iterator[tuple[str, Pos]]:
    tree = parse(source)
    if tree is None:
        return
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for left, right in zip(operands, operands[1:]):
            for side, other in ((left, right), (right, left)):
                if _is_band(side):
                    for lit in _literals(other):
                        yield str(lit.value), node_pos(source, lit)


def _message(where: str, name: str, bands: list[str]) -> str:
    if not bands:
        return f"{where} names band {name!r}, but the policy has no ranking and so no bands"
    return f"{where} names band {name!r}, which is not defined{did_you_mean(name, bands)}; bands: {', '.join(bands)}"


def check(policy: Policy, checked: CheckedPolicy | None) -> Iterable[Finding]:
    bands = [b.id for b in policy.ranking.bands] if policy.ranking is not None else []
    for pen in policy.penalties:
        if pen.band is not None and pen.band not in bands:
            yield finding(policy, first_pos(pen.pos, policy.pos), CODE, LEVEL,
                          _message(f"penalty {pen.id}: band", pen.band, bands))
    for payout in policy.payouts:
        for name in payout.by_band or {}:
            if name not in bands and name != UNRANKED:
                yield finding(policy, first_pos(payout.pos, policy.pos), CODE, LEVEL,
                              _message(f"payout {payout.id}: band_factor", name, bands))
    if not bands:
        return  # `band` itself is then an unknown name, reported by the expression checks
    for source in iter_sources(policy):
        for name, pos in _band_literals(source):
            if name not in bands:
                where = source.path or "expression"
                yield finding(policy, first_pos(pos, policy.pos), CODE, LEVEL,
                              _message(f"{where}: {source.text.strip()!r}", name, bands))
