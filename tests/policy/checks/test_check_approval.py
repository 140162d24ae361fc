"""The approval record: approval-missing and approval-date-order, and what a close of a period is warned about."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pytest

from incentive.policy.actions import is_exit
from incentive.policy.approval import approval_record, dates_out_of_order, period_problem, \
    period_problems
from incentive.policy.checks import approval_dates, approval_missing
from incentive.policy.model import Recommendation


@dataclass(frozen=True)
class KindRule(Recommendation):
    """A rule with the ``kind`` another branch adds to the model: the checks read it with getattr."""

    kind: str | None = None


def run(module, policy):
    return list(module.check(policy, None))


# ---------------------------------------------------------------- approval-missing

def test_an_exit_plan_without_approval_is_warned_at_the_exit_rule(b):
    [f] = run(approval_missing, b.policy(approval=None))
    assert (f.line, f.col, f.level, f.code) == (81, 3, "warning", "approval-missing")
    assert "recommendation exit can recommend an exit (exit_review)" in f.message
    assert "Labour Contract Law Art. 4" in f.message


def test_an_exit_plan_with_approval_passes(b):
    assert run(approval_missing, b.policy()) == []


def test_a_plan_without_exit_rules_needs_no_approval(b):
    recs = (b.rec("improvement", 'band == "C"', "improvement_plan"), b.rec("promo", 'band == "A"', "promotion_review"))
    assert run(approval_missing, b.policy(approval=None, recommendations=recs)) == []


def test_a_rule_marked_kind_exit_counts_as_exit_type(b):
    rule = KindRule("separation", b.src('streak(band == "C") >= 4', 85, 20), "custom:separation", kind="exit",
                    pos=b.src("x", 85, 3).pos)
    plain = b.rec("chat", 'band == "C"', "custom:coffee_chat")  # kind other: no approval needed for it
    assert is_exit(rule) and not is_exit(plain)
    [f] = run(approval_missing, b.policy(approval=None, recommendations=(rule, plain)))
    assert (f.line, f.col) == (85, 3) and "recommendation separation" in f.message


# ---------------------------------------------------------------- approval-date-order

def test_dates_in_the_procedures_order_pass(b):
    assert run(approval_dates, b.policy()) == []
    same_day = b.approval(consulted=date(2025, 12, 15), published=date(2025, 12, 15))
    assert run(approval_dates, b.policy(approval=same_day)) == []


def test_consultation_after_approval_is_warned_at_the_approval_date(b):
    [f] = run(approval_dates, b.policy(approval=b.approval(consulted=date(2025, 12, 16))))
    assert (f.line, f.col, f.level, f.code) == (90, 30, "warning", "approval-date-order")
    assert f.message.startswith("approval.approved_on 2025-12-15 is before approval.consulted_on 2025-12-16: "
                                "consultation comes before approval")


def test_publication_before_approval_is_warned_at_the_publication_date(b):
    [f] = run(approval_dates, b.policy(approval=b.approval(published=date(2025, 12, 12))))
    assert (f.line, f.col) == (90, 70)
    assert f.message.startswith("approval.published_on 2025-12-12 is before approval.approved_on 2025-12-15: "
                                "approval comes before publication")


def test_publication_before_consultation_and_approval_is_two_findings(b):
    found = run(approval_dates, b.policy(approval=b.approval(published=date(2025, 12, 1))))
    assert [(f.line, f.col) for f in found] == [(90, 70), (90, 70)]
    assert [f.message.split(":")[0] for f in found] == [
        "approval.published_on 2025-12-01 is before approval.consulted_on 2025-12-10",
        "approval.published_on 2025-12-01 is before approval.approved_on 2025-12-15"]


def test_missing_dates_are_not_compared(b):
    approval = b.approval(consulted=None, published=None)
    assert dates_out_of_order(approval) == []
    assert run(approval_dates, b.policy(approval=approval)) == []
    assert run(approval_dates, b.policy(approval=None)) == []


# ---------------------------------------------------------------- the period a close judges

Q1 = date(2026, 1, 1)


def test_a_timely_approval_is_no_problem_even_published_on_the_first_day(b):
    assert period_problems(b.policy(), "2026-01", Q1) == []
    on_the_day = b.policy(approval=b.approval(published=Q1))
    assert period_problem(on_the_day, Q1) is None


@pytest.mark.parametrize(("approval", "kind", "says"), [
    (None, "missing", "policy plan has exit-type recommendations (exit) but no approval record"),
    ("unpublished", "unpublished", "its approval record has no published_on"),
    ("late", "late", "policy plan was published on 2026-01-05, after the start of period 2026-01 (2026-01-01)"),
])
def test_what_a_close_of_the_period_is_warned_about(b, approval, kind, says):
    record = {None: None, "unpublished": b.approval(published=None),
              "late": b.approval(published=date(2026, 1, 5))}[approval]
    policy = b.policy(approval=record)
    problem = period_problem(policy, Q1)
    assert problem is not None and problem.kind == kind and problem.rules == ("exit",)
    [message] = period_problems(policy, "2026-01", Q1)
    assert says in message and message.endswith("(Labour Contract Law Art. 4)")


def test_a_plan_without_exit_rules_is_never_warned(b):
    policy = b.policy(approval=None, recommendations=(b.rec("improvement", 'band == "C"', "improvement_plan"),))
    assert period_problems(policy, "2026-01", Q1) == []


def test_the_record_is_plain_sorted_text(b):
    record = approval_record(b.approval())
    assert record == {"approved_by": "销售委员会", "approved_on": "2025-12-15", "consulted_on": "2025-12-10",
                      "document": "HR-2025-031", "published_on": "2025-12-20"}
    assert list(record) == sorted(record)
    assert approval_record(replace(b.approval(consulted=None), document=None)) == {
        "approved_by": "销售委员会", "approved_on": "2025-12-15", "published_on": "2025-12-20"}
