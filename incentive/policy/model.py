"""The policy as the engine sees it: plain, immutable dataclasses.

``incentive.policy.build`` turns a loaded, schema-valid YAML document into a
``Policy``; semantic checks (``incentive.policy.checks``) and the engine read
only these objects. Every element keeps the ``Pos`` of its YAML node so a
finding or an explanation can point at ``file:line:col``.

Numbers from the policy are ``Decimal`` (parsed from the YAML text, never via
float). Expressions are kept as source text here plus their position; the
checked, typed form lives in ``incentive.policy.expr`` and is attached by
``incentive.policy.expr.policy_check`` (see ``incentive.policy.expr.checked.CheckedPolicy``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal, Mapping, Union

from incentive.errors import Pos
from incentive.policy.actions import Kind, default_kind

InputType = Literal["id", "text", "integer", "number", "money", "percent", "date", "boolean"]
#: the input types read as exact decimals (and the only ones ``min`` / ``max`` apply to)
NUMERIC_TYPES: frozenset[InputType] = frozenset({"integer", "number", "money", "percent"})
PeriodUnit = Literal["month", "quarter", "half", "year"]
Rounding = Literal["half_up", "half_even", "down", "up"]
TierMode = Literal["marginal", "step", "linear"]
AggFunc = Literal["sum", "mean", "min", "max", "count", "median"]

Label = Union[str, dict[str, str]]  # plain text or {en: ..., zh: ...}


def label_text(label: Label | None, lang: str = "en", fallback: str = "") -> str:
    """The label in ``lang``, else English, else any language, else ``fallback``."""
    if label is None:
        return fallback
    if isinstance(label, str):
        return label
    return label.get(lang) or label.get("en") or next(iter(label.values()), fallback)


@dataclass(frozen=True)
class Source:
    """An expression as written in the policy, with where it was written."""

    text: str
    pos: Pos = Pos()
    path: str = ""  # dotted location in the policy, e.g. "kpis.sales.value"

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Money:
    decimals: int = 2
    rounding: Rounding = "half_up"
    pos: Pos = Pos()


@dataclass(frozen=True)
class Effective:
    start: date | None = None
    end: date | None = None
    pos: Pos = Pos()
    #: a period split between this version and a neighbour (docs/plan-versions.md): weighted by days, or an error
    split: Literal["days", "error"] = "days"


@dataclass(frozen=True)
class Input:
    id: str
    type: InputType
    column: str | None = None  # header in the data file, e.g. 销售额
    label: Label | None = None
    required: bool = True
    default: object = None  # already typed: Decimal / str / bool / date
    min: Decimal | None = None
    max: Decimal | None = None
    values: tuple[object, ...] | None = None  # allowed set
    pos: Pos = Pos()

    @property
    def header(self) -> str:
        return self.column or self.id


@dataclass(frozen=True)
class Derived:
    id: str
    expr: Source
    label: Label | None = None
    decimals: int | None = None  # optional rounding of the stored value
    pos: Pos = Pos()


@dataclass(frozen=True)
class Aggregate:
    """A group-level value given to every member of the group."""

    id: str
    func: AggFunc
    of: Source | None  # expression aggregated (None only for count)
    by: tuple[str, ...]  # group columns; empty = whole population
    where: Source | None = None  # only rows where this holds take part
    label: Label | None = None
    pos: Pos = Pos()


@dataclass(frozen=True)
class CurvePoint:
    value: Decimal
    points: Decimal
    pos: Pos = Pos()


@dataclass(frozen=True)
class StepThreshold:
    """``from`` is lower-bound inclusive: value >= from earns ``points``."""

    start: Decimal
    points: Decimal
    pos: Pos = Pos()


@dataclass(frozen=True)
class Scoring:
    """Exactly one of ``curve`` (piecewise linear, clamped) or ``step``."""

    curve: tuple[CurvePoint, ...] = ()
    step: tuple[StepThreshold, ...] = ()
    pos: Pos = Pos()

    @property
    def kind(self) -> Literal["curve", "step"]:
        return "curve" if self.curve else "step"


@dataclass(frozen=True)
class Kpi:
    id: str
    value: Source
    weight: Decimal
    scoring: Scoring
    label: Label | None = None
    pos: Pos = Pos()


@dataclass(frozen=True)
class ScoreSpec:
    decimals: int = 2
    rounding: Rounding = "half_up"
    scale: Decimal = Decimal(100)  # weights sum to this (100 or 1)
    pos: Pos = Pos()


@dataclass(frozen=True)
class Tier:
    start: Decimal  # "from": lower bound, inclusive
    rate: Decimal | None = None  # fraction of the base
    amount: Decimal | None = None  # fixed amount instead of a rate (step mode)
    pos: Pos = Pos()


@dataclass(frozen=True)
class Tiers:
    mode: TierMode
    table: tuple[Tier, ...]
    basis: Source | None = None  # default: the payout's base
    pos: Pos = Pos()


@dataclass(frozen=True)
class Payout:
    """A money component: ``base`` × tiers, or a plain ``amount``."""

    id: str
    label: Label | None = None
    base: Source | None = None
    tiers: Tiers | None = None
    amount: Source | None = None
    gate: Source | None = None
    cap: Source | None = None
    floor: Source | None = None
    prorate: Source | None = None
    by_band: dict[str, Decimal] | None = None  # coefficient per band, e.g. A 1.5
    pos: Pos = Pos()


@dataclass(frozen=True)
class Budget:
    """Scale components down pro rata when their sum exceeds ``amount``."""

    id: str
    amount: Source
    components: tuple[str, ...]  # payout ids; empty = all payouts
    by: tuple[str, ...] = ()  # per group; empty = overall
    pos: Pos = Pos()


@dataclass(frozen=True)
class Penalty:
    id: str
    label: Label | None = None
    when: Source | None = None  # default: always (amount may be 0)
    amount: Source | None = None
    cap: Source | None = None
    forfeit: tuple[str, ...] = ()  # payout ids, or ("all",)
    band: str | None = None  # veto: force this band
    pos: Pos = Pos()


@dataclass(frozen=True)
class Draw:
    """A guaranteed amount on the total or one payout, and the balance it carries between periods.

    ``recoverable``: an advance -- a shortfall is owed and recovered from later
    earnings above the draw (at most ``recovery_cap`` a period, starting
    ``recovery_delay`` periods after the balance arose). ``non_recoverable``:
    the shortfall is topped up and forgiven. The balance a close ends with is
    a result column the next close reads from the ledger."""

    id: str
    kind: str  # "recoverable" | "non_recoverable"
    amount: Source
    of: str = "total"  # "total" or a payout id
    recovery_cap: Source | None = None
    recovery_delay: int = 0
    on_leave: str = "recover"  # "recover" | "forgive"
    label: Label | None = None
    pos: Pos = Pos()

    @property
    def recoverable(self) -> bool:
        return self.kind == "recoverable"


@dataclass(frozen=True)
class Hold:
    """A payout held until collected (回款提成): earned now, paid as the revenue it was earned on is collected.

    This period's portion is released in proportion ``collected / billed``
    (at least ``advance`` of it at once); the rest is held, with the
    uncollected revenue behind it, and released as ``collected_earlier``
    arrives in later periods (oldest held first). What is still held
    ``write_off_after`` periods after the period it was earned in is written
    off; with ``recover_early_release`` the advance paid on that uncollected
    revenue is recovered from later pay. The held amounts are result columns
    the next close reads from the ledger (docs/balances.md)."""

    id: str
    of: str  # a payout id
    billed: Source
    collected: Source
    collected_earlier: Source | None = None  # default: nothing collected against earlier billing
    advance: Source | None = None  # a share of the earned amount released at once (default 0)
    write_off_after: int | None = None  # periods; None = held until collected, never written off
    recover_early_release: bool = False
    on_leave: str = "report"  # "release" | "forfeit" | "report"
    label: Label | None = None
    pos: Pos = Pos()

    @property
    def ages(self) -> int:
        """How many age buckets a close carries: one per period up to the limit, or one for all."""
        return self.write_off_after or 1


@dataclass(frozen=True)
class Clawback:
    """Commission taken back on deals refunded or cancelled after the period that paid them.

    ``recover``: a refund (an adjustment source of the crediting file) of a
    line dated in an earlier period does not lower this period's measures;
    instead each person the refund is credited to gives back the refunded
    part's pro-rata share of what ``payouts`` paid them in the line's period
    -- ``paid × refunded / basis``, ``basis`` being the measure those payouts
    were earned on, both read from that period's close in the ledger --
    recovered from this period's pay, the rest carried. ``net``: the refund
    lowers this period's measures (what crediting does without a clawback)."""

    id: str
    refunds: tuple[str, ...]  # adjustment sources of the crediting file
    payouts: tuple[str, ...] = ()
    basis: str = ""  # a money input that is a ``sum`` measure of the crediting file
    mode: str = "recover"  # "recover" | "net"
    label: Label | None = None
    pos: Pos = Pos()

    @property
    def recovers(self) -> bool:
        return self.mode == "recover"


@dataclass(frozen=True)
class Band:
    id: str
    share: Decimal
    label: Label | None = None
    guard: Source | None = None  # only people for whom this holds may be placed here
    pos: Pos = Pos()


@dataclass(frozen=True)
class TieBreak:
    expr: Source
    descending: bool = True
    pos: Pos = Pos()


@dataclass(frozen=True)
class Ranking:
    by: Source
    bands: tuple[Band, ...]
    within: tuple[str, ...] = ()
    eligible: Source | None = None
    eligible_reason: Label = "not eligible for ranking"  # text, or {en, zh}: shown in the run's --lang
    descending: bool = True  # higher `by` ranks first
    tie_break: tuple[TieBreak, ...] = ()
    rounding: Literal["largest_remainder", "floor", "nearest"] = "largest_remainder"
    ties: Literal["keep_together", "split"] = "keep_together"
    min_group: int = 1
    small_groups: Literal["pool", "exempt"] = "pool"
    forced_count: bool = False  # do vetoed people count toward a band's quota?
    pos: Pos = Pos()


@dataclass(frozen=True)
class Recommendation:
    id: str
    when: Source
    action: str
    reason: Label | None = None
    next_steps: tuple[str, ...] = ()
    label: Label | None = None
    action_label: Label | None = None  # what a person reads for ``action`` (the id stays for programs)
    kind_given: Kind | None = None  # the policy's ``kind:``; None = from the action
    pos: Pos = Pos()

    @property
    def kind(self) -> Kind:
        """``exit`` | ``improvement`` | ``other``: as the policy says, else from the action."""
        return self.kind_given or default_kind(self.action)


@dataclass(frozen=True)
class Protection:
    """A protected status (Labour Contract Law Art. 42): while ``when`` holds, no exit-type action."""

    id: str
    when: Source
    article: str = ""
    reason: Label | None = None
    label: Label | None = None
    pos: Pos = Pos()


@dataclass(frozen=True)
class Approval:
    """Who approved the plan and when it went through consultation and was made known (metadata only).

    Labour Contract Law Art. 4: rules that affect employees go through a
    democratic procedure and are made known to them; these dates are the
    record of that, checked (``policy.approval``) and kept with every close.
    ``field_pos`` holds the position of each key given, for findings."""

    approved_by: str
    approved_on: date
    consulted_on: date | None = None
    published_on: date | None = None
    document: str | None = None
    field_pos: Mapping[str, Pos] = field(default_factory=dict)
    pos: Pos = Pos()


#: the roles that may approve a closed period (``incentive approve --role``)
SIGN_OFF_ROLES = ("manager", "hr", "finance")


@dataclass(frozen=True)
class SignOff:
    """The approvals a closed period needs before it is exported to payroll (in this order)."""

    roles: tuple[str, ...]
    pos: Pos = Pos()


@dataclass(frozen=True)
class Inquiries:
    """How long after a close a participant's inquiry is on time."""

    appeal_window_days: int
    pos: Pos = Pos()


@dataclass(frozen=True)
class Fairness:
    """The adverse-impact report: which demographic inputs to compare groups by.

    The columns are inputs (declared in ``inputs``, required); no expression or
    group may read them (``fairness-column-used``), so they can describe a plan's
    outcomes without ever shaping them.
    """

    columns: tuple[str, ...]
    min_group: int = 5  # smaller groups are reported as too small, neither pass nor fail
    column_pos: tuple[Pos, ...] = ()  # where each column is named (for findings)
    pos: Pos = Pos()

    def position(self, index: int) -> Pos:
        return self.column_pos[index] if index < len(self.column_pos) else self.pos


@dataclass(frozen=True)
class Policy:
    id: str
    version: str
    title: Label
    period: PeriodUnit
    currency: str
    money: Money
    inputs: tuple[Input, ...]
    derived: tuple[Derived, ...] = ()
    aggregates: tuple[Aggregate, ...] = ()
    kpis: tuple[Kpi, ...] = ()
    score: ScoreSpec = ScoreSpec()
    payouts: tuple[Payout, ...] = ()
    budgets: tuple[Budget, ...] = ()
    penalties: tuple[Penalty, ...] = ()
    floor: Decimal | None = Decimal(0)  # total never below this; None = no floor
    draws: tuple[Draw, ...] = ()
    holds: tuple[Hold, ...] = ()
    clawbacks: tuple[Clawback, ...] = ()
    ranking: Ranking | None = None
    recommendations: tuple[Recommendation, ...] = ()
    protected: tuple[Protection, ...] = ()
    effective: Effective | None = None
    approval: Approval | None = None
    fairness: Fairness | None = None
    sign_off: SignOff | None = None
    inquiries: Inquiries | None = None
    crediting: str | None = None  # the crediting definition file, relative to the policy (incentive.credits)
    file: str = "<policy>"
    source_text: str = ""  # the policy exactly as read (for the audit copy)
    pos: Pos = Pos()
    version_pos: Pos = Pos()  # the `version:` key (findings about versions of one id point here)

    @property
    def id_input(self) -> Input:
        """The employee id column (the one input of type ``id``)."""
        return next(i for i in self.inputs if i.type == "id")

    def input(self, name: str) -> Input | None:
        return next((i for i in self.inputs if i.id == name), None)
