"""The export table, built column-wise from a close's recorded results.

Nothing is re-run: the amounts are the close's own exact decimals. One row
per person (the amount is the person's total) or one row per person and
component (payouts positive, penalties with the layout's sign; a draw on
the total as its own row -- what it topped up less what it recovered; when
the policy's floor raised a total, a ``floor`` row carries the raise; a
true-up of an earlier corrected period is a ``true_up`` row), so a
person's rows always add up to the total the close recorded. A draw on a
payout is inside that payout's recorded amount.

The control total is recomputed from the exported rows -- deductions always
subtracted, whatever sign the file shows -- and must equal the close's
payout total exactly, or the export is refused. So is an amount with more
decimals than the layout writes: the file would not say what the close paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl

from incentive.engine import clawbacks, true_ups
from incentive.errors import UsageError
from incentive.exports.layout import Column, Layout
from incentive.exports.people import MAX_LISTED, People
from incentive.numeric import DTYPE, plain_text
from incentive.output.safe_text import neutralize, neutralize_expr
from incentive.policy import names
from incentive.policy.model import Clawback, Draw, Policy, label_text

#: the component id of the row that carries a floor's raise of a total
FLOOR_ID = "floor"
FLOOR_LABEL = {"en": "Floor adjustment", "zh": "保底调整"}
#: the component id of the row that pays or recovers corrections of earlier, already-paid periods
TRUE_UP_ID = "true_up"
TRUE_UP_LABEL = {"en": "True-up of earlier periods", "zh": "以前期间补差"}
_SIGNED = "__signed__"  # the row's amount with deductions negative: what the control total adds
_PERSON = "__person__"
_ORDER = "__order__"


@dataclass(frozen=True)
class Component:
    id: str
    label: str
    kind: str  # payout, penalty, draw, true_up, clawback or floor


@dataclass(frozen=True)
class ExportTable:
    """The file's cells: one column per layout column (by position), amounts exact decimals, the rest text."""

    frame: pl.DataFrame  # columns c0, c1, ... in layout order
    layout: Layout
    control_total: Decimal
    currency: str
    people: int  # distinct people in the file
    footer: dict[int, str | Decimal] | None  # the control-total line, by column position

    @property
    def rows(self) -> int:
        return self.frame.height


@dataclass(frozen=True)
class Context:
    """What the columns may read besides the results: the period and the close."""

    period: str
    period_start: date
    period_end: date
    export_date: date
    currency: str
    close_total: Decimal  # the close's recorded payout total


def components_of(policy: Policy, lang: str, *, true_up: bool = False) -> list[Component]:
    """Payouts, penalties, the draws on the total (a draw on a payout is inside that payout's amount), then
    the true-up of earlier corrected periods when the close paid one."""
    return ([Component(p.id, label_text(p.label, lang, p.id), "payout") for p in policy.payouts]
            + [Component(p.id, label_text(p.label, lang, p.id), "penalty") for p in policy.penalties]
            + [Component(d.id, label_text(d.label, lang, d.id), "draw") for d in _total_draws(policy)]
            + ([Component(TRUE_UP_ID, label_text(TRUE_UP_LABEL, lang), "true_up")] if true_up else [])
            + [Component(c.id, label_text(c.label, lang, c.id), "clawback") for c in _clawbacks(policy)])


def _clawbacks(policy: Policy) -> list[Clawback]:
    """The clawbacks that recover from pay: a result column each (``engine.clawbacks``)."""
    return [c for c in policy.clawbacks if c.recovers]


def _total_draws(policy: Policy) -> list[Draw]:
    return [d for d in policy.draws if d.of == names.TOTAL]


def check_components(layout: Layout, policy: Policy) -> None:
    """Every ``payout:`` / ``penalty:`` source and listed component names one of the policy's."""
    payouts = [p.id for p in policy.payouts]
    penalties = [p.id for p in policy.penalties]
    problems = []
    for c in layout.columns:
        if c.kind in ("payout", "penalty"):
            known = payouts if c.kind == "payout" else penalties
            if c.arg not in known:
                problems.append(f"{layout.at(c.pos)}: unknown {c.kind} {c.arg!r} in column source {c.source!r} "
                                f"(the policy {policy.id}'s {'payouts' if c.kind == 'payout' else 'penalties'}: "
                                f"{', '.join(known) or 'none'})")
    draws = [d.id for d in _total_draws(policy)]
    for name in layout.components or ():
        clawed = [c.id for c in _clawbacks(policy)]
        if (name not in payouts and name not in penalties and name not in draws and name not in clawed
                and name not in (FLOOR_ID, TRUE_UP_ID)):
            problems.append(f"{layout.at(layout.components_pos)}: unknown component {name!r} in components "
                            f"(the policy {policy.id}'s payouts: {', '.join(payouts) or 'none'}; penalties: "
                            f"{', '.join(penalties) or 'none'}{'; draws on the total: ' + ', '.join(draws) if draws else ''}"
                            f"; and {FLOOR_ID!r})")
    if problems:
        raise UsageError("\n".join(problems))


def build_table(results: pl.DataFrame, policy: Policy, layout: Layout, ctx: Context,
                people: People | None) -> ExportTable:
    """The export table of ``results`` (a close's recorded per-person results) in ``layout``."""
    check_components(layout, policy)
    comps = components_of(policy, layout.lang, true_up=true_ups.APPLIED in results.columns)
    sign = -1 if layout.deductions == "negative" else 1
    base = _base(results, policy, comps, sign)
    rows = _person_rows(base) if layout.rows == "person" else _component_rows(base, comps, layout, sign)
    if layout.skip_zero:
        rows = rows.filter(pl.col(_SIGNED) != 0)
    if layout.negative == "refuse":
        _refuse_negative(rows, layout, ctx)
    if layout.people_fields:
        rows = _with_people(rows, layout, people)
    rows = rows.with_columns(pl.int_range(1, pl.len() + 1).alias("__row_number__"))
    exprs = [_cell(c, ctx, layout.dates).alias(f"c{i}") for i, c in enumerate(layout.columns)]
    frame = rows.select(exprs)
    _check_decimals(frame, rows, layout)
    control = rows.select(pl.col(_SIGNED).sum()).item()
    control = Decimal(0) if control is None else Decimal(control)
    if control != ctx.close_total:
        extra = "" if layout.components is None else \
            f"; the layout exports only the components {', '.join(layout.components)}"
        raise UsageError(f"control total: the exported amounts add up to {plain_text(control)} {ctx.currency}, but "
                         f"the close's payout total is {plain_text(ctx.close_total)} {ctx.currency} (difference "
                         f"{plain_text(control - ctx.close_total)}){extra}; nothing was written")
    people_count = rows.select(pl.col("employee_id").n_unique()).item() if rows.height else 0
    return ExportTable(frame=frame, layout=layout, control_total=control, currency=ctx.currency, people=people_count,
                       footer=_footer(layout, control, frame.height))


def result_columns(policy: Policy, *, true_up: bool = False) -> list[str]:
    """The recorded result columns an export reads (the rest of the audit record stays unread); ``true_up``:
    the close paid a true-up (its recorded totals say so)."""
    name = [i.id for i in policy.inputs if i.id == "name"]
    draws = [names.step(d.id, step) for d in _total_draws(policy) for step in (names.SHORTFALL, names.RECOVERED)]
    return [policy.id_input.id, *name, "total", *(p.id for p in policy.payouts), *(p.id for p in policy.penalties),
            *draws, *([true_ups.APPLIED] if true_up else []),
            *(col for c in _clawbacks(policy) for col in (c.id, names.step(c.id, clawbacks.DEALS)))]


def _base(results: pl.DataFrame, policy: Policy, comps: list[Component], sign: int) -> pl.DataFrame:
    id_col = policy.id_input.id
    name_col = next((i.id for i in policy.inputs if i.id == "name"), None)
    payouts = [c.id for c in comps if c.kind == "payout"]
    penalties = [c.id for c in comps if c.kind == "penalty"]
    zero = pl.lit(0, dtype=DTYPE)
    net = pl.sum_horizontal([pl.col(p).fill_null(0) for p in payouts] or [zero]) - \
        pl.sum_horizontal([pl.col(p).fill_null(0) for p in penalties] or [zero])
    # a draw on the total pays what it tops up and takes back what it recovers, after the floor
    draws = {c.id: (pl.col(names.step(c.id, names.SHORTFALL)).fill_null(0)
                    - pl.col(names.step(c.id, names.RECOVERED)).fill_null(0)).cast(DTYPE)
             for c in comps if c.kind == "draw"}
    adjusted = {c.id: pl.col(true_ups.APPLIED).fill_null(0).cast(DTYPE) for c in comps if c.kind == "true_up"}
    # a clawback is a deduction (what it recovered, > 0), shown with the layout's sign like a penalty
    clawed = {c.id: _recovered(results, c.id) for c in comps if c.kind == "clawback"}
    floor_raise = (pl.col("total").fill_null(0) - net
                   - pl.sum_horizontal([*draws.values(), *adjusted.values(), zero])
                   + pl.sum_horizontal([*clawed.values(), zero]))
    cols = [pl.col(id_col).cast(pl.String).alias("employee_id"),
            (pl.col(name_col).cast(pl.String) if name_col else pl.lit(None, dtype=pl.String)).alias("name"),
            pl.col("total").fill_null(0).cast(DTYPE).alias("total"),
            *(pl.col(p).fill_null(0).cast(DTYPE).alias(f"payout:{p}") for p in payouts),
            *((pl.col(p).fill_null(0).cast(DTYPE) * sign).cast(DTYPE).alias(f"penalty:{p}") for p in penalties),
            *(expr.alias(f"draw:{d}") for d, expr in draws.items()),
            *(expr.alias(f"true_up:{d}") for d, expr in adjusted.items()),
            *((expr * sign).cast(DTYPE).alias(f"clawback:{d}") for d, expr in clawed.items()),
            *(_deal_refs(results, d).alias(f"deals:{d}") for d in clawed),
            floor_raise.cast(DTYPE).alias(f"floor:{FLOOR_ID}")]
    return results.select(cols).with_columns(pl.int_range(pl.len()).alias(_PERSON))


def _recovered(results: pl.DataFrame, clawback: str) -> pl.Expr:
    """What a clawback recovered from a person (a positive deduction; 0 where the close has no column)."""
    if clawback not in results.columns:
        return pl.lit(0, dtype=DTYPE)
    return (-pl.col(clawback).fill_null(0)).cast(DTYPE)


_DEAL = pl.List(pl.Struct({"line": pl.String, "period": pl.String}))


def _deal_refs(results: pl.DataFrame, clawback: str) -> pl.Expr:
    """``SO1 (2026-Q1), SO7 (2026-Q1)``: the deals a person's clawback row comes from (the recorded JSON)."""
    column = names.step(clawback, clawbacks.DEALS)
    if column not in results.columns:
        return pl.lit(None, dtype=pl.String)
    parsed = pl.col(column).str.json_decode(_DEAL)
    return parsed.list.eval(pl.concat_str(pl.element().struct.field("line"), pl.lit(" ("),
                                          pl.element().struct.field("period"), pl.lit(")"))).list.join(", ")


def _person_rows(base: pl.DataFrame) -> pl.DataFrame:
    return base.with_columns(pl.col("total").alias("amount"), pl.col("total").alias(_SIGNED),
                             pl.lit(None, dtype=pl.String).alias("component"),
                             pl.lit(None, dtype=pl.String).alias("component_label"))


def _component_rows(base: pl.DataFrame, comps: list[Component], layout: Layout, sign: int) -> pl.DataFrame:
    floor = Component(FLOOR_ID, label_text(FLOOR_LABEL, layout.lang), "floor")
    wanted = comps + [floor] if layout.components is None else \
        [c for c in comps + [floor] if c.id in layout.components]
    parts = []
    for k, c in enumerate(wanted):
        shown = pl.col(f"{c.kind}:{c.id}")  # a penalty (clawback) already carries the layout's sign
        signed = -shown if c.kind in ("penalty", "clawback") and sign == 1 else shown
        label = (pl.concat_str(pl.lit(c.label + " "), pl.col(f"deals:{c.id}")) if c.kind == "clawback"
                 else pl.lit(c.label))  # a clawback row names the deals and the periods that paid them
        keep = [col.source for col in layout.columns if col.kind in ("payout", "penalty")]
        part = base.select(pl.col("employee_id"), pl.col("name"), pl.col("total"), pl.col(_PERSON), *keep,
                           shown.alias("amount"), signed.cast(DTYPE).alias(_SIGNED),
                           pl.lit(c.id).alias("component"), label.alias("component_label"),
                           pl.lit(k, dtype=pl.Int32).alias(_ORDER))
        if c.kind in ("floor", "true_up", "clawback") or layout.skip_zero:
            part = part.filter(pl.col(_SIGNED) != 0)  # a floor (true-up) row only where one changed the total
        parts.append(part)
    return pl.concat(parts).sort([_PERSON, _ORDER]).drop(_ORDER)


def _refuse_negative(rows: pl.DataFrame, layout: Layout, ctx: Context) -> None:
    below = rows.filter(pl.col("amount") < 0)
    if below.height:
        shown = ", ".join(f"{i} {plain_text(Decimal(a))}" for i, a in
                          zip(below["employee_id"].head(MAX_LISTED).to_list(), below["amount"].head(MAX_LISTED).to_list()))
        more = f" ... ({below.height} in all)" if below.height > MAX_LISTED else ""
        raise UsageError(f"{layout.file}: {below.height} negative amount(s) ({shown}{more} {ctx.currency}): the layout "
                         f"{layout.name} refuses them (negative: refuse; a bank cannot transfer one); settle them "
                         "outside this file and close the period with a floor; nothing was written")


def _with_people(rows: pl.DataFrame, layout: Layout, people: People | None) -> pl.DataFrame:
    fields = layout.people_fields
    if people is None:
        used = ", ".join(f"people:{f}" for f in fields)
        raise UsageError(f"{layout.file}: the layout reads the people file ({used}); give it with --people FILE")
    table = people.frame.select(pl.col("employee_id"), *(pl.col(f).alias(f"people:{f}") for f in fields))
    joined = rows.join(table, on="employee_id", how="left", maintain_order="left", coalesce=True)
    found = rows.select("employee_id").join(table.select("employee_id"), on="employee_id", how="anti")
    missing = found.unique(maintain_order=True)["employee_id"].to_list()
    if missing:
        shown = ", ".join(missing[:MAX_LISTED]) + (f" ... ({len(missing)} in all)" if len(missing) > MAX_LISTED else "")
        raise UsageError(f"{people.file}: no row for {len(missing)} person(s) the export pays: {shown}; "
                         f"every exported person needs a row (the layout reads {', '.join(fields)}); nothing was written")
    return joined


def _text(expr: pl.Expr) -> pl.Expr:
    return neutralize_expr(expr.cast(pl.String))


def _cell(c: Column, ctx: Context, dates: str) -> pl.Expr:
    """The cells of layout column ``c``: Decimal for amounts, String for everything else."""
    if c.kind in ("amount", "total"):
        return pl.col(c.kind)
    if c.kind in ("payout", "penalty"):
        return pl.col(f"{c.kind}:{c.arg}")
    if c.kind in ("employee_id", "name", "component", "component_label"):
        return _text(pl.col(c.kind))
    if c.kind == "people":
        return _text(pl.col(f"people:{c.arg}"))
    if c.kind == "row_number":
        return pl.col("__row_number__").cast(pl.String)
    fixed = {"period": ctx.period, "currency": ctx.currency, "empty": None}
    if c.kind == "constant":
        text: str | None = (c.value or "").replace("{period}", ctx.period).replace("{currency}", ctx.currency)
    elif c.is_date:
        day = {"period_start": ctx.period_start, "period_end": ctx.period_end, "export_date": ctx.export_date}[c.kind]
        text = day.strftime(dates)
    else:
        text = fixed[c.kind]
    return pl.lit(None if text is None else neutralize(text), dtype=pl.String)


def _check_decimals(frame: pl.DataFrame, rows: pl.DataFrame, layout: Layout) -> None:
    """Refuse an amount the layout's decimals would round: the file must say exactly what the close paid."""
    d = layout.decimals
    for i, c in enumerate(layout.columns):
        if not c.is_amount:
            continue
        name = f"c{i}"
        off = frame.select(pl.col(name), rows["employee_id"]).filter(pl.col(name).round(d) != pl.col(name)).head(1)
        if off.height:
            who, value = off["employee_id"][0], off[name][0]
            raise UsageError(f"{layout.file}: numbers.decimals is {d}, but {who}'s {c.header!r} is "
                             f"{plain_text(Decimal(value))}: writing it would round it (the close paid it exactly); "
                             f"raise numbers.decimals; nothing was written")


def _footer(layout: Layout, control: Decimal, rows: int) -> dict[int, str | Decimal] | None:
    ct = layout.control_total
    if ct is None:
        return None
    headers = [c.header for c in layout.columns]
    out: dict[int, str | Decimal] = {headers.index(ct.label_column): neutralize(ct.label)}
    if ct.count_column is not None:
        out[headers.index(ct.count_column)] = str(rows)
    out[headers.index(layout.amount_column.header)] = control
    return out
