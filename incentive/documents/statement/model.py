"""One statement per person: plain data in the reader's language, built from a close's own files.

Every derivation comes from ``report.explain.explain_row`` (nothing is
re-derived here); this module only chooses what a statement shows and says
it in words. A Chinese statement must read as Chinese: the policy's ids
inside explain's lines (``collection_rate >= 0.6``, ``被 compliance 没收``)
are replaced by the policy's labels (``relabeler``), and a condition whose
expression still holds words without a label is shown by its outcome alone.
Values are text already formatted; the renderers (HTML, Typst) only print.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable, Iterable, Mapping, Sequence

from incentive.engine.exit_guard import action_column
from incentive.engine.results import ColumnInfo, VersionPart
from incentive.numeric import plain_text
from incentive.policy import names
from incentive.policy.approval import approval_record
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Kpi, Policy, label_text
from incentive.report.approval_block import approval_text
from incentive.report.explain import Step, explain_row, fmt, shown
from incentive.report.explain_versions import add_split
from incentive.report.labels import ACTIONS, action_label
from incentive.report.reason_text import band_reason
from incentive.documents.statement.words import word

#: KPI values and points are shown to this many decimals (the derivation lines keep every digit)
SHOWN_DECIMALS = 4
_ASCII_WORD = re.compile(r"[A-Za-z_]{2,}")


@dataclass(frozen=True)
class HistoryRow:
    """One closed period of the person, as the ledger holds it."""

    period: str
    band: str | None
    score: object
    total: object


@dataclass(frozen=True)
class Inputs:
    """What every statement of one close shares (loaded once for all people)."""

    checked: CheckedPolicy
    columns: dict[str, ColumnInfo]
    period: str
    manifest: Mapping[str, Any]
    close_dir: str  # as the reader gives it to ``incentive verify``
    cutoffs: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # group -> band id -> lowest score
    entry_hash: str | None = None
    #: employee id -> periods; None when there is no ledger (``history_note`` says why)
    history: Mapping[str, Sequence[HistoryRow]] | None = None
    history_note: str = ""
    #: the appeal section's data for one person (``app.statements.inquiry_info``)
    inquiry: Callable[[str, str], dict[str, Any]] | None = None
    in_close: bool = False  # written by ``close --statements``: the entry hash, which covers them, is not known
    split: tuple[VersionPart, ...] = ()  # a period split between plan versions: each version's amounts


def relabeler(policy: Policy, lang: str) -> Callable[[str], str]:
    """``text`` with the policy's ids replaced by their labels in ``lang`` (whole words only)."""
    table: dict[str, str] = {}

    def put(key: str, label: object, fallback: str = "") -> None:
        text = label_text(label, lang, fallback)  # type: ignore[arg-type]
        if text and text != key and key not in table:
            table[key] = text

    for k in policy.kpis:
        put(k.id, k.label)
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k.value.text.strip()):
            put(k.value.text.strip(), k.label)  # a KPI that is one derived value names it
    for inp in policy.inputs:  # a Chinese reader gets the column header when there is no label
        put(inp.id, inp.label, inp.header if lang == "zh" else "")
    for group in (policy.derived, policy.aggregates, policy.payouts, policy.penalties):
        for item in group:
            put(item.id, item.label)
    for action, text in ACTIONS.get(lang, ACTIONS["en"]).items():
        put(action, text)
    if lang == "zh":
        table.update({"and": "且", "or": "或", "not": "非", "all": "全部奖金项", "true": "是", "false": "否"})
    if not table:
        return lambda text: text
    pattern = re.compile(r"(?<![A-Za-z0-9_.])(" + "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
                         + r")(?![A-Za-z0-9_])")
    return lambda text: pattern.sub(lambda m: table[m[1]], text)


def _num(value: object, decimals: int = SHOWN_DECIMALS) -> str:
    """A KPI value or points for reading: at most ``decimals`` places, trailing zeros dropped."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -decimals:
            value = value.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
        return plain_text(value)
    return fmt(value)


def _target(k: Kpi) -> Decimal | None:
    """The KPI value that earns 100 points (the curve's point, or the first step that reaches it)."""
    for p in k.scoring.curve:
        if p.points == 100:
            return p.value
    for s in k.scoring.step:
        if s.points >= 100:
            return s.start
    return None


_DOC_WORDS = ("statement", "period", "employee", "id", "group", "kpis", "kpi", "value", "target", "points", "weight",
              "score", "band", "payouts", "penalties", "adjustments", "versions", "amount", "total", "recommendations", "reason",
              "next steps",
              "history", "history period", "inquiry", "verify", "policy sha", "data sha", "entry hash",
              "verify with", "approval", "colon", "inquiries asked")


class Builder:
    """Statements of one close in one language: ``build(row)`` per person."""

    def __init__(self, inputs: Inputs, lang: str):
        self.inputs, self.lang = inputs, lang
        self.policy = inputs.checked.policy
        self.relabel = relabeler(self.policy, lang)
        self.money_dec = self.policy.money.decimals
        self.approval = (approval_text(approval_record(self.policy.approval), lang)
                         if self.policy.approval is not None else "")
        self.name_col = "name" if self.policy.input("name") is not None else None
        self.band_labels = {b.id: label_text(b.label, lang, b.id) for b in self.policy.ranking.bands} \
            if self.policy.ranking is not None else {}
        self.explained = _explained_part(inputs.checked)
        self.words = {k: self.w(k) for k in _DOC_WORDS}
        self.kpi_static = {k.id: {"label": label_text(k.label, lang, k.id), "weight": fmt(k.weight),
                                  "target": _num(t) if (t := _target(k)) is not None else "—"}
                           for k in self.policy.kpis}

    def w(self, key: str, **kw: object) -> str:
        return word(self.lang, key, **kw)

    @staticmethod
    def unused_columns(policy: Policy, columns: Sequence[str]) -> list[str]:
        """Audit columns no statement reads (inputs other than id and name, derived values, aggregates):
        dropped before the rows are made, which also spares explain's scan of every column per person."""
        keep = {policy.id_input.id, "name"}
        drop = {i.id for i in policy.inputs if i.id not in keep}
        drop |= {d.id for d in policy.derived} | {a.id for a in policy.aggregates}
        return [c for c in columns if c in drop]

    def money(self, value: object) -> str:
        return shown(value, self.lang, self.money_dec) if isinstance(value, Decimal) else shown(value, self.lang)

    def text(self, line: str) -> str:
        return self.relabel(line)

    def band_text(self, band: object) -> str:
        if band is None:
            return self.w("not ranked")
        label = self.band_labels.get(str(band), str(band))
        return f"{label}（{band}）" if self.lang == "zh" else f"{band} ({label})" if label != band else str(band)

    def build(self, row: dict[str, object]) -> dict[str, Any]:
        inputs, policy, lang = self.inputs, self.policy, self.lang
        steps = explain_row(row, self.explained, inputs.columns, inputs.period, lang)
        add_split(steps, inputs.split, row, policy, lang)  # a split period: each version's amount and days
        by_kind: dict[str, list[Step]] = {}
        for s in steps.steps:
            by_kind.setdefault(s.kind, []).append(s)
        employee = str(row.get(policy.id_input.id))
        group = row.get("rank_group")
        doc: dict[str, Any] = {
            "lang": lang,
            "words": self.words,
            "title": label_text(policy.title, lang, policy.id),
            "policy": f"{policy.id} {policy.version}",
            "period": inputs.period,
            "currency": policy.currency,
            "employee_id": employee,
            "name": "" if self.name_col is None or row.get(self.name_col) is None else str(row.get(self.name_col)),
            "approval": self.approval,
            "kpis": [self._kpi(k, row) for k in policy.kpis],
            "score": _num(row.get("score")),
            "score_lines": self._score_lines(row),
            "band": self._band(row, group, by_kind.get("ranking", [])),
            "payouts": [self._item(s, row) for s in by_kind.get("payout", [])],
            "penalties": [self._item(s, row) for s in by_kind.get("penalty", [])],
            "adjustments": [self._item(s, row) for s in by_kind.get("adjustment", [])],
            "versions": [self.text(d) for s in by_kind.get("versions", []) for d in s.details],
            "total": self.money(row.get("total")),
            "total_label": self.w("total line", currency=policy.currency),
            "total_lines": [self.text(d) for s in by_kind.get("total", []) for d in s.details],
            "recommendations": [self._recommendation(s, row) for s in by_kind.get("recommendation", [])],
            "no_recommendations": self.w("no recommendations"),
            "history": self._history(employee),
            "inquiry": inputs.inquiry(employee, lang) if inputs.inquiry is not None else {},
            "footer": self._footer(),
        }
        return doc

    def _score_lines(self, row: dict[str, object]) -> list[str]:
        """``(40×110.04 + 25×51.78 ...) / 100 = 80.0296``: the recorded points by their weights."""
        policy = self.policy
        if not policy.kpis:
            return []
        terms = " + ".join(f"{fmt(k.weight)}×{_num(row.get(k.id), 2)}" for k in policy.kpis)
        return [f"({terms}) / {fmt(policy.score.scale)} → {_num(row.get('score'))}"]

    def _kpi(self, k: Kpi, row: dict[str, object]) -> dict[str, str]:
        return {**self.kpi_static[k.id], "value": _num(row.get(names.kpi_value(k.id))),
                "points": _num(row.get(k.id), 2)}

    def _band(self, row: dict[str, object], group: object, ranking: list[Step]) -> dict[str, Any]:
        band = row.get("band")
        group_text = "" if group is None else self.text(str(group))
        cut = self.inputs.cutoffs.get(str(group), {}) if group is not None else {}
        cutoffs = [{"band": self.band_text(b), "score": self.w("cutoff", score=cut[b]) if cut.get(b)
                    else self.w("no cutoff")} for b in self.band_labels] if cut else []
        rank = row.get("rank")
        return {
            "band": self.band_text(band),
            "group": group_text,
            "rank": (self.w("rank", rank=fmt(rank), size=fmt(row.get("group_size")), group=group_text)
                     if rank is not None else self.w("not ranked")),
            "reason": self._band_reason(row.get("band_reason")),
            "cutoffs_title": self.w("cutoffs", group=group_text) if cutoffs else "",
            "cutoffs": cutoffs,
        }

    def _band_reason(self, reason: object) -> str:
        """The engine's band reason in the reader's language; the policy's own not-eligible reason in its
        label for that language (the audit keeps the English one)."""
        if not reason:
            return ""
        text = str(reason)
        ranking = self.policy.ranking
        if ranking is not None and text == f"not eligible: {label_text(ranking.eligible_reason, 'en')}":
            text = f"not eligible: {label_text(ranking.eligible_reason, self.lang)}"
        return self.text(band_reason(text, self.lang))

    def _condition(self, kind: str, rule: str, value: object) -> str:
        """``condition collection rate >= 0.6: met``; the outcome alone when the rule has unlabelled words.
        ``kind`` is ``gate`` (a payout's) or ``when`` (a penalty's)."""
        met = self.w("met" if kind == "gate" else "yes") if value else self.w("not met" if kind == "gate" else "no")
        text = self.text(rule)
        if self.lang == "zh" and _ASCII_WORD.search(text):
            return self.w(f"{kind} plain", met=met)
        return self.w(f"{kind} line", rule=text, met=met)

    def _item(self, s: Step, row: dict[str, object]) -> dict[str, Any]:
        policy = self.policy
        rules = {}
        for p in policy.payouts:
            if p.id == s.name and p.gate is not None:
                rules[("gate ", "门槛 ")] = ("gate", p.gate.text, names.step(p.id, names.GATE))
        for pen in policy.penalties:
            if pen.id == s.name and pen.when is not None:
                rules[("when ", "条件 ")] = ("when", pen.when.text, names.step(pen.id, names.WHEN))
        lines = []
        for d in s.details:
            for prefixes, (kind, rule, column) in rules.items():
                if d.startswith(prefixes):
                    d = self._condition(kind, rule, row.get(column))
                    break
            else:
                d = self.text(d)
            lines.append(d)
        amount = s.value
        return {"label": s.label, "amount": self.money(amount), "lines": lines}

    def _recommendation(self, s: Step, row: dict[str, object]) -> dict[str, Any]:
        rule = next(r for r in self.policy.recommendations if r.id == s.name)
        raised = row.get(action_column(rule.id))
        if isinstance(raised, str) and raised != rule.action:
            action = ACTIONS.get(self.lang, ACTIONS["en"]).get(raised) or raised
        else:
            action = action_label(rule, self.lang)
        reason = s.details[:len(s.details) - (1 if rule.next_steps else 0)]
        steps = [ACTIONS.get(self.lang, ACTIONS["en"]).get(n, n) for n in rule.next_steps]
        return {"action": action, "reason": [self.text(r) for r in reason if r],
                "next_steps": steps}

    def _history(self, employee: str) -> dict[str, Any]:
        inputs = self.inputs
        if inputs.history is None:
            return {"rows": [], "note": self.w("no ledger", path=inputs.history_note)}
        rows = [[h.period, self.band_text(h.band) if h.band is not None else self.w("not ranked"), _num(h.score),
                 self.money(h.total)] for h in inputs.history.get(employee, ())]
        return {"rows": rows, "note": "" if rows else self.w("no history"),
                "head": [self.w("history period"), self.w("band"), self.w("score"), self.w("total")]}

    def _footer(self) -> dict[str, str]:
        m = self.inputs.manifest
        return {"policy_sha": str((m.get("policy") or {}).get("sha256") or ""),
                "data_sha": str((m.get("data") or {}).get("sha256") or ""),
                "entry_hash": self.inputs.entry_hash or self.w("entry in close" if self.inputs.in_close else "no entry"),
                "verify": f"incentive verify {self.inputs.close_dir}"}


def _explained_part(checked: CheckedPolicy) -> CheckedPolicy:
    """``checked`` narrowed to what a statement shows of ``explain_row``: payouts, penalties, the total and
    the recommendations. Its input, derived and KPI steps -- most of explain's time per person -- are left
    out (the statement shows KPIs from the audit columns), so 10,000 statements render in seconds."""
    policy = checked.policy
    narrow = dataclasses.replace(policy, inputs=(policy.id_input,), derived=(), aggregates=(), kpis=(),
                                 approval=None)
    return dataclasses.replace(checked, policy=narrow, order=())


def build_all(inputs: Inputs, rows: Iterable[dict[str, object]], lang: str) -> Iterable[dict[str, Any]]:
    """The statement of each row, in the rows' order."""
    builder = Builder(inputs, lang)
    for row in rows:
        yield builder.build(row)
