"""Plan approval records: whether a plan that can recommend exits was approved and made known in time.

Labour Contract Law Art. 4 requires rules that affect employees -- an
incentive plan whose recommendations can lead to an exit among them -- to go
through a democratic procedure (consultation of employee representatives)
and to be made known to employees. The policy's ``approval:`` section is the
record of that. This module says what a close or an evaluation should warn
about (``period_problems``) and what the ledger keeps (``approval_record``);
the semantic checks ``approval-missing`` and ``approval-date-order`` use the
same definitions. It decides nothing legal: it compares dates the policy
states.

    >>> from dataclasses import dataclass
from datetime import date
from typing import Literal
    >>> from incentive.policy.model import Approval
    >>> a = Approval("销售委员会", date(2025, 12, 15), consulted_on=date(2025, 12, 10),
    ...              published_on=date(2025, 12, 20), document="HR-2025-031")
    >>> approval_record(a)["published_on"]
    '2025-12-20'
    >>> dates_out_of_order(a)
    []
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from incentive.policy.actions import is_exit
from incentive.policy.model import Approval, Policy, Recommendation

#: the action id that is an exit review whatever else the policy says
#: the date keys in the order the procedure runs: consult, approve, publish
DATE_ORDER = ("consulted_on", "approved_on", "published_on")


def exit_rules(policy: Policy) -> tuple[Recommendation, ...]:
    """The recommendation rules of ``policy`` that can recommend an exit."""
    return tuple(rule for rule in policy.recommendations if is_exit(rule))


def approval_record(approval: Approval) -> dict[str, str]:
    """The approval as plain JSON text values (ISO dates), keys sorted: what the manifest and ledger keep."""
    values: dict[str, str | date | None] = {
        "approved_by": approval.approved_by, "approved_on": approval.approved_on,
        "consulted_on": approval.consulted_on, "published_on": approval.published_on,
        "document": approval.document,
    }
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in sorted(values.items()) if v is not None}


def dates_out_of_order(approval: Approval) -> list[tuple[str, str]]:
    """Each pair ``(earlier_key, later_key)`` of given dates where the later step is dated before the earlier."""
    given = [(key, getattr(approval, key)) for key in DATE_ORDER if getattr(approval, key) is not None]
    return [(a_key, b_key) for i, (a_key, a_day) in enumerate(given) for b_key, b_day in given[i + 1:]
            if b_day < a_day]


@dataclass(frozen=True)
class PeriodProblem:
    """Why a plan with exit-type recommendations lacks a sound approval record for one period.

    ``kind``: ``missing`` (no ``approval:``), ``unpublished`` (no
    ``published_on``) or ``late`` (published after the period start)."""

    kind: Literal["missing", "unpublished", "late"]
    rules: tuple[str, ...]  # the ids of the exit-type rules
    period_start: date
    published_on: date | None = None


def period_problem(policy: Policy, period_start: date) -> PeriodProblem | None:
    """The approval problem of closing ``policy`` for the period starting ``period_start``, if any.

    None for a plan with no exit-type recommendation (the check is about the
    rules most consequential to a person), or with an approval published on
    or before the period start."""
    rules = tuple(rule.id for rule in exit_rules(policy))
    if not rules:
        return None
    if policy.approval is None:
        return PeriodProblem("missing", rules, period_start)
    published = policy.approval.published_on
    if published is None:
        return PeriodProblem("unpublished", rules, period_start)
    if published > period_start:
        return PeriodProblem("late", rules, period_start, published)
    return None


def period_problems(policy: Policy, period_label: str, period_start: date) -> list[str]:
    """``period_problem`` as the message a close or an evaluation prints (none, or one)."""
    problem = period_problem(policy, period_start)
    if problem is None:
        return []
    which = ", ".join(problem.rules)
    if problem.kind == "missing":
        return [f"policy {policy.id} has exit-type recommendations ({which}) but no approval record: add "
                "`approval:` (approved_by, approved_on, consulted_on, published_on, document) once the plan has "
                "been through consultation of employee representatives and made known to employees "
                "(Labour Contract Law Art. 4)"]
    if problem.kind == "unpublished":
        return [f"policy {policy.id} has exit-type recommendations ({which}) but its approval record has no "
                "published_on: rules that judge a period must be made known to employees before it starts "
                "(Labour Contract Law Art. 4)"]
    assert problem.published_on is not None  # a late publication has its date
    return [f"policy {policy.id} was published on {problem.published_on.isoformat()}, after the start of period "
            f"{period_label} ({period_start.isoformat()}), and has exit-type recommendations ({which}): "
            "the rules were not made known to employees before the period they judge "
            "(Labour Contract Law Art. 4)"]
