"""The names the policy language gives to result columns and expressions.

Two kinds of name are built from a policy's ids, and both are part of
recorded formats, so they are spelled here once:

* **result columns** -- a KPI's value beside its points (``sales_value``)
  and the intermediate steps of a payout, penalty, budget or the total
  (``bonus.gross``, ``bonus.before_forfeit.compliance``). A close writes
  them into the audit table, and ``explain``, coverage and the policy tests
  read them back: changing one changes the audit format.
* **expression paths** -- the dotted location of an expression in the
  policy (``payouts.bonus.tiers.basis``). They key ``CheckedPolicy.exprs``,
  link a step column to the rule it shows, and begin every error message
  about an expression.
"""

from __future__ import annotations

# -- sections of a policy (the first part of an expression path) ------------
DERIVED = "derived"
AGGREGATES = "aggregates"
KPIS = "kpis"
RANKING = "ranking"
PAYOUTS = "payouts"
BUDGETS = "budgets"
PENALTIES = "penalties"
RECOMMENDATIONS = "recommendations"
PROTECTED = "protected"  # protected statuses; also the result column naming the ones that hold
DRAWS = "draws"
HOLDS = "holds"
ACTION = "action"  # ``<rule>.action``: the action an exit-type rule finally raised
EARLIER_IMPROVEMENT = "earlier_improvement"  # an improvement-type action in an earlier closed period

# -- step names: the last part of a step column, mostly also the field ------
# -- of the expression it shows (``bonus.cap`` shows ``payouts.bonus.cap``) --
BASE = "base"
BASIS = "basis"  # shows ``payouts.<id>.tiers.basis``
AMOUNT = "amount"
GROSS = "gross"
FACTOR = "factor"  # a payout's band factor; a budget's scale factor
PRORATE = "prorate"
FLOOR = "floor"
CAP = "cap"
GATE = "gate"
WHEN = "when"
BEFORE_FLOOR = "before_floor"  # the total before the policy's floor
# a draw's steps (``advance.opening`` ...): what it carries from the last close to the next
EARNED = "earned"  # what the target (total or payout) came to before the draw
OPENING = "opening"  # the balance owed at the start of the period (the last close's closing)
SHORTFALL = "shortfall"  # the draw minus the earnings, when positive: advanced (recoverable) or topped up
RECOVERED = "recovered"  # taken back from earnings above the draw
CLOSING = "closing"  # the balance owed at the end of the period
AGE = "age"  # consecutive periods the balance has been owed (recovery waits recovery_delay of them)
FORGIVEN = "forgiven"  # topped up and never owed (non_recoverable)
RECOVERY_CAP = "recovery_cap"
# a hold's steps (``collection.released`` ...); with EARNED, OPENING, RECOVERED, CLOSING above
BILLED = "billed"  # money billed this period (the hold's ``billed``)
COLLECTED = "collected"  # collected against this period's billing
COLLECTED_EARLIER = "collected_earlier"  # collected against earlier billing: releases what is held
ADVANCE = "advance"  # the share of the earned amount released before collection
RELEASED_NOW = "released_now"  # this period's earned amount released now
RELEASED_EARLIER = "released_earlier"  # released from the amounts held at the start
RELEASED = "released"  # both
HELD = "held"  # this period's earned amount held
WRITTEN_OFF = "written_off"  # held past write_off_after: never paid
UNAPPLIED = "unapplied"  # collected_earlier beyond the uncollected revenue the hold tracks
TO_RECOVER = "to_recover"  # the advance released on revenue written off (recover_early_release)
OWED = "owed"  # a recovery not yet taken from pay, carried to the next close


def hold_age(hold_id: str, age: int, part: str) -> str:
    """``collection.age2.held``: of what was earned ``age`` periods ago, the amount still held
    (``held``), the revenue still uncollected (``base``) and the payout earned on it (``cover``)."""
    return f"{hold_id}.age{age}.{part}"


HOLD_PARTS = ("held", "base", "cover")

# -- other expression fields ------------------------------------------------
VALUE = "value"  # a KPI's value
OF = "of"  # an aggregate's expression
WHERE = "where"  # an aggregate's member filter
GUARD = "guard"  # a band's guard

#: the ranking's own expressions
RANKING_BY = "ranking.by"
RANKING_ELIGIBLE = "ranking.eligible"

TOTAL = "total"


def kpi_value(kpi_id: str) -> str:
    """``sales_value``: the column (and expression name) of a KPI's value; ``sales`` holds its points."""
    return f"{kpi_id}_value"


def step(owner: str, name: str) -> str:
    """``bonus.gross``: the column of one step of a payout, penalty, budget, rule or the total."""
    return f"{owner}.{name}"


def before_forfeit(payout_id: str, penalty_id: str) -> str:
    """``bonus.before_forfeit.compliance``: a payout as it was before a veto took it."""
    return f"{payout_id}.before_forfeit.{penalty_id}"


def pre_budget(component_id: str, budget_id: str) -> str:
    """``bonus.pre_budget.pool``: a component as it was before a budget scaled it."""
    return f"{component_id}.pre_budget.{budget_id}"


def before_forfeit_of(column: str, payout_id: str) -> str | None:
    """The penalty of a ``before_forfeit`` column of ``payout_id``, or None if ``column`` is not one."""
    prefix = f"{payout_id}.before_forfeit."
    return column[len(prefix):] if column.startswith(prefix) else None


def pre_budget_of(column: str, component_id: str) -> str | None:
    """The budget of a ``pre_budget`` column of ``component_id``, or None if ``column`` is not one."""
    prefix = f"{component_id}.pre_budget."
    return column[len(prefix):] if column.startswith(prefix) else None


def item_path(section: str, item_id: str) -> str:
    """``payouts.bonus``: where one element of a section is (also the stage named in its errors)."""
    return f"{section}.{item_id}"


def expr_path(section: str, item_id: str, *fields: str) -> str:
    """``penalties.compliance.when``: the path of one expression of an element."""
    return ".".join((section, item_id, *fields))


def payout_path(payout_id: str, field: str) -> str:
    """The path of a payout's expression; its tier ``basis`` sits under ``tiers``."""
    if field == BASIS:
        return expr_path(PAYOUTS, payout_id, "tiers", BASIS)
    return expr_path(PAYOUTS, payout_id, field)


def tie_break_path(index: int) -> str:
    """``ranking.tie_break.0``: the path of the ranking's ``index``-th tie-break."""
    return f"{RANKING}.tie_break.{index}"


def band_guard_path(band_id: str) -> str:
    """``ranking.bands.A.guard``: the path of a band's guard."""
    return expr_path(RANKING, "bands", band_id, GUARD)
