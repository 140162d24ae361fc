"""One plan document as plain data: sections of paragraphs, tables, charts and lists, already worded.

``build`` reads only the checked policy, the policy file's hash and the
engine-run example (``example.run_example``); the renderers (``md``,
``html``, ``pdf``) only lay it out. Every text is plain: a paragraph is a
sequence of runs, each either prose or policy source (an expression, an
id) that a renderer may set as code -- never markup, whatever it holds.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Union

from incentive import __version__
from incentive.engine.band_sizes import band_sizes
from incentive.numeric import plain_text
from incentive.policy.actions import improvement_actions, is_exit
from incentive.policy.approval import exit_rules
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Input, Kpi, Label, Payout, Policy, Scoring, label_text
from incentive.report.approval_block import approval_warning
from incentive.report.explain import explain_row, shown
from incentive.report.labels import ACTIONS, action_label
from incentive.sample.generate import default_period
from incentive.documents.plan.example import Example
from incentive.documents.plan.words import w

#: group sizes the seats table shows (a small team, a typical one, a region)
SEAT_SIZES = (5, 10, 20, 50)


@dataclass(frozen=True)
class Run:
    text: str
    code: bool = False  # policy source (an expression or id), not prose


@dataclass(frozen=True)
class Para:
    runs: tuple[Run, ...]
    note: bool = False

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # a cell's lines are separated by "\n"
    code: tuple[int, ...] = ()  # columns that hold policy source
    numeric: tuple[int, ...] = ()  # columns aligned right
    caption: str = ""
    weights: tuple[int, ...] = ()  # relative column widths for paged layouts (0: as wide as its content)


@dataclass(frozen=True)
class Chart:
    """A scoring rule drawn as points by value (the renderers draw it; ``md`` has the table)."""

    key: str  # unique in the document: ids of the SVG are prefixed by it
    title: str
    x_label: str
    y_label: str
    points: tuple[tuple[Decimal, Decimal], ...]
    step: bool = False


@dataclass(frozen=True)
class Heading:
    text: str


Block = Union[Para, Table, Chart, Heading]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class PlanDocument:
    lang: str
    title: str
    policy_id: str
    version: str
    sha256: str
    engine: str
    facts: tuple[tuple[str, str], ...]  # the header table: policy id, version, period, dates, currency
    sections: tuple[Section, ...] = field(default=())

    @property
    def footer(self) -> str:
        return w(self.lang, "footer", policy=self.policy_id, version=self.version, sha=self.sha256,
                 engine=self.engine)

    @property
    def generated(self) -> str:
        return w(self.lang, "generated", version=self.engine, sha=self.sha256)


def para(lang: str, key: str, note: bool = False, **kw: object) -> Para:
    """The words of ``key`` with ``kw`` filled in; a ``Code`` value becomes a code run."""
    runs: list[Run] = []
    for literal, name, spec, _ in string.Formatter().parse(w(lang, key)):
        if literal:
            runs.append(Run(literal))
        if name is not None:
            value = kw[name]
            runs.append(Run(value.text, True) if isinstance(value, Code) else Run(format(value, spec or "")))
    return Para(tuple(runs), note)


@dataclass(frozen=True)
class Code:
    text: str


def num(value: Decimal | int | None) -> str:
    return "" if value is None else plain_text(Decimal(value))


def quantum(decimals: int) -> str:
    """The step a rounding to ``decimals`` places keeps: 2 → 0.01, 0 → 1."""
    return plain_text(Decimal(1).scaleb(-decimals)) if decimals > 0 else "1"


def pct(value: Decimal | None) -> str:
    return "" if value is None else f"{plain_text(value * 100)}%"


def build(checked: CheckedPolicy, sha256: str, example: Example | None, lang: str) -> PlanDocument:
    """The plan document of ``checked`` in ``lang`` (``en`` | ``zh``)."""
    p = checked.policy
    sections = [
        _who(p, lang), _derived(p, lang), _kpis(p, lang), _payouts(p, lang), _penalties(p, lang), _draws(p, lang),
        _ranking(p, lang), _recommendations(checked, lang), _protected(p, lang), _fairness(p, lang),
    ]
    if example is not None:
        sections.append(_example(checked, example, lang))
    sections.append(_signoff(p, lang))
    sections.append(_approval(p, lang, example))
    return PlanDocument(lang, label_text(p.title, lang, p.id), p.id, p.version, sha256, __version__,
                        _facts(p, lang), tuple(s for s in sections if s is not None))


def _named(name: str, id_: str, lang: str) -> str:
    """``销售额达成率（sales）`` / ``Revenue attainment (sales)``: a heading names the id it is about."""
    if name == id_:
        return id_
    return f"{name}（{id_}）" if lang == "zh" else f"{name} ({id_})"


def _text(label: Label | None, lang: str, fallback: str) -> str:
    return label_text(label, lang, fallback)


def _facts(p: Policy, lang: str) -> tuple[tuple[str, str], ...]:
    eff = p.effective
    if eff is None or (eff.start is None and eff.end is None):
        dates = w(lang, "not stated")
    elif eff.start and eff.end:
        dates = w(lang, "from until", start=eff.start.isoformat(), end=eff.end.isoformat())
    elif eff.start:
        dates = w(lang, "from", start=eff.start.isoformat())
    else:
        assert eff.end is not None
        dates = w(lang, "until", end=eff.end.isoformat())
    return (
        (w(lang, "policy id"), p.id), (w(lang, "version"), p.version),
        (w(lang, "period"), w(lang, f"unit.{p.period}")), (w(lang, "effective"), dates),
        (w(lang, "currency"), p.currency),
        (w(lang, "money rounding"), w(lang, "money text", rounding=w(lang, f"round.{p.money.rounding}"),
                                      quantum=quantum(p.money.decimals))),
    )


def _input_rule(inp: Input, lang: str) -> str:
    parts = [w(lang, "required") if inp.required and inp.default is None else w(lang, "optional")]
    if inp.default is not None:
        parts.append(w(lang, "default", value=shown(inp.default, lang)))
    if inp.min is not None:
        parts.append(w(lang, "min", value=num(inp.min)))
    if inp.max is not None:
        parts.append(w(lang, "max", value=num(inp.max)))
    if inp.values:
        parts.append(w(lang, "values", values=" / ".join(shown(v, lang) for v in inp.values)))
    return ("；" if lang == "zh" else "; ").join(parts)


def _column_name(p: Policy, name: str, lang: str) -> str:
    """What a person calls the column ``name``: its label, else its header in the data file."""
    inp = p.input(name)
    return _text(inp.label, lang, inp.header) if inp is not None else name


def _who(p: Policy, lang: str) -> Section:
    rows = tuple((_column_name(p, inp.id, lang) if _column_name(p, inp.id, lang) == inp.header
                  else f"{inp.header} ({_column_name(p, inp.id, lang)})", inp.id, w(lang, f"type.{inp.type}"),
                  _input_rule(inp, lang)) for inp in p.inputs)
    blocks: list[Block] = [para(lang, "who text"),
                           Table((w(lang, "col"), w(lang, "id"), w(lang, "type"), w(lang, "rule")), rows, code=(1,))]
    r = p.ranking
    if r is not None and r.eligible is not None:
        blocks.append(para(lang, "ranked who", rule=Code(r.eligible.text)))
        blocks.append(para(lang, "ranked reason", reason=_text(r.eligible_reason, lang, "")))
    elif r is not None:
        blocks.append(para(lang, "everyone ranked"))
    return Section("who", w(lang, "who"), tuple(blocks))


def _derived(p: Policy, lang: str) -> Section | None:
    if not p.derived and not p.aggregates:
        return None
    blocks: list[Block] = [para(lang, "derived text")]
    rows: list[tuple[str, ...]] = []
    for a in p.aggregates:
        by = " + ".join(_column_name(p, b, lang) for b in a.by)
        of = a.of.text if a.of is not None else w(lang, "everyone")
        func = w(lang, f"agg.{a.func}")
        text = w(lang, "agg", func=func, of=of, by=by) if a.by else w(lang, "agg all", func=func, of=of)
        if a.where is not None:
            text += w(lang, "agg where", where=a.where.text)
        rows.append((a.id, _text(a.label, lang, ""), text))
    if rows:
        blocks.append(Table((w(lang, "id"), w(lang, "name"), w(lang, "aggregate")), tuple(rows), code=(0,)))
    if p.derived:
        blocks.append(Table((w(lang, "id"), w(lang, "name"), w(lang, "formula")),
                            tuple((d.id, _text(d.label, lang, ""), d.expr.text) for d in p.derived), code=(0, 2)))
    return Section("derived", w(lang, "derived"), tuple(blocks))


def _points(s: Scoring) -> tuple[tuple[Decimal, Decimal], ...]:
    if s.curve:
        return tuple((c.value, c.points) for c in s.curve)
    return tuple((t.start, t.points) for t in s.step)


def _kpis(p: Policy, lang: str) -> Section | None:
    if not p.kpis:
        return None
    rows = tuple((_text(k.label, lang, k.id), k.id, k.value.text, num(k.weight), w(lang, k.scoring.kind))
                 for k in p.kpis)
    blocks: list[Block] = [
        para(lang, "kpi text", scale=num(p.score.scale), rounding=w(lang, f"round.{p.score.rounding}"),
             quantum=quantum(p.score.decimals)),
        Table((w(lang, "kpi"), w(lang, "id"), w(lang, "measure"), w(lang, "weight"), w(lang, "scoring")), rows,
              code=(1, 2), numeric=(3,)),
    ]
    for k in p.kpis:
        blocks.extend(_kpi_blocks(k, lang))
    return Section("kpis", w(lang, "kpis"), tuple(blocks))


def _kpi_blocks(k: Kpi, lang: str) -> list[Block]:
    name = _text(k.label, lang, k.id)
    pts = _points(k.scoring)
    step = k.scoring.kind == "step"
    blocks: list[Block] = [Heading(_named(name, k.id, lang)),
                           para(lang, "step text" if step else "curve text")]
    if len(pts) > 1 and pts[-1][1] < pts[0][1]:
        blocks.append(para(lang, "curve down"))
    head = w(lang, "at least") if step else w(lang, "value")
    blocks.append(Table((head, w(lang, "points")), tuple((num(x), num(y)) for x, y in pts), numeric=(0, 1)))
    blocks.append(Chart(f"kpi-{k.id}", w(lang, "chart", label=name), name, w(lang, "points"), pts, step))
    return blocks


def _payouts(p: Policy, lang: str) -> Section | None:
    if not p.payouts and not p.budgets:
        return None
    blocks: list[Block] = [para(lang, "payout order")] if p.payouts else []
    for pay in p.payouts:
        blocks.extend(_payout_blocks(p, pay, lang))
    for b in p.budgets:
        comps = ", ".join(_text(next((x.label for x in p.payouts if x.id == c), None), lang, c)
                          for c in b.components) or w(lang, "all components")
        by = w(lang, "budget by", by=" + ".join(_column_name(p, g, lang) for g in b.by)) if b.by else ""
        blocks.append(para(lang, "budget", id=Code(b.id), components=comps, amount=Code(b.amount.text), by=by))
    return Section("payouts", w(lang, "payouts"), tuple(blocks))


def _payout_blocks(p: Policy, pay: Payout, lang: str) -> list[Block]:
    name = _text(pay.label, lang, pay.id)
    blocks: list[Block] = [Heading(_named(name, pay.id, lang))]
    if pay.amount is not None:
        blocks.append(para(lang, "amount formula", formula=Code(pay.amount.text)))
    if pay.base is not None:
        blocks.append(para(lang, "base text", base=Code(pay.base.text)))
    if pay.tiers is not None:
        basis = pay.tiers.basis.text if pay.tiers.basis is not None else (pay.base.text if pay.base else "")
        table = pay.tiers.table
        fixed = any(t.amount is not None for t in table)
        mode = "step amount" if fixed and pay.tiers.mode == "step" else pay.tiers.mode
        blocks.append(para(lang, f"mode.{mode}", basis=Code(basis)))
        if mode == "marginal" and pay.base is not None and basis != pay.base.text:
            blocks.append(para(lang, "marginal share", basis=Code(basis), base=Code(pay.base.text)))
        if table and table[0].start > 0:
            blocks.append(para(lang, "below first", start=num(table[0].start)))
        rows = []
        for i, t in enumerate(table):
            upper = num(table[i + 1].start) if i + 1 < len(table) else "∞"
            value = (shown(t.amount, lang, p.money.decimals) if t.amount is not None else pct(t.rate))
            rows.append((num(t.start), upper, value))
        head = w(lang, "amount") if fixed else w(lang, "rate")
        blocks.append(Table((w(lang, "tier from"), w(lang, "tier to"), head), tuple(rows), numeric=(0, 1, 2)))
    # in the engine's order: gross → × band factor → × prorate → floor → cap → gate
    if pay.by_band:
        sep = "，" if lang == "zh" else ", "
        factors = sep.join(f"{w(lang, 'not ranked') if b == 'unranked' else b} × {num(f)}"
                           for b, f in pay.by_band.items())
        blocks.append(para(lang, "band factor", factors=factors))
    if pay.prorate is not None:
        blocks.append(para(lang, "prorate", expr=Code(pay.prorate.text)))
    if pay.floor is not None:
        blocks.append(para(lang, "floor", expr=Code(pay.floor.text)))
    if pay.cap is not None:
        blocks.append(para(lang, "cap", expr=Code(pay.cap.text)))
    if pay.gate is not None:
        blocks.append(para(lang, "gate", expr=Code(pay.gate.text)))
    return blocks


def _penalties(p: Policy, lang: str) -> Section:
    blocks: list[Block] = []
    if p.penalties:
        rows = []
        for pen in p.penalties:
            veto = []
            if pen.forfeit:
                what = (w(lang, "forfeit all") if pen.forfeit == ("all",) else
                        ", ".join(_text(next((x.label for x in p.payouts if x.id == f), None), lang, f)
                                  for f in pen.forfeit))
                veto.append(w(lang, "forfeits", what=what))
            if pen.band:
                veto.append(w(lang, "forces band", band=pen.band))
            rows.append((_text(pen.label, lang, pen.id), pen.id, pen.when.text if pen.when else w(lang, "always"),
                         pen.amount.text if pen.amount else "", pen.cap.text if pen.cap else "", "\n".join(veto)))
        blocks.append(Table((w(lang, "penalty"), w(lang, "id"), w(lang, "when"), w(lang, "deduction"), w(lang, "cap col"),
                             w(lang, "veto")), tuple(rows), code=(1, 2, 3, 4)))
        if any(pen.forfeit or pen.band for pen in p.penalties):
            blocks.append(para(lang, "veto text"))
    else:
        blocks.append(para(lang, "no penalties"))
    floor = shown(p.floor, lang, p.money.decimals) if p.floor is not None else None
    blocks.append(para(lang, "floor total", floor=floor) if floor is not None else para(lang, "no floor"))
    return Section("penalties", w(lang, "penalties"), tuple(blocks))


def _payout_name(p: Policy, pid: str, lang: str) -> str:
    return _text(next((x.label for x in p.payouts if x.id == pid), None), lang, pid)


def _draws(p: Policy, lang: str) -> Section | None:
    """Guaranteed amounts (保底) and the balances they carry (docs/balances.md)."""
    if not p.draws:
        return None
    rows = []
    blocks: list[Block] = []
    for d in p.draws:
        of = w(lang, "the total") if d.of == "total" else _payout_name(p, d.of, lang)
        rows.append((_text(d.label, lang, d.id), d.id, of, w(lang, f"kind.{d.kind}"), d.amount.text,
                     d.recovery_cap.text if d.recovery_cap is not None else w(lang, "no limit"), str(d.recovery_delay),
                     w(lang, f"leave.{d.on_leave}")))
    blocks.append(Table((w(lang, "draw"), w(lang, "id"), w(lang, "draw of"), w(lang, "kind"), w(lang, "amount"),
                         w(lang, "recovery cap"), w(lang, "recovery delay"), w(lang, "on leave")), tuple(rows),
                        code=(1, 4) + ((5,) if all(d.recovery_cap is not None for d in p.draws) else ()),
                        numeric=(6,)))
    for d in p.draws:
        of = w(lang, "the total") if d.of == "total" else _payout_name(p, d.of, lang)
        blocks.append(para(lang, f"draw.{d.kind}", of=of))
    if any(d.recoverable for d in p.draws):
        blocks.append(para(lang, "draw order", note=True))
    return Section("draws", w(lang, "draws"), tuple(blocks))


def _signoff(p: Policy, lang: str) -> Section | None:
    if p.sign_off is None and p.inquiries is None:
        return None
    blocks: list[Block] = []
    if p.sign_off is not None and p.sign_off.roles:
        sep = "、" if lang == "zh" else ", "
        blocks.append(para(lang, "signoff text", roles=sep.join(w(lang, f"role.{r}") for r in p.sign_off.roles)))
    if p.inquiries is not None:
        blocks.append(para(lang, "inquiry text", days=p.inquiries.appeal_window_days))
    return Section("signoff", w(lang, "signoff"), tuple(blocks))


def _ranking(p: Policy, lang: str) -> Section:
    r = p.ranking
    if r is None:
        return Section("ranking", w(lang, "ranking"), (para(lang, "no ranking"),))
    within = w(lang, "within", groups=" + ".join(_column_name(p, g, lang) for g in r.within)) if r.within else ""
    blocks: list[Block] = [para(lang, "rank by", by=Code(r.by.text), direction=w(lang, "higher" if r.descending
                                                                                  else "lower"), within=within)]
    if r.tie_break:
        sep = "，" if lang == "zh" else ", "
        rules = sep.join(w(lang, "desc" if t.descending else "asc", expr=t.expr.text) for t in r.tie_break)
        blocks.append(para(lang, "tie break", rules=rules))
    blocks.append(Table((w(lang, "band"), w(lang, "label"), w(lang, "share"), w(lang, "guard")),
                        tuple((b.id, _text(b.label, lang, b.id), pct(b.share), b.guard.text if b.guard else "")
                              for b in r.bands), code=(3,), numeric=(2,)))
    blocks.append(para(lang, f"rounding.{r.rounding}"))
    sizes = [band_sizes(n, [b.share for b in r.bands], r.rounding) for n in SEAT_SIZES]
    blocks.append(Table((w(lang, "group size"), *(b.id for b in r.bands)),
                        tuple((str(n), *(str(s) for s in seats)) for n, seats in zip(SEAT_SIZES, sizes)),
                        numeric=tuple(range(len(r.bands) + 1)), caption=w(lang, "seats")))
    blocks.append(para(lang, f"ties.{r.ties}"))
    if any(b.guard for b in r.bands):
        blocks.append(para(lang, "guard text"))
    if r.min_group > 1:
        blocks.append(para(lang, "min group", n=r.min_group, what=w(lang, f"small.{r.small_groups}")))
    if any(pen.band for pen in p.penalties):
        blocks.append(para(lang, "forced count" if r.forced_count else "forced apart"))
    return Section("ranking", w(lang, "ranking"), tuple(blocks))


def _recommendations(checked: CheckedPolicy, lang: str) -> Section:
    p = checked.policy
    if not p.recommendations:
        return Section("recommendations", w(lang, "recs"), (para(lang, "no recs"),))
    sep = "；" if lang == "zh" else "; "
    rows = tuple((str(i), _text(r.label, lang, r.id), r.when.text, action_label(r, lang), _text(r.reason, lang, ""),
                  sep.join(r.next_steps)) for i, r in enumerate(p.recommendations, 1))
    blocks: list[Block] = [
        para(lang, "recs text"),
        Table((w(lang, "order"), w(lang, "rule"), w(lang, "when"), w(lang, "action"), w(lang, "reason"),
               w(lang, "next steps")), rows, code=(2,), numeric=(0,)),
    ]
    exits = exit_rules(p)
    if exits:
        comma = "、" if lang == "zh" else ", "
        actions = comma.join(dict.fromkeys(action_label(r, lang) for r in exits if is_exit(r)))
        steps = comma.join(_action_word(a, lang) for a in improvement_actions(p))
        blocks.append(para(lang, "exit guard", actions=actions, steps=steps))
    if checked.history_depth_needed:
        blocks.append(para(lang, "history", note=True))
    return Section("recommendations", w(lang, "recs"), tuple(blocks))


def _action_word(action: str, lang: str) -> str:
    return ACTIONS[lang].get(action) or action


def _protected(p: Policy, lang: str) -> Section | None:
    if not p.protected:
        return None
    rows = tuple((g.id, _text(g.label, lang, _text(g.reason, lang, "")), g.when.text, g.article) for g in p.protected)
    return Section("protected", w(lang, "protected"), (
        para(lang, "protected text"),
        Table((w(lang, "id"), w(lang, "status"), w(lang, "condition"), w(lang, "article")), rows, code=(0, 2))))


def _fairness(p: Policy, lang: str) -> Section | None:
    if p.fairness is None:
        return None
    cols = ", ".join(_text(i.label, lang, i.header) if (i := p.input(c)) else c for c in p.fairness.columns)
    return Section("fairness", w(lang, "fairness"), (para(lang, "fairness text", columns=cols,
                                                           n=p.fairness.min_group),))


def _example(checked: CheckedPolicy, ex: Example, lang: str) -> Section:
    p = checked.policy
    res = ex.results
    money = p.money.decimals
    cols = res.frame.columns
    keep = [res.id_column] + [c for c in ("score", "band", "total") if c in cols and (c != "band" or p.ranking)]
    heads = {res.id_column: w(lang, "person"), "score": w(lang, "score"), "band": w(lang, "band"),
             "total": w(lang, "total", currency=p.currency)}
    rows = []
    listed = ex.shown
    for r in listed:
        cells = []
        for c in keep:
            v = r[c]
            if c == "band" and v is None:
                cells.append(w(lang, "not ranked"))
            else:
                cells.append(shown(v, lang, money if c == "total" else None))
        rows.append(tuple(cells))
    explained = explain_row(ex.row, checked, res.columns, ex.period.label, lang)
    steps = []
    for s in explained.steps:
        value = shown(s.value, lang, money if s.kind in ("payout", "penalty", "total") else None)
        how = [s.rule] if s.rule else []
        if s.used:
            used = ", ".join(f"{w(lang, 'budget word') if s.kind == 'budget' and k == 'budget' else k}={shown(v, lang)}"
                             for k, v in s.used.items())
            how.append(w(lang, "step.used", used=used))
        how.extend(s.details)
        head = f"{s.name} ({s.label})" if s.label and s.label != s.name else s.name
        steps.append((head, value, "\n".join(how)))
    return Section("example", w(lang, "example"), (
        para(lang, "example text", rows=ex.rows, seed=ex.seed, period=ex.period.label),
        *([para(lang, "example others", n=res.frame.height - len(listed))] if len(listed) < res.frame.height else []),
        Table(tuple(heads[c] for c in keep), tuple(rows), numeric=tuple(i for i, c in enumerate(keep) if c != "band"
                                                                         and c != res.id_column),
              caption=w(lang, "example people")),
        Heading(w(lang, "derivation", id=explained.employee_id)),
        Table((w(lang, "quantity"), w(lang, "result"), w(lang, "how")), tuple(steps), numeric=(1,), weights=(2, 0, 5)),
    ))


def _approval(p: Policy, lang: str, ex: Example | None) -> Section:
    blocks: list[Block] = []
    a = p.approval
    if a is not None:
        rows = [(w(lang, "approved by"), a.approved_by), (w(lang, "approved on"), a.approved_on.isoformat())]
        for key, day in (("consulted on", a.consulted_on), ("published on", a.published_on)):
            if day is not None:
                rows.append((w(lang, key), day.isoformat()))
        if a.document:
            rows.append((w(lang, "document"), a.document))
        blocks.append(Table(("", ""), tuple(rows)))
    else:
        blocks.append(para(lang, "no approval"))
    warning = approval_warning(p, (ex.period if ex is not None else default_period(p)).start, lang)
    if warning:
        blocks.append(Para((Run(warning),)))
    blocks += [Heading(w(lang, "sign")), para(lang, "sign text"),
               Table((w(lang, "signature"),), (("",),))]
    return Section("approval", w(lang, "approval"), tuple(blocks))
