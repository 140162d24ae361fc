"""Loaded, schema-valid YAML -> the ``Policy`` dataclasses the engine reads.

The builder trusts the schema for shapes and types (run
``incentive.policy.schema.schema_findings`` first; ``validate.validate_file``
does). Its own job is conversion: exact ``Decimal`` numbers, ``date`` objects,
input defaults typed like their input, and a ``Source`` for every expression
whose ``pos`` is the first character of the expression text and whose
``path`` is the dotted location used everywhere (``kpis.sales.value``,
``payouts.commission.tiers.basis``, ``ranking.tie_break.0`` ...).

    >>> from incentive.policy.yamlsafe import load_yaml
    >>> doc = load_yaml('''policy: p
    ... version: "1"
    ... period: month
    ... currency: CNY
    ... inputs: {employee_id: {type: id}, revenue: {type: money}}
    ... derived: {double: "2 * revenue"}
    ... ''', "p.yaml")
    >>> build_policy(doc, "p.yaml").derived[0].expr
    Source(text='2 * revenue', pos=Pos(line=6, col=20), path='derived.double')

Element positions (``Input.pos``, ``Kpi.pos``, ...) point at the element's key
(its id) so findings about an element land on the line that names it; table
rows (tiers, curve points, steps) point at the row.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from incentive.errors import Pos
from incentive.numeric import plain_text
from incentive.policy.model import (
    AggFunc,
    Aggregate,
    Approval,
    Band,
    Budget,
    Clawback,
    CurvePoint,
    Derived,
    Draw,
    Effective,
    Fairness,
    Hold,
    Inquiries,
    Input,
    Kpi,
    Money,
    Payout,
    Penalty,
    Policy,
    Ranking,
    Protection,
    Recommendation,
    ScoreSpec,
    SignOff,
    Scoring,
    StepThreshold,
    Tier,
    Tiers,
    TieBreak,
    Source,
    label_text,
)
from incentive.policy.names import AGGREGATES, DERIVED, OF, expr_path, item_path
from incentive.policy.yaml_doc import LoadedDoc, NodePath

AGG_FUNCS: tuple[AggFunc, ...] = ("sum", "mean", "min", "max", "median", "count")
_DIRECTION = re.compile(r"^(?P<expr>.*?)\s+(?P<dir>asc|desc)\s*$", re.DOTALL)
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def build_policy(doc: LoadedDoc, file: str) -> Policy:
    """The ``Policy`` of a schema-valid document."""
    return _Builder(doc, file).policy()


def number_text(value: int | Decimal) -> str:
    """How a plain YAML number reads as an expression: ``1E+3`` -> ``1000``."""
    if isinstance(value, Decimal) and value.is_finite():
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -40 <= exponent <= 40:
            return plain_text(value, trim=False)
    return str(value)


def to_decimal(value: int | Decimal) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(value)


def typed_value(input_type: str, value: object) -> object:
    """A default / allowed value converted to its input's type.

    Values that do not fit are returned unchanged, so the semantic checks can
    report them (``default-type``) with the value as written.

    >>> typed_value("money", 5), typed_value("date", "2026-01-31"), typed_value("integer", "x")
    (Decimal('5'), datetime.date(2026, 1, 31), 'x')
    """
    number = value if isinstance(value, (int, Decimal)) and not isinstance(value, bool) else None
    if input_type in ("id", "text"):
        return value
    if input_type == "integer":
        if number is not None and to_decimal(number) == to_decimal(number).to_integral_value():
            return to_decimal(number)
        return value
    if input_type in ("number", "money", "percent"):
        return to_decimal(number) if number is not None else value
    if input_type == "date":
        if isinstance(value, str) and _DATE.match(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                return value
        return value
    return value  # boolean: true/false are already bool


class _Builder:
    def __init__(self, doc: LoadedDoc, file: str) -> None:
        self.doc = doc
        self.file = file
        self.data: dict = doc.data if isinstance(doc.data, dict) else {}

    # -- helpers -------------------------------------------------------------
    def source(self, value: object, path: NodePath, dotted: str | None = None) -> Source | None:
        """The expression at ``path`` (a string or a plain number), or None."""
        dotted = dotted or ".".join(str(p) for p in path)
        if value is None:
            return None
        if isinstance(value, str):
            return _stripped(value, self.doc.text_pos(path), dotted)
        text = number_text(value) if isinstance(value, (int, Decimal)) else str(value)
        return Source(text, self.doc.pos(path), dotted)

    def required(self, value: object, path: NodePath, dotted: str | None = None) -> Source:
        """The expression of a slot the schema requires (a string or a number, never null)."""
        found = self.source(value, path, dotted)
        assert found is not None  # the schema refuses a null expression
        return found

    def section(self, name: str) -> dict:
        return self.data.get(name) or {}

    def key_pos(self, path: NodePath) -> Pos:
        return self.doc.key_pos(path)

    # -- the policy ------------------------------------------------------------
    def policy(self) -> Policy:
        d = self.data
        return Policy(
            id=d["policy"],
            version=d["version"],
            title=d.get("title", d["policy"]),
            period=d["period"],
            currency=d["currency"],
            money=self.money(),
            inputs=tuple(self.input(k, v) for k, v in self.section("inputs").items()),
            derived=tuple(self.derived(k, v) for k, v in self.section("derived").items()),
            aggregates=tuple(self.aggregate(k, v) for k, v in self.section("aggregates").items()),
            kpis=tuple(self.kpi(k, v) for k, v in self.section("kpis").items()),
            score=self.score(),
            payouts=tuple(self.payout(k, v) for k, v in self.section("payouts").items()),
            budgets=tuple(self.budget(k, v) for k, v in self.section("budgets").items()),
            penalties=tuple(self.penalty(k, v) for k, v in self.section("penalties").items()),
            floor=self.floor(),
            draws=tuple(self.draw(k, v) for k, v in self.section("draws").items()),
            holds=tuple(self.hold(k, v) for k, v in self.section("holds").items()),
            clawbacks=tuple(self.clawback(k, v) for k, v in self.section("clawbacks").items()),
            ranking=self.ranking(),
            recommendations=tuple(self.recommendation(k, v) for k, v in self.section("recommendations").items()),
            protected=tuple(self.protection(k, v) for k, v in self.section("protected").items()),
            effective=self.effective(),
            approval=self.approval(),
            fairness=self.fairness(),
            sign_off=self.sign_off(),
            inquiries=self.inquiries(),
            crediting=self.data.get("crediting"),
            file=self.file,
            source_text=self.doc.text,
            pos=self.doc.pos(()),
            version_pos=self.key_pos(("version",)),
        )

    def money(self) -> Money:
        m = self.data.get("money") or {}
        return Money(decimals=int(m.get("decimals", 2)), rounding=m.get("rounding", "half_up"),
                     pos=self.key_pos(("money",)))

    def effective(self) -> Effective | None:
        e = self.data.get("effective")
        if e is None:
            return None
        start, end = e.get("start"), e.get("end")
        return Effective(start=date.fromisoformat(start) if start else None,
                         end=date.fromisoformat(end) if end else None,
                         pos=self.key_pos(("effective",)), split=e.get("split", "days"))

    def approval(self) -> Approval | None:
        a = self.data.get("approval")
        if a is None:
            return None
        path = ("approval",)

        def day(key: str) -> date | None:
            return date.fromisoformat(a[key]) if a.get(key) else None  # the schema checked the form

        approved_on = day("approved_on")
        assert approved_on is not None  # the schema requires it
        return Approval(approved_by=a["approved_by"], approved_on=approved_on, consulted_on=day("consulted_on"),
                        published_on=day("published_on"), document=a.get("document"),
                        field_pos={key: self.doc.pos(path + (key,)) for key in a},
                        pos=self.key_pos(path))

    def sign_off(self) -> SignOff | None:
        s = self.data.get("sign_off")
        if s is None:
            return None
        return SignOff(roles=tuple(s["roles"]), pos=self.key_pos(("sign_off",)))

    def inquiries(self) -> Inquiries | None:
        i = self.data.get("inquiries")
        if i is None:
            return None
        return Inquiries(appeal_window_days=int(i["appeal_window_days"]), pos=self.key_pos(("inquiries",)))

    def fairness(self) -> Fairness | None:
        f = self.data.get("fairness")
        if f is None:
            return None
        columns = tuple(f["columns"])
        return Fairness(columns=columns, min_group=int(f.get("min_group", 5)),
                        column_pos=tuple(self.doc.pos(("fairness", "columns", i)) for i in range(len(columns))),
                        pos=self.key_pos(("fairness",)))

    def floor(self) -> Decimal | None:
        if "floor" not in self.data:
            return Decimal(0)
        value = self.data["floor"]
        return None if value is None else to_decimal(value)

    def input(self, key: str, v: dict) -> Input:
        kind = v["type"]
        default = typed_value(kind, v["default"]) if "default" in v else None
        values = tuple(typed_value(kind, x) for x in v["values"]) if "values" in v else None
        return Input(
            id=key,
            type=kind,
            column=v.get("column"),
            label=v.get("label"),
            required=v.get("required", "default" not in v),
            default=default,
            min=to_decimal(v["min"]) if "min" in v else None,
            max=to_decimal(v["max"]) if "max" in v else None,
            values=values,
            pos=self.key_pos(("inputs", key)),
        )

    def derived(self, key: str, v: object) -> Derived:
        path = ("derived", key)
        dotted = item_path(DERIVED, key)
        if isinstance(v, dict):
            return Derived(id=key, expr=self.required(v["value"], path + ("value",), dotted),
                           label=v.get("label"), decimals=_int_or_none(v.get("decimals")), pos=self.key_pos(path))
        return Derived(id=key, expr=self.required(v, path, dotted), pos=self.key_pos(path))

    def aggregate(self, key: str, v: dict) -> Aggregate:
        path = ("aggregates", key)
        func = next(f for f in AGG_FUNCS if f in v)
        target = v[func]
        of = None if target is True else self.source(target, path + (func,), expr_path(AGGREGATES, key, OF))
        return Aggregate(
            id=key,
            func=func,
            of=of,
            by=_names(v.get("by")),
            where=self.source(v.get("where"), path + ("where",)),
            label=v.get("label"),
            pos=self.key_pos(path),
        )

    def kpi(self, key: str, v: dict) -> Kpi:
        path = ("kpis", key)
        return Kpi(
            id=key,
            value=self.required(v["value"], path + ("value",)),
            weight=to_decimal(v["weight"]),
            scoring=self.scoring(v["score"], path + ("score",)),
            label=v.get("label"),
            pos=self.key_pos(path),
        )

    def scoring(self, s: dict, path: NodePath) -> Scoring:
        curve = tuple(CurvePoint(to_decimal(p[0]), to_decimal(p[1]), self.doc.pos(path + ("curve", i)))
                      for i, p in enumerate(s.get("curve") or ()))
        step = tuple(StepThreshold(to_decimal(t["from"]), to_decimal(t["points"]), self.doc.pos(path + ("step", i)))
                     for i, t in enumerate(s.get("step") or ()))
        return Scoring(curve=curve, step=step, pos=self.key_pos(path))

    def score(self) -> ScoreSpec:
        s = self.data.get("score") or {}
        return ScoreSpec(decimals=int(s.get("decimals", 2)), rounding=s.get("rounding", "half_up"),
                         scale=to_decimal(s.get("scale", 100)), pos=self.key_pos(("score",)))

    def payout(self, key: str, v: dict) -> Payout:
        path = ("payouts", key)
        src = {name: self.source(v.get(name), path + (name,))
               for name in ("base", "amount", "gate", "cap", "floor", "prorate")}
        factors = v.get("band_factor")
        return Payout(
            id=key,
            label=v.get("label"),
            tiers=self.tiers(v["tiers"], path + ("tiers",)) if "tiers" in v else None,
            by_band={band: to_decimal(f) for band, f in factors.items()} if factors is not None else None,
            pos=self.key_pos(path),
            **src,
        )

    def tiers(self, t: dict, path: NodePath) -> Tiers:
        table = tuple(
            Tier(start=to_decimal(row["from"]),
                 rate=to_decimal(row["rate"]) if "rate" in row else None,
                 amount=to_decimal(row["amount"]) if "amount" in row else None,
                 pos=self.doc.pos(path + ("table", i)))
            for i, row in enumerate(t["table"]))
        return Tiers(mode=t["mode"], table=table, basis=self.source(t.get("basis"), path + ("basis",)),
                     pos=self.key_pos(path))

    def budget(self, key: str, v: dict) -> Budget:
        path = ("budgets", key)
        return Budget(id=key, amount=self.required(v["amount"], path + ("amount",)),
                      components=tuple(v.get("components") or ()), by=_names(v.get("by")),
                      pos=self.key_pos(path))

    def penalty(self, key: str, v: dict) -> Penalty:
        path = ("penalties", key)
        forfeit = v.get("forfeit")
        return Penalty(
            id=key,
            label=v.get("label"),
            when=self.source(v.get("when"), path + ("when",)),
            amount=self.source(v.get("amount"), path + ("amount",)),
            cap=self.source(v.get("cap"), path + ("cap",)),
            forfeit=("all",) if forfeit == "all" else tuple(forfeit or ()),
            band=v.get("band"),
            pos=self.key_pos(path),
        )

    def draw(self, key: str, v: dict) -> Draw:
        path = ("draws", key)
        return Draw(id=key, kind=v["kind"], amount=self.required(v["amount"], path + ("amount",)), of=v.get("of", "total"),
                    recovery_cap=self.source(v.get("recovery_cap"), path + ("recovery_cap",)),
                    recovery_delay=int(v.get("recovery_delay", 0)), on_leave=v.get("on_leave", "recover"),
                    label=v.get("label"), pos=self.key_pos(path))

    def hold(self, key: str, v: dict) -> Hold:
        path = ("holds", key)
        limit = v.get("write_off_after")
        return Hold(id=key, of=v["of"], billed=self.required(v["billed"], path + ("billed",)),
                    collected=self.required(v["collected"], path + ("collected",)),
                    collected_earlier=self.source(v.get("collected_earlier"), path + ("collected_earlier",)),
                    advance=self.source(v.get("advance"), path + ("advance",)),
                    write_off_after=int(limit) if limit is not None else None,
                    recover_early_release=bool(v.get("recover_early_release", False)),
                    on_leave=v.get("on_leave", "report"), label=v.get("label"), pos=self.key_pos(path))

    def clawback(self, key: str, v: dict) -> Clawback:
        refunds, payouts = v.get("refunds"), v.get("payouts")
        return Clawback(id=key, refunds=(refunds,) if isinstance(refunds, str) else tuple(refunds or ()),
                        payouts=(payouts,) if isinstance(payouts, str) else tuple(payouts or ()),
                        basis=v.get("basis", ""), mode=v.get("mode", "recover"), label=v.get("label"),
                        pos=self.key_pos(("clawbacks", key)))

    def ranking(self) -> Ranking | None:
        r = self.data.get("ranking")
        if r is None:
            return None
        path = ("ranking",)
        eligible, reason = r.get("eligible"), None
        if isinstance(eligible, dict):
            reason = eligible.get("reason")
            eligible = self.source(eligible["when"], path + ("eligible", "when"), "ranking.eligible")
        else:
            eligible = self.source(eligible, path + ("eligible",))
        # the label itself (with its zh text): the ranking stage picks the run's --lang
        extra = {"eligible_reason": reason if isinstance(reason, dict) else label_text(reason)} if reason is not None else {}
        return Ranking(
            by=self.required(r["by"], path + ("by",)),
            bands=tuple(self.band(k, b) for k, b in r["bands"].items()),
            within=_names(r.get("within")),
            eligible=eligible,
            descending=r.get("order", "desc") == "desc",
            tie_break=tuple(self.tie_break(i, t) for i, t in enumerate(r.get("tie_break") or ())),
            rounding=r.get("rounding", "largest_remainder"),
            ties=r.get("ties", "keep_together"),
            min_group=int(r.get("min_group", 1)),
            small_groups=r.get("small_groups", "pool"),
            forced_count=r.get("forced_count", False),
            pos=self.key_pos(path),
            **extra,
        )

    def band(self, key: str, b: dict) -> Band:
        path = ("ranking", "bands", key)
        return Band(id=key, share=to_decimal(b["share"]), label=b.get("label"),
                    guard=self.source(b.get("guard"), path + ("guard",)), pos=self.key_pos(path))

    def tie_break(self, index: int, t: object) -> TieBreak:
        path = ("ranking", "tie_break", index)
        dotted = f"ranking.tie_break.{index}"
        if isinstance(t, dict):
            return TieBreak(self.required(t["by"], path + ("by",), dotted),
                            descending=t.get("order", "desc") == "desc", pos=self.doc.pos(path))
        assert isinstance(t, str)  # the schema allows a mapping or a text here
        match = _DIRECTION.match(t)
        text, descending = (match["expr"], match["dir"] == "desc") if match else (t, True)
        return TieBreak(_stripped(text, self.doc.text_pos(path), dotted), descending=descending, pos=self.doc.pos(path))

    def recommendation(self, key: str, v: dict) -> Recommendation:
        path = ("recommendations", key)
        return Recommendation(
            id=key,
            when=self.required(v["when"], path + ("when",)),
            action=v["action"],
            reason=v.get("reason"),
            next_steps=tuple(v.get("next_steps") or ()),
            label=v.get("label"),
            action_label=v.get("action_label"),
            kind_given=v.get("kind"),
            pos=self.key_pos(path),
        )

    def protection(self, key: str, v: dict) -> Protection:
        path = ("protected", key)
        return Protection(
            id=key,
            when=self.required(v["when"], path + ("when",)),
            article=v.get("article") or "",
            reason=v.get("reason"),
            label=v.get("label"),
            pos=self.key_pos(path),
        )


def _int_or_none(value: int | Decimal | None) -> int | None:
    return None if value is None else int(value)


def _names(value: str | list | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _stripped(text: str, pos: Pos, dotted: str) -> Source:
    """Drop surrounding blanks; move the position past leading ones (same line)."""
    lead = len(text) - len(text.lstrip(" \t"))
    return Source(text.strip(), Pos(pos.line, pos.col + lead) if pos.line else pos, dotted)
