"""The hostile-input suite: every case in ``cases/`` through the real command.

Each case states its input (policy and / or data: inline, a fixture, or a
named generator) and its expected outcome; ``harness`` runs
``python -m incentive`` in a subprocess with a timeout and checks the
outcome plus the invariants every run must keep (no traceback, no hang, no
partial or stray output, owner-only files, spreadsheet-safe cells, an
intact ledger). A case with ``xfail:`` documents a known defect owned
elsewhere; it is strict, so the fix is noticed.
"""

from __future__ import annotations

import pytest

from tests.hostile.harness import Case, check, load_cases, run_case

CASES = load_cases()


def _param(case: Case):
    marks = [pytest.mark.xfail(strict=True, reason=case.spec["xfail"])] if case.spec.get("xfail") else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_hostile_case(case: Case, tmp_path):
    outcome = run_case(case, tmp_path)
    problems = check(case, outcome)
    assert not problems, f"{case.path.name}: {case.spec['about']}\n" + "\n".join(problems)


def test_the_suite_is_not_empty_and_ids_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) >= 60 and len(set(ids)) == len(ids)
