"""``explain`` of a period split between plan versions: each version's amount, its days, the weighted result.

The steps ``explain_row`` builds are the primary version's (its rules, its
tiers); for a split period each amount is the days-weighted one
(docs/plan-versions.md), so each payout, penalty and the total gets a line
saying so, and one ``versions`` step shows, per component, every version's
amount × its days / the period's days = the weighted amount.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import polars as pl

from incentive.engine.results import VersionPart
from incentive.policy.model import Policy, label_text
from incentive.report.explain import Explanation, Step, fmt

_WEIGHED = ("payout", "penalty", "total")


def add_split(ex: Explanation, parts: Sequence[VersionPart], row: dict[str, object], policy: Policy,
              lang: str = "en") -> None:
    """Add the split to ``ex`` in place; nothing when the period is one version's."""
    if not parts:
        return
    zh = lang == "zh"
    key = policy.id_input.id
    decimals = policy.money.decimals
    mine = [_amounts(p.amounts, key, ex.employee_id) for p in parts]
    found = {c for p in parts for c in p.amounts.columns if c != key}
    shown_first = [s.name for s in ex.steps if s.kind in _WEIGHED and s.name in found and s.name != "total"]
    names = shown_first + sorted(found - set(shown_first) - {"total"}) + ["total"]
    def note(name: str) -> str:
        """Whose rule a step shows: the primary's, or (a component it lacks) the first version with it."""
        mains = [p for p in parts if p.version == policy.version]
        owner = next((p.version for p in [*mains, *parts] if name == "total" or name in p.amounts.columns),
                     policy.version)
        return (f"规则与中间步骤为版本 {owner} 的；金额按各版本覆盖天数加权，见 versions" if zh else
                f"the rule and steps are version {owner}'s; the amount is weighted by the days of each plan "
                "version: see versions")

    for step in ex.steps:
        if step.kind in _WEIGHED and step.name in names:
            # the total's sum line adds weighted components to the primary's total: only the note is true
            step.details = [note(step.name)] if step.kind == "total" else [note(step.name), *step.details]
    colon = "：" if zh else ": "
    details = []
    for p in parts:
        details.append(f"{'版本' if zh else 'version'} {p.version} ({p.file}){colon}{p.start.isoformat()} – "
                       f"{p.end.isoformat()}, {p.days}/{p.total_days} {'天' if zh else 'days'}")
    for name in names:
        terms = " + ".join(f"{fmt(m.get(name, Decimal(0)), decimals)} × {p.days}/{p.total_days}"
                           for p, m in zip(parts, mine))
        details.append(f"{_label(policy, name, lang)}{colon}{terms} = {fmt(row.get(name), decimals)}")
    rule = ("Σ 各版本金额 × 天数 / 期间天数，按方案舍入，分项按最大余数凑足合计" if zh else
            "Σ version amount × its days / the period's days, rounded as the policy says; "
            "components apportioned (largest remainder) to add up to the total")
    ex.steps.append(Step("versions", "versions", "方案版本" if zh else "plan versions", row.get("total"), rule, {},
                         details))


def _amounts(frame: pl.DataFrame, key: str, employee: str) -> dict[str, object]:
    rows = frame.filter(pl.col(key).cast(pl.String) == employee).to_dicts()
    return rows[0] if rows else {}


def _label(policy: Policy, name: str, lang: str) -> str:
    if name == "total":
        return "合计" if lang == "zh" else "total"
    labels = {p.id: p.label for p in policy.payouts} | {pen.id: pen.label for pen in policy.penalties}
    if name in labels:
        return f"{name} ({label_text(labels[name], lang, name)})"
    return name
