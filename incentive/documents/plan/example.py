"""The worked example of a plan document: synthetic people run through the real engine.

The data is exactly what ``incentive sample POLICY --rows ROWS --seed SEED``
writes (the same generator, written to CSV and read back by the same
reader), evaluated by ``engine.pipeline.evaluate`` for the period the policy
takes effect in, with no history. So the document's numbers are the
engine's, and a reader can reproduce them with ``incentive sample`` and
``incentive explain``; nothing here computes an amount itself.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from incentive.engine.pipeline import evaluate
from incentive.engine.results import Results
from incentive.io.data import read_period_data
from incentive.io.periods import Period
from incentive.policy.expr.checked import CheckedPolicy
from incentive.sample import sample_frame, write_sample
from incentive.sample.generate import default_period

#: sizes tried for the example, smallest first: the first that ranks ``MIN_RANKED`` people is used
#: (a manager plan ranks one row in ten, a rep plan nearly all of them)
SIZES = (20, 40, 80, 160)
MIN_RANKED = 10
SEED = 1


@dataclass(frozen=True)
class Example:
    results: Results
    period: Period
    row: dict[str, object]  # the person whose derivation is shown
    rows: int
    seed: int = SEED

    @property
    def shown(self) -> list[dict[str, object]]:
        """The people the document lists: those ranked or paid something (the rest only counted)."""
        ranking = self.results.checked.policy.ranking is not None
        return [r for r in self.results.frame.to_dicts() if (ranking and r.get("band") is not None)
                or (isinstance(r.get("total"), Decimal) and r["total"] != 0)]


def run_example(checked: CheckedPolicy, seed: int = SEED) -> Example:
    """The example of the first size in ``SIZES`` that ranks ``MIN_RANKED`` people (else the largest)."""
    for rows in SIZES:
        example = example_of(checked, rows, seed)
        frame = example.results.frame
        unranked = checked.policy.ranking is None or "band" not in frame.columns
        ranked = frame.height if unranked else frame.get_column("band").is_not_null().sum()
        if ranked >= MIN_RANKED:
            break
    return example


def example_of(checked: CheckedPolicy, rows: int, seed: int = SEED) -> Example:
    """Sample ``rows`` people, write, read back and evaluate; choose the person to explain (``chosen``)."""
    policy = checked.policy
    period = default_period(policy)
    frame = sample_frame(policy, rows, seed, period)
    with tempfile.TemporaryDirectory(prefix="incentive-plan-") as tmp:
        path = Path(tmp) / "example.csv"
        write_sample(frame, policy, str(path), "csv")
        data = read_period_data(path, policy)
    results = evaluate(checked, data, period)
    return Example(results, period, chosen(results), rows, seed)


def chosen(results: Results) -> dict[str, object]:
    """The ranked person with the median score among those paid something (lower median; ties by id),
    so the derivation shows tiers at work; else the first ranked person; else the first row."""
    rows = results.frame.to_dicts()
    ranked = [r for r in rows if r.get("band") is not None] if results.checked.policy.ranking is not None else rows
    paid = [r for r in ranked if isinstance(r.get("total"), Decimal) and r["total"] > 0]
    pool = paid or ranked or rows
    if "score" in results.frame.columns:
        pool = sorted(pool, key=lambda r: (r.get("score") is None, r.get("score") or Decimal(0),
                                           str(r.get(results.id_column))))
    return pool[(len(pool) - 1) // 2]
