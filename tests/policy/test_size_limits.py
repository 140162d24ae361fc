"""D10: every policy-size limit (docs/limits.md) refuses one past it, at the place, naming limit and size.

In-process through the schema (fast); ``policy-too-large-kpis`` is the CLI case.
"""

from __future__ import annotations

import time

import pytest

from incentive.policy.schema import schema_findings
from incentive.policy.yamlsafe import load_yaml

HEAD = ('policy: p\nversion: "1"\nperiod: month\ncurrency: CNY\ninputs:\n  employee_id: {type: id}\n'
        '  x: {type: number}\n')
CURVE = "{curve: [[0, 0], [1, 100]]}"


def _map(section: str, n: int, entry: str) -> str:
    return f"{section}:\n" + "".join(f"  e{i}: {entry}\n" for i in range(n))


def _ranking(n: int) -> str:
    return "ranking:\n  by: x\n  bands:\n" + "".join(f"    b{i}: {{share: 0}}\n" for i in range(n))


LIMITS = {
    "inputs": (500, lambda n: HEAD + "".join(f"  i{i}: {{type: number}}\n" for i in range(n - 2)), "inputs"),
    "derived": (500, lambda n: HEAD + _map("derived", n, "x + 1"), "derived"),
    "aggregates": (200, lambda n: HEAD + _map("aggregates", n, "{count: true}"), "aggregates"),
    "kpis": (200, lambda n: HEAD + _map("kpis", n, f"{{value: x, weight: 0, score: {CURVE}}}"), "kpis"),
    "payouts": (200, lambda n: HEAD + _map("payouts", n, "{amount: 1}"), "payouts"),
    "budgets": (50, lambda n: HEAD + _map("budgets", n, "{amount: 1}"), "budgets"),
    "penalties": (200, lambda n: HEAD + _map("penalties", n, "{amount: 1}"), "penalties"),
    "recommendations": (200, lambda n: HEAD + _map("recommendations", n, "{when: x > 1, action: coaching}"),
                        "recommendations"),
    "curve points": (5000, lambda n: HEAD + "kpis:\n  k: {value: x, weight: 100, score: {curve: ["
                     + ", ".join(f"[{i}, 1]" for i in range(n)) + "]}}\n", "kpis.k.score.curve"),
    "step thresholds": (100, lambda n: HEAD + "kpis:\n  k: {value: x, weight: 100, score: {step: ["
                        + ", ".join(f"{{from: {i}, points: 1}}" for i in range(n)) + "]}}\n", "kpis.k.score.step"),
    "tiers": (100, lambda n: HEAD + "payouts:\n  p: {base: x, tiers: {mode: step, table: ["
              + ", ".join(f"{{from: {i}, rate: 0}}" for i in range(n)) + "]}}\n", "payouts.p.tiers.table"),
    "bands": (26, lambda n: HEAD + _ranking(n), "ranking.bands"),
}


def too_large(text: str) -> list[str]:
    doc = load_yaml(text, "p.yaml")
    return [f.message for f in schema_findings(doc, "p.yaml") if f.code == "policy-too-large"]


@pytest.mark.parametrize("what", sorted(LIMITS))
def test_at_the_limit_passes_and_one_more_is_refused(what: str) -> None:
    limit, make, path = LIMITS[what]
    start = time.perf_counter()
    assert too_large(make(limit)) == []
    assert time.perf_counter() - start < 10
    [message] = too_large(make(limit + 1))
    kind = "items" if what in ("curve points", "step thresholds", "tiers") else "entries"
    assert message == f"{path}: has {limit + 1:,} {kind}; the limit is {limit:,} (docs/limits.md)"
