"""``exit-without-history`` for every shape of rule: can the exit rule hold in a period with no history?

One test per shape; each asserts the finding (or none) at the rule's ``when``.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from incentive.errors import Finding
from incentive.policy.checks import exit_review
from incentive.policy.model import Derived, Recommendation
from incentive.errors import Pos


def exit_findings(b, when: str, action: str = "exit_review", kind: str | None = None, **policy) -> list[Finding]:
    rule: Recommendation = replace(b.rec("leave", when, action, 87), kind_given=kind)
    recs = (b.rec("improvement", 'band == "C"', "improvement_plan", 80), rule)
    return list(exit_review.check(b.policy(recommendations=recs, **policy), None))


def fails(found: list[Finding]) -> Finding:
    [f] = found
    assert (f.line, f.col, f.level, f.code) == (87, 20, "error", "exit-without-history")
    assert "labour law" in f.message
    return f


def test_bottom_band(b):
    assert "'band == \"C\"'" in fails(exit_findings(b, 'band == "C"')).message


def test_rank_past_a_number(b):
    fails(exit_findings(b, "rank > 10"))


def test_percentile_under_a_fraction(b):
    fails(exit_findings(b, "percentile < 0.1"))


def test_double_negation_of_the_band(b):
    fails(exit_findings(b, 'not (band != "C")'))


def test_or_with_a_rank_condition(b):
    fails(exit_findings(b, 'streak(band == "C") >= 3 or rank > 10'))


def test_or_with_a_pattern_on_both_sides_passes(b):
    assert exit_findings(b, 'streak(band == "C") >= 3 or count_last(4, rank > 10) >= 3') == []


def test_and_with_a_pattern_passes(b):
    assert exit_findings(b, 'band == "C" and streak(band == "C") >= 3') == []


def test_negated_short_streak_is_a_pattern(b):
    assert exit_findings(b, 'not (streak(band == "C") < 3)') == []


def test_negated_pattern_can_hold_without_history(b):
    fails(exit_findings(b, 'not (streak(band == "C") >= 3)'))


@pytest.mark.parametrize("when", ['streak(band == "C") >= 1', 'streak(band == "C") == 1', 'streak(band == "C") > 0',
                                  'count_last(3, band == "C") >= 1', 'count_last(1, band == "C") >= 1',
                                  '0 < streak(band == "C")'])
def test_a_pattern_one_period_satisfies(b, when):
    fails(exit_findings(b, when))


@pytest.mark.parametrize("when", ['2 <= streak(band == "C")', 'streak(band == "C") > 1', 'count_last(6, band == "C") == 6',
                                  '3 <= streak(band == "C") <= 24'])
def test_patterns_written_other_ways_pass(b, when):
    assert exit_findings(b, when) == []


def test_prev_does_not_count_as_a_pattern(b):
    fails(exit_findings(b, 'prev(band) == "C" and band == "C"'))


def test_a_function_around_the_pattern_does_not_count(b):
    fails(exit_findings(b, 'coalesce(streak(band == "C"), 0) >= 3'))


def test_a_payout_that_reads_the_band(b):
    """``bonus`` has a band factor: ``bonus == 0`` fires from this period's band."""
    f = fails(exit_findings(b, "bonus < 100", action="custom:separation", kind="exit"))
    assert "depends on bonus (from band) in this period only" in f.message


def test_the_total_that_reads_the_band(b):
    f = fails(exit_findings(b, "total < 100", action="custom:separation", kind="exit"))
    assert "total (from band)" in f.message


def test_a_derived_value_holding_the_pattern_is_looked_through(b):
    derived = (*b.policy().derived, Derived("sustained", b.src('streak(revenue == 0) >= 3', 22, 15, "derived.sustained"),
                                            pos=Pos(22, 3)))
    assert exit_findings(b, "sustained", derived=derived) == []
    assert exit_findings(b, 'sustained or band == "C"', derived=derived) != []


def test_a_derived_value_without_a_pattern(b):
    derived = (*b.policy().derived, Derived("weak", b.src("attainment < 0.5", 22, 15, "derived.weak"), pos=Pos(22, 3)))
    fails(exit_findings(b, "weak", derived=derived))


def test_custom_action_marked_kind_exit(b):
    f = fails(exit_findings(b, 'band == "C"', action="custom:separation", kind="exit"))
    assert "'custom:separation' depends on band in this period only" in f.message
    assert exit_findings(b, 'streak(band == "C") >= 3', action="custom:separation", kind="exit") == []


def test_custom_exit_without_ranking_is_left_to_people(b):
    assert exit_findings(b, "revenue == 0", action="custom:separation", kind="exit") == []


def test_exit_review_marked_otherwise_is_still_an_exit(b):
    fails(exit_findings(b, 'band == "C"', kind="improvement"))


def test_a_non_exit_rule_is_not_checked(b):
    assert exit_findings(b, 'band == "C"', action="custom:mentor", kind="other") == []


def test_an_exit_named_action_of_kind_other_is_not_an_exit(b):
    """validate follows the engine's one definition (``actions.is_exit``): ``kind: other`` wins over the name."""
    assert exit_findings(b, 'band == "C"', action="custom:exit_interview", kind="other") == []


def test_an_exit_named_action_without_a_kind_is_an_exit(b):
    fails(exit_findings(b, 'band == "C"', action="custom:exit_interview"))


def test_exit_review_is_an_exit_whatever_its_kind(b):
    fails(exit_findings(b, 'band == "C"', kind="other"))
