"""``explain``: the derivation of one person's numbers, step by step.

It reads only a results row (or the audit record of a close) and the
policy: every number is shown with the expression or rule that produced it
and the values that rule used -- nothing is re-run. Tier tables are shown
slice by slice ("0–1.00 @ 3% of 100,000.00 = 3,000.00").
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Callable, cast

from incentive.engine.results import ColumnInfo
from incentive.engine.scoring import py_points
from incentive.engine.tiers import marginal_slices, step_tier
from incentive.numeric import plain_text, py_div, py_mul, py_round, to_dec
from incentive.engine import true_ups
from incentive.policy import names
from incentive.policy.approval import approval_record
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.model import Clawback, Draw, Hold, Payout, Policy, Scoring, label_text
from incentive.report.approval_block import approval_text
from incentive.report.reason_text import band_reason
from incentive.report.terminal import json_text, printable_cell


@dataclass
class Step:
    name: str
    kind: str
    label: str
    value: object
    rule: str = ""  # expression or rule text
    used: dict[str, object] = field(default_factory=dict)
    details: list[str] = field(default_factory=list)


@dataclass
class Explanation:
    employee_id: str
    policy: str
    period: str
    currency: str
    steps: list[Step]
    approval: dict[str, str] | None = None  # the plan's approval record (``policy.approval``), when it has one

    def to_json(self) -> str:
        shown = asdict(self)
        if shown["approval"] is None:
            del shown["approval"]
        return json_text(shown, indent=2, default=_json_default) + "\n"


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _plain(d: Decimal) -> str:
    """Exact text without trailing zeros or exponent: 1.500000000000 → 1.5."""
    return plain_text(d)


def shown(value: object, lang: str, money_decimals: int | None = None) -> str:
    """``fmt`` in ``lang``: booleans and missing values as 是 / 否 / 无 under ``zh``."""
    if lang == "zh" and (value is None or isinstance(value, bool)):
        return "无" if value is None else ("是" if value else "否")
    return fmt(value, money_decimals)


def fmt(value: object, money_decimals: int | None = None) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        if money_decimals is not None:
            return f"{value:,.{money_decimals}f}"
        return _plain(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


Translate = Callable[[str, str], str]


def _tr(lang: str) -> Translate:
    """``t(en, zh)``: the Chinese text under ``--lang zh``, else the English."""
    return lambda en, zh: zh if lang == "zh" else en


def _number(value: object) -> Decimal | None:
    """A value of one of the engine's numeric columns: ``Decimal(38, 12)`` or null, as a results row holds it."""
    return cast("Decimal | None", value)


def explain_row(row: dict[str, object], checked: CheckedPolicy, columns: dict[str, ColumnInfo], period: str,
                lang: str = "en") -> Explanation:
    t = _tr(lang)
    policy = checked.policy
    money_dec = policy.money.decimals
    exprs = checked.exprs

    def money(v: object) -> str:
        return fmt(v, money_dec)

    def used(path: str | None) -> dict[str, object]:
        if not path or path not in exprs:
            return {}
        return {n: row.get(n) for n in sorted(exprs[path].refs) if n in row}

    def rule(path: str | None) -> str:
        return exprs[path].source.text if path and path in exprs else ""

    steps: list[Step] = []
    for inp in policy.inputs:
        value = row.get(inp.id)
        as_text = money(value) if inp.type == "money" and isinstance(value, Decimal) else value
        steps.append(Step(inp.id, "input", label_text(inp.label, lang, inp.header), as_text,
                          rule=t(f"column {inp.header!r}", f"列 {inp.header!r}")))
    for name in checked.order:
        info = columns.get(name)
        if info is None:
            continue
        label = _label_of(policy, name, lang)
        path = info.path
        details = []
        if info.kind == "aggregate":
            agg = next(a for a in policy.aggregates if a.id == name)
            details.append(t(f"{agg.func} over {' + '.join(agg.by) or 'everyone'}",
                             f"{agg.func}，按 {' + '.join(agg.by) or '全体'}")
                           + (t(f" where {agg.where.text}", f"，条件 {agg.where.text}") if agg.where else ""))
        steps.append(Step(name, info.kind, label, row.get(name), rule(path), used(path), details))
    for k in policy.kpis:
        value = row.get(names.kpi_value(k.id))
        pts = row.get(k.id)
        details = [_scoring_detail(k.scoring, _number(value), pts, lang)]
        value_path = names.expr_path(names.KPIS, k.id, names.VALUE)
        steps.append(Step(k.id, "kpi", label_text(k.label, lang, k.id), pts, rule(value_path),
                          {names.kpi_value(k.id): value, **used(value_path)}, details))
    if policy.kpis:
        terms = [f"{fmt(k.weight)}×{fmt(row.get(k.id))}" for k in policy.kpis]
        raw = sum((py_mul(to_dec(k.weight), _number(row.get(k.id)) or Decimal(0)) for k in policy.kpis), Decimal(0))
        raw = py_div(raw, to_dec(policy.score.scale))
        steps.append(Step("score", "score", t("score", "综合得分"), row.get("score"),
                          t(f"Σ weight × points / {fmt(policy.score.scale)}", f"Σ 权重 × 得分 / {fmt(policy.score.scale)}"), {},
                          [f"({' + '.join(terms)}) / {fmt(policy.score.scale)} = {fmt(raw)}",
                           t(f"rounded {policy.score.rounding} to {policy.score.decimals} decimals",
                             f"按 {policy.score.rounding} 保留 {policy.score.decimals} 位小数") + f" = {fmt(row.get('score'))}"]))
    if policy.ranking is not None:
        details = [t(f"rank {fmt(row.get('rank'))} of {fmt(row.get('group_size'))} in {fmt(row.get('rank_group'))}",
                     f"在 {fmt(row.get('rank_group'))} 中排名 {shown(row.get('rank'), lang)} / {fmt(row.get('group_size'))}"),
                   t("percentile", "百分位") + f" {shown(row.get('percentile'), lang)}"]
        if row.get("band_reason"):
            details.append(band_reason(row.get("band_reason"), lang))
        steps.append(Step("band", "ranking", t("band", "档位"), row.get("band"), rule("ranking.by"),
                           {**used("ranking.by"), "eligible": row.get("eligible")}, details))
    for p in policy.payouts:
        steps.append(_payout_step(p, row, checked, lang, money))
    for b in policy.budgets:
        factor = row.get(names.step(b.id, names.FACTOR))
        steps.append(Step(b.id, "budget", b.id, factor, rule(names.expr_path(names.BUDGETS, b.id, names.AMOUNT)),
                          {"budget": row.get(names.step(b.id, names.AMOUNT))},
                          [t(f"components {', '.join(b.components) or 'all'} scaled by {fmt(factor)}"
                             " (largest remainder to the exact budget)",
                             f"奖金项 {', '.join(b.components) or '全部'} 按 {fmt(factor)} 缩放（最大余数法，精确等于预算）")]))
    for pen in policy.penalties:
        details = []
        fired = row.get(names.step(pen.id, names.WHEN))
        if pen.when is not None:
            details.append(t(f"when {pen.when.text}: {fmt(fired)}", f"条件 {pen.when.text}：{shown(fired, lang)}"))
        if pen.cap is not None:
            details.append(t("cap", "上限") + f" {money(row.get(names.step(pen.id, names.CAP)))}")
        if pen.forfeit and fired:
            details.append(t(f"forfeits {', '.join(pen.forfeit)}", f"没收 {', '.join(pen.forfeit)}"))
        if pen.band and fired:
            details.append(t(f"forces band {pen.band}", f"强制定为 {pen.band} 档"))
        steps.append(Step(pen.id, "penalty", label_text(pen.label, lang, pen.id), row.get(pen.id),
                          rule(names.expr_path(names.PENALTIES, pen.id, names.AMOUNT)),
                          used(names.expr_path(names.PENALTIES, pen.id, names.WHEN)), details))
    comp = " + ".join(money(row.get(p.id)) for p in policy.payouts) or "0"
    pens = " − ".join(money(row.get(p.id)) for p in policy.penalties)
    details = [f"{comp}{' − ' + pens if pens else ''} = {money(row.get('total.before_floor'))}"]
    if policy.floor is not None:
        details.append(t("floor", "下限") + f" {money(to_dec(policy.floor))}")
    clawed = [c for c in policy.clawbacks if c.id in row]
    running = row.get("total")
    subtotals = []  # the total after each adjustment, last first
    for c in reversed(clawed):
        subtotals.append(running)
        value = row.get(c.id)
        running = running - value if isinstance(running, Decimal) and isinstance(value, Decimal) else running
    if true_ups.APPLIED in row:
        details.append(t("with the true-up ", "加以前期间补差 ") + f"{money(row.get(true_ups.APPLIED))} = {money(running)}")
    for c, after in zip(clawed, reversed(subtotals)):
        details.append(t(f"with {label_text(c.label, lang, c.id)} ", f"加{label_text(c.label, lang, c.id)} ")
                       + f"{money(row.get(c.id))} = {money(after)}")
    steps.append(Step("total", "total", t("total", "合计"), row.get("total"), t("components − penalties", "奖金项 − 扣款"),
                      {}, details))
    for h in policy.holds:
        steps.append(_hold_step(h, row, lang, money))
    for d in policy.draws:
        steps.append(_draw_step(d, row, lang, money))
    if true_ups.APPLIED in row:
        steps.append(_true_up_step(row, lang, money))
    for c in policy.clawbacks:
        if c.id in row:
            steps.append(_clawback_step(c, row, lang, money))
    for r in policy.recommendations:
        if row.get(names.step(r.id, names.WHEN)):
            from incentive.report.labels import action_label

            from incentive.report.guard_words import guarded_action

            shown_action = action_label(r, lang)
            action = r.action if shown_action == r.action else f"{r.action} ({shown_action})"
            reason = [label_text(r.reason, lang)]
            guarded = guarded_action(row, policy, r, lang)
            if guarded is not None:  # an exit-type action its guards replaced: say with what, and why
                action, reason = guarded
            steps.append(Step(r.id, "recommendation", label_text(r.label, lang, r.id), action, r.when.text,
                              used(names.expr_path(names.RECOMMENDATIONS, r.id, names.WHEN)),
                              reason
                              + ([t("next steps: ", "后续步骤：") + ", ".join(r.next_steps)] if r.next_steps else [])))
    approval = approval_record(policy.approval) if policy.approval is not None else None
    return Explanation(str(row.get(policy.id_input.id)), f"{policy.id} {policy.version}", period, policy.currency, steps,
                       approval)


def _true_up_step(row: dict[str, object], lang: str, money: Callable[[object], str]) -> Step:
    """What corrections of earlier, already-paid periods were due, what this close paid or recovered, what is left."""
    t = _tr(lang)
    due, carried = money(row.get(true_ups.DUE)), money(row.get(true_ups.CARRIED))
    details = [t(f"due from corrections of earlier periods after payroll paid them: {due}",
                 f"以前期间发放后更正的应补（扣）差额：{due}"),
               t(f"paid (+) or recovered (−) in this period, never below a total of 0: {money(row.get(true_ups.APPLIED))}",
                 f"本期补发（+）或扣回（−），合计不低于 0：{money(row.get(true_ups.APPLIED))}"),
               t(f"carried to the next close: {carried}", f"结转至下期：{carried}")]
    return Step(true_ups.APPLIED, "adjustment", t("true-up", "以前期间补差"), row.get(true_ups.APPLIED),
                t("the re-close's difference against what was paid", "更正后结果与已发放金额之差"), {}, details)


def _clawback_step(c: Clawback, row: dict[str, object], lang: str, money: Callable[[object], str]) -> Step:
    """A clawback: each refunded deal, the close that paid it and what its share of that pay was; what this
    close recovered of that and of what the last close carried, and what is left."""
    t = _tr(lang)

    def part(name: str) -> str:
        return money(row.get(names.step(c.id, name)))

    details = []
    for d in _deals(row.get(names.step(c.id, "deals"))):
        paid, refunded, basis, back = (money(to_dec(d[k])) for k in ("paid", "refunded", "basis", "recovered"))
        details.append(t(f"deal {d['line']} ({d['period']}), refund {d['refund']}: {paid} {' + '.join(c.payouts)} paid "
                         f"in {d['period']} × {refunded} refunded / {basis} {c.basis} = {back}",
                         f"订单 {d['line']}（{d['period']}），退单 {d['refund']}：{d['period']} 已发 {paid} "
                         f"× 退回 {refunded} / 计提基数 {basis} = {back}"))
    details += [t(f"carried from the last close: {part('opening')}", f"上期结转待追回：{part('opening')}"),
                t(f"due: {part('due')}; recovered in this period, never below a total of 0: {money(row.get(c.id))}",
                  f"应追回 {part('due')}；本期扣回（合计不低于 0）：{money(row.get(c.id))}"),
                t(f"carried to the next close: {part('carried')}", f"结转至下期：{part('carried')}")]
    label = label_text(c.label, lang, c.id)
    return Step(c.id, "adjustment", label, row.get(c.id),
                t(f"{' + '.join(c.payouts)} paid on the deal × refunded / {c.basis}, from the close that paid it",
                  f"原期间 {' + '.join(c.payouts)} × 退回金额 / {c.basis}"), {}, details)


def _deals(text: object) -> list[dict[str, str]]:
    """The recorded deals of a clawback step (``engine.clawbacks``: JSON text), or none."""
    if not isinstance(text, str) or not text:
        return []
    try:
        found = json.loads(text)
    except ValueError:
        return []
    return [d for d in found if isinstance(d, dict)] if isinstance(found, list) else []


def _draw_step(d: Draw, row: dict[str, object], lang: str, money: Callable[[object], str]) -> Step:
    """A draw: what was earned, guaranteed, advanced or topped up, recovered, and the balance carried on."""
    t = _tr(lang)

    def v(step: str) -> str:
        return money(row.get(names.step(d.id, step)))

    target = t("the total", "合计") if d.of == names.TOTAL else d.of
    kind = t("recoverable", "可追回") if d.recoverable else t("non-recoverable", "不可追回")
    details = [t(f"on {target}: earned {v(names.EARNED)}; {kind} draw {v(names.AMOUNT)}",
                 f"作用于 {target}：应得 {v(names.EARNED)}；{kind}保底 {v(names.AMOUNT)}")]
    if d.recoverable:
        details.append(t(f"balance owed at the start {v(names.OPENING)} (from the last close); advanced "
                         f"{v(names.SHORTFALL)}; recovered {v(names.RECOVERED)}",
                         f"期初欠款 {v(names.OPENING)}（上期结算）；本期垫付 {v(names.SHORTFALL)}；本期追回 {v(names.RECOVERED)}"))
        if d.recovery_delay:
            age = row.get(names.step(d.id, names.AGE))
            details.append(t(f"recovery waits {d.recovery_delay} period(s); the balance is {fmt(age)} period(s) old",
                             f"追回顺延 {d.recovery_delay} 期；欠款已 {fmt(age)} 期"))
    else:
        details.append(t(f"topped up {v(names.FORGIVEN)}, never owed", f"补足 {v(names.FORGIVEN)}，无需偿还"))
    details.append(t(f"paid {money(row.get(d.of))}; balance owed carried to the next period {v(names.CLOSING)}",
                     f"实发 {money(row.get(d.of))}；结转下期欠款 {v(names.CLOSING)}"))
    return Step(d.id, "draw", label_text(d.label, lang, d.id), row.get(names.step(d.id, names.CLOSING)),
                t("paid = earned + advanced − recovered", "实发 = 应得 + 垫付 − 追回"), {}, details)


def _hold_step(h: Hold, row: dict[str, object], lang: str, money: Callable[[object], str]) -> Step:
    """A hold: what was earned and collected, released now and from earlier, held, written off, carried on."""
    t = _tr(lang)

    def v(step: str) -> str:
        return money(row.get(names.step(h.id, step)))

    details = [t(f"on {h.of}: earned {v(names.EARNED)} on {v(names.BILLED)} billed, {v(names.COLLECTED)} collected; "
                 f"released now {v(names.RELEASED_NOW)}, held {v(names.HELD)}",
                 f"作用于 {h.of}：应得 {v(names.EARNED)}，本期开票 {v(names.BILLED)}，本期回款 {v(names.COLLECTED)}；"
                 f"本期发放 {v(names.RELEASED_NOW)}，暂扣 {v(names.HELD)}"),
               t(f"held at the start {v(names.OPENING)} (from the last close); collected on earlier billing "
                 f"{v(names.COLLECTED_EARLIER)} releases {v(names.RELEASED_EARLIER)}",
                 f"期初暂扣 {v(names.OPENING)}（上期结算）；往期回款 {v(names.COLLECTED_EARLIER)}，"
                 f"释放 {v(names.RELEASED_EARLIER)}")]
    if h.write_off_after is not None:
        details.append(t(f"held {h.write_off_after} period(s) past the period earned: written off "
                         f"{v(names.WRITTEN_OFF)}, never paid",
                         f"暂扣超过 {h.write_off_after} 期：核销 {v(names.WRITTEN_OFF)}，不再发放"))
    if h.recover_early_release:
        details.append(t(f"advance on revenue never collected {v(names.TO_RECOVER)}; recovered "
                         f"{v(names.RECOVERED)}; still owed {v(names.OWED)}",
                         f"未回款部分已预发 {v(names.TO_RECOVER)}；本期追回 {v(names.RECOVERED)}；尚欠 {v(names.OWED)}"))
    details.append(t(f"paid {money(row.get(h.of))}; held carried to the next period {v(names.CLOSING)}",
                     f"实发 {money(row.get(h.of))}；结转下期暂扣 {v(names.CLOSING)}"))
    return Step(h.id, "draw", label_text(h.label, lang, h.id), row.get(names.step(h.id, names.CLOSING)),
                t("paid = released now + released from earlier − recovered",
                  "实发 = 本期发放 + 往期释放 − 追回"), {}, details)


def _label_of(policy: Policy, name: str, lang: str) -> str:
    for group in (policy.derived, policy.aggregates):
        for item in group:
            if item.id == name:
                return label_text(item.label, lang, name)
    return name


def _scoring_detail(scoring: Scoring, value: Decimal | None, points: object, lang: str = "en") -> str:
    t = _tr(lang)
    pts_word = t("points", "分")
    if value is None:
        return t("no value: 0 points", "无数值：0 分")
    if scoring.curve:
        pts = [(to_dec(p.value), to_dec(p.points)) for p in scoring.curve]
        if value <= pts[0][0]:
            return f"{fmt(value)} ≤ {fmt(pts[0][0])}: {fmt(pts[0][1])} {pts_word}" + t(" (clamped)", "（封顶/保底）")
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            if value <= x1:
                return (t(f"{fmt(value)} between ({fmt(x0)}, {fmt(y0)}) and ({fmt(x1)}, {fmt(y1)}): ",
                          f"{fmt(value)} 介于 ({fmt(x0)}, {fmt(y0)}) 与 ({fmt(x1)}, {fmt(y1)}) 之间：")
                        + f"{fmt(py_points(scoring, value))} {pts_word}")
        return f"{fmt(value)} ≥ {fmt(pts[-1][0])}: {fmt(pts[-1][1])} {pts_word}" + t(" (clamped)", "（封顶/保底）")
    reached = [s for s in scoring.step if value >= s.start]
    if not reached:
        return t(f"{fmt(value)} below the first threshold {fmt(scoring.step[0].start)}: 0 points",
                 f"{fmt(value)} 低于第一档 {fmt(scoring.step[0].start)}：0 分")
    return f"{fmt(value)} ≥ {fmt(reached[-1].start)}: {fmt(points)} {pts_word}"


def _payout_step(p: Payout, row: dict[str, object], checked: CheckedPolicy, lang: str,
                 money: Callable[[object], str]) -> Step:
    t = _tr(lang)
    pid = p.id
    details: list[str] = []
    base = _number(row.get(names.step(pid, names.BASE)))
    basis = _number(row.get(names.step(pid, names.BASIS)))
    if p.tiers is not None and base is not None:
        shown_basis = basis if basis is not None else base
        if p.tiers.mode == "marginal":
            for s in marginal_slices(p.tiers.table, base, basis):
                if s.width <= 0:
                    continue
                upper = fmt(s.upper) if s.upper is not None else "∞"
                of = t(f" of {money(base)}", f"（基数 {money(base)}）") if basis is not None else ""
                details.append(f"{fmt(s.lower)}–{upper} @ {fmt(s.rate * 100)}%{of}: " + t("slice", "分段") + f" {fmt(s.width)}"
                               f" → {money(py_round(s.amount, checked.policy.money.decimals, 'half_up'))}")
        elif p.tiers.mode == "step":
            tier = step_tier(p.tiers.table, shown_basis)
            if tier is None:
                details.append(t(f"basis {fmt(shown_basis)} below the first tier: 0",
                                 f"计提基数 {fmt(shown_basis)} 低于第一档：0"))
            elif tier.amount is not None:
                details.append(t(f"basis {fmt(shown_basis)} in tier from {fmt(tier.start)}: fixed ",
                                 f"计提基数 {fmt(shown_basis)} 落在起点 {fmt(tier.start)} 的档：固定 ") + money(tier.amount))
            else:
                details.append(t(f"basis {fmt(shown_basis)} in tier from {fmt(tier.start)}: ",
                                 f"计提基数 {fmt(shown_basis)} 落在起点 {fmt(tier.start)} 的档：")
                               + f"{fmt(to_dec(tier.rate or 0) * 100)}% × {money(base)}")
        elif shown_basis < p.tiers.table[0].start:  # B7: below the first tier nothing is paid, as in step / marginal
            details.append(t(f"basis {fmt(shown_basis)} below the first tier: 0",
                             f"计提基数 {fmt(shown_basis)} 低于第一档：0"))
        else:
            details.append(t(f"rate interpolated at basis {fmt(shown_basis)}", f"按计提基数 {fmt(shown_basis)} 插值的比例")
                           + f" × {money(base)}")
    details.append(t("gross", "应发") + f" {money(row.get(names.step(pid, names.GROSS)))}")
    for step, text in ((names.FACTOR, t("band factor ×", "档位系数 ×")), (names.PRORATE, t("prorated ×", "折算 ×")),
                       (names.FLOOR, t("floor", "下限")), (names.CAP, t("cap", "上限"))):
        if names.step(pid, step) in row:
            value = row[names.step(pid, step)]
            details.append(f"{text} {money(value) if step in (names.FLOOR, names.CAP) else fmt(value)}")
    if names.step(pid, names.GATE) in row:
        gate = row[names.step(pid, names.GATE)]
        details.append(t("gate", "门槛") + f" {p.gate.text if p.gate else ''}: {shown(gate, lang)}"
                       + ("" if gate else t(" → pays 0", " → 发放 0")))
    for key, value in row.items():
        budget = names.pre_budget_of(key, pid)
        if budget is not None:
            details.append(t(f"before budget {budget}: ", f"预算 {budget} 缩放前：") + money(value))
        penalty = names.before_forfeit_of(key, pid)
        if penalty is not None and row.get(names.step(penalty, names.WHEN)):
            details.append(t(f"forfeited by {penalty} (was {money(value)})", f"被 {penalty} 没收（原为 {money(value)}）"))
    rule = ""
    path = names.item_path(names.PAYOUTS, pid)
    if p.amount is not None:
        rule = p.amount.text
    elif p.base is not None:
        rule = p.base.text + (t(f" × {p.tiers.mode} tiers", f" × {p.tiers.mode} 阶梯") if p.tiers else "")
        if p.tiers and p.tiers.basis is not None:
            rule += t(f" on {p.tiers.basis.text}", f"，计提基数 {p.tiers.basis.text}")
    used: dict[str, object] = {}
    for sub in ("base", "tiers.basis", "amount", "gate", "prorate", "cap"):
        key = f"{path}.{sub}"
        if key in checked.exprs:
            used.update({n: row.get(n) for n in sorted(checked.exprs[key].refs) if n in row})
    return Step(pid, "payout", label_text(p.label, lang, pid), row.get(pid), rule, used, details)


def render_text(ex: Explanation, money_decimals: int = 2, lang: str = "en") -> str:
    t = _tr(lang)
    lines = [f"{ex.employee_id} — {ex.policy} — {ex.period} ({ex.currency})", ""]
    if ex.approval is not None:
        lines[1:1] = [approval_text(ex.approval, lang)]
    for s in ex.steps:
        value = shown(s.value, lang, money_decimals
                      if s.kind in ("payout", "penalty", "adjustment", "total", "draw", "versions") else None)
        head = f"{s.name}"
        if s.label and s.label != s.name:
            head += f" ({s.label})"
        lines.append(f"{head} = {value}")
        if s.rule:
            lines.append(t("    rule: ", "    规则：") + s.rule)
        if s.used:
            lines.append(t("    used: ", "    使用：") + ", ".join(f"{k}={shown(v, lang)}" for k, v in s.used.items()))
        for d in s.details:
            lines.append(f"    {d}")
    # each line is one step: a newline or control character inside a value is shown escaped (D14)
    return "\n".join(printable_cell(line) for line in lines) + "\n"
