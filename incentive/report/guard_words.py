"""How ``explain`` shows an exit-type recommendation its guards replaced (``engine.exit_guard``).

The row's ``<rule>.action`` says what was raised; the ``protected.<id>``
columns say which protected status held. The text names the withheld
action, the status and its article, or the missing improvement step.
"""

from __future__ import annotations

from incentive.engine.exit_guard import action_column, protected_column
from incentive.policy.actions import LEGAL_REVIEW, improvement_actions
from incentive.policy.model import Policy, Recommendation, label_text
from incentive.report.labels import ACTIONS


def word(action: str, lang: str) -> str:
    """``legal_review (法律审查)``: the id, with the built-in word when there is one."""
    shown = ACTIONS.get(lang, ACTIONS["en"]).get(action) or ACTIONS["en"].get(action)
    return f"{action} ({shown})" if shown and shown != action else action


def guarded_action(row: dict[str, object], policy: Policy, rule: Recommendation,
                   lang: str) -> tuple[str, list[str]] | None:
    """``(action shown, reason lines)`` when the rule's action was replaced, else None."""
    raised = row.get(action_column(rule.id))
    if not isinstance(raised, str) or raised == rule.action:
        return None
    zh = lang.startswith("zh")
    if raised == LEGAL_REVIEW:
        held = []
        for g in policy.protected:
            if row.get(protected_column(g.id)):
                text = label_text(g.reason, lang, label_text(g.label, lang, g.id))
                held.append(f"{text}（{g.article}）" if zh and g.article else
                            f"{text} ({g.article})" if g.article else text)
        statuses = "；".join(held) if zh else "; ".join(held)
        line = (f"受保护状态：{statuses}。不发出 {rule.action}，须先经法律审查（本产品不作法律决定）" if zh else
                f"protected status: {statuses}; {rule.action} is not emitted, a legal review comes first"
                " (the product makes no legal decision)")
    else:
        steps = ("、" if zh else ", ").join(improvement_actions(policy))
        line = (f"此前已结期间的记录中没有改进措施（{steps}）：{rule.action} 须在改进措施之后，因此先建议改进措施" if zh else
                f"no earlier improvement action ({steps}) in the recorded periods before this one: {rule.action}"
                " must follow one, so the improvement action is recommended instead")
    return word(raised, lang), [line]
