"""Recommendation actions: the built-in ids and what kind each one is.

The kind decides how the engine guards an action (SPEC §5, labour law): an
*exit*-type action is never emitted for a person in a protected status (it
becomes ``legal_review``) nor without an earlier *improvement*-type action
in the ledger (it becomes the improvement action). A rule may state its
kind (``kind: exit | improvement | other``); without one it follows from
the action.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from incentive.policy.model import Policy, Recommendation

Kind = Literal["exit", "improvement", "other"]
KINDS: tuple[Kind, ...] = ("exit", "improvement", "other")

EXIT_REVIEW = "exit_review"
IMPROVEMENT_PLAN = "improvement_plan"
#: what an exit-type action becomes for a person in a protected status
LEGAL_REVIEW = "legal_review"

#: improvement steps before any exit review (Labour Contract Law Art. 40(2): training or a change of post)
IMPROVEMENT_ACTIONS = ("improvement_plan", "coaching", "training", "transfer")

KNOWN_ACTIONS = (
    "promotion_review", "recognition", "improvement_plan", "coaching", "training",
    "transfer", "exit_review", "no_results_review", "compliance_review", "legal_review",
)


def default_kind(action: str) -> Kind:
    """``exit_review`` and any action naming ``exit`` (``custom:exit_interview``) are exits; the
    improvement steps are improvements; everything else is other."""
    if action == EXIT_REVIEW or "exit" in action.lower():
        return "exit"
    if action in IMPROVEMENT_ACTIONS:
        return "improvement"
    return "other"


def is_exit(rule: Recommendation) -> bool:
    """``exit_review`` is always an exit, whatever ``kind`` says; other actions by their kind."""
    return rule.action == EXIT_REVIEW or rule.kind == "exit"


def is_improvement(rule: Recommendation) -> bool:
    return not is_exit(rule) and rule.kind == "improvement"


def improvement_actions(policy: Policy) -> tuple[str, ...]:
    """Every action that counts as an earlier improvement step: the built-in ones and the
    policy's own improvement-type actions."""
    own = [r.action for r in policy.recommendations if is_improvement(r)]
    return tuple(dict.fromkeys([*IMPROVEMENT_ACTIONS, *own]))


def improvement_action(policy: Policy) -> str:
    """What an exit-type action becomes without an earlier improvement step: the action of the
    policy's first improvement-type rule, else ``improvement_plan``."""
    return next((r.action for r in policy.recommendations if is_improvement(r)), IMPROVEMENT_PLAN)


def guards_exits(policy: Policy) -> bool:
    """Does the policy have an exit-type rule (then its evaluation reads earlier recommendations)?"""
    return any(is_exit(r) for r in policy.recommendations)
