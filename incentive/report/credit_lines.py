"""``explain`` on credited lines: a person's lines, and how one line was credited.

Read from the credit table alone (``credits.csv`` of ``incentive credit``
or of a close from the sources), every cell as its text, so the numbers
shown are the recorded ones. The rounding of a line is re-derived for the
reader from the documented rule (docs/crediting.md, "Exact amounts"): each
person's exact amount is ``amount × share``; the role's total is rounded
with the policy's mode; each person gets the floor of their exact amount in
currency units and the units left over go to the largest remainders -- so
``credited − floor(exact)`` is the units a person got by largest remainder.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass, field
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

import polars as pl

from incentive.errors import UsageError
from incentive.report.explain import fmt
from incentive.report.terminal import json_text, printable_cell

#: how many line ids a "no such line" message shows
_EXAMPLES = 5


@dataclass(frozen=True)
class MeasureInfo:
    id: str
    kind: str  # sum | count | count_distinct | earliest | latest
    amount: str
    column: str | None = None  # count_distinct: the classification column counted


@dataclass(frozen=True)
class CreditLines:
    """A period's credit table (text cells) and what is needed to read it.

    ``frame`` may be a scan of the ``credits.csv`` file (``from_file``): a
    person's or a line's rows are then read from the file as they stream
    past, never the whole table (tens of millions of rows for a big close)."""

    frame: pl.DataFrame | pl.LazyFrame
    decimals: int
    rounding: str
    measures: tuple[MeasureInfo, ...] = ()
    where: str = "the credit table"  # named in messages: a file, or "the sources"
    keep: object = None  # what holds the scanned file's directory (a run's credit table): alive as long as this

    def rows_where(self, condition: pl.Expr) -> pl.DataFrame:
        """The rows meeting ``condition``, read from the file if it is one (a damaged file: ``UsageError``)."""
        return self._collect(self.frame.lazy().filter(condition))

    def distinct(self, column: str) -> pl.Series:
        """The values of ``column`` in the order first met."""
        return self._collect(self.frame.lazy().select(pl.col(column).unique(maintain_order=True))).get_column(column)

    def _collect(self, query: pl.LazyFrame) -> pl.DataFrame:
        try:
            return query.collect(engine="streaming")
        except pl.exceptions.PolarsError as exc:
            raise UsageError(f"{self.where}: cannot be read as a credit table ({str(exc).splitlines()[0]})") from None


def from_csv(data: bytes, decimals: int, rounding: str, measures: tuple[MeasureInfo, ...], where: str) -> CreditLines:
    """The credit table of ``credits.csv`` bytes, every cell as text (the BOM dropped)."""
    try:
        frame = pl.read_csv(io.BytesIO(data.removeprefix(b"\xef\xbb\xbf")), infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        raise UsageError(f"{where}: cannot be read as a credit table ({str(exc).splitlines()[0]})") from None
    missing = [c for c in ("line_id", "person", "role", "credit", "share", "amount", "credited") if c not in frame.columns]
    if missing:
        raise UsageError(f"{where}: not a credit table: no column {', '.join(missing)}")
    return CreditLines(frame=frame, decimals=decimals, rounding=rounding, measures=measures, where=where)


def from_file(path: Path, decimals: int, rounding: str, measures: tuple[MeasureInfo, ...], where: str,
              keep: object = None) -> CreditLines:
    """The credit table of the ``credits.csv`` at ``path``, every cell as text, scanned (only its header read
    here); ``keep``: what must stay alive while the file is read."""
    try:
        frame = pl.scan_csv(path, infer_schema=False)
        columns = frame.collect_schema().names()
    except pl.exceptions.PolarsError as exc:
        raise UsageError(f"{where}: cannot be read as a credit table ({str(exc).splitlines()[0]})") from None
    missing = [c for c in ("line_id", "person", "role", "credit", "share", "amount", "credited") if c not in columns]
    if missing:
        raise UsageError(f"{where}: not a credit table: no column {', '.join(missing)}")
    return CreditLines(frame=frame, decimals=decimals, rounding=rounding, measures=measures, where=where, keep=keep)


# -- a person's lines


@dataclass
class PersonLines:
    employee: str
    lines: list[dict[str, Any]]  # the largest credits first
    credit_rows: int  # how many credit rows the person has in all
    measures: list[dict[str, Any]] = field(default_factory=list)  # id, kind, amount, value


def person_lines(credits: CreditLines, employee: str, row: dict[str, Any], top: int) -> PersonLines:
    """``employee``'s credit rows, the ``top`` largest by credited amount (absolute: a refund shows too)."""
    mine = credits.rows_where(pl.col("person") == employee)
    rows = sorted(mine.to_dicts(), key=lambda r: (-abs(Decimal(r["credited"])), r["line_id"], r.get("event_id") or "",
                                                  r.get("amount_name") or "", r["role"], r["credit"]))
    shown = [_line_row(r) for r in rows[:top]]
    measures = [{"id": m.id, "kind": m.kind, "amount": m.column if m.kind == "count_distinct" and m.column else m.amount,
                 "value": row.get(m.id)} for m in credits.measures]
    return PersonLines(employee=employee, lines=shown, credit_rows=len(rows), measures=measures)


def _line_row(r: dict[str, Any]) -> dict[str, Any]:
    keys = ("line_id", "source", "kind", "event_id", "amount_name", "event_date", "role", "credit", "level", "share",
            "amount", "credited")
    return {k: r.get(k) for k in keys}


def lines_text(p: PersonLines, decimals: int, lang: str) -> str:
    t = _tr(lang)
    if len(p.lines) == p.credit_rows:
        head = t(f"credited lines of {p.employee}: all {p.credit_rows} credit rows, largest first",
                 f"{p.employee} 的业绩归属明细：全部 {p.credit_rows} 条归属记录，按金额从大到小")
    else:
        head = t(f"credited lines of {p.employee}: {len(p.lines)} largest of {p.credit_rows} credit rows",
                 f"{p.employee} 的业绩归属明细：共 {p.credit_rows} 条归属记录，金额最大的 {len(p.lines)} 条")
    out = ["", head]
    for r in p.lines:
        how = t("direct", "直接") if r["credit"] == "direct" else t(f"roll-up level {r['level']}", f"上级汇总第 {r['level']} 级")
        out.append(f"    {r['line_id']}  {r['event_date']}  {_amount_word(r['amount_name'], lang)}  "
                   f"{_role(r['role'], lang)}  {how}  {t('share', '比例')} {r['share']}  "
                   f"{_money(r['credited'], decimals)}" + ("" if r["kind"] != "refund" else t("  (refund)", "  （退款）")))
    if p.measures:
        out.append(t("total per measure:", "各指标合计："))
        for m in p.measures:
            value = m["value"]
            out.append(f"    {m['id']} ({_kind(m['kind'], lang)} {_amount_word(m['amount'], lang)}) = "
                       f"{_money(value, decimals) if m['kind'] == 'sum' else _plain(value, lang)}")
    return "\n".join(printable_cell(line) for line in out) + "\n"


def with_lines_json(explanation: str, p: PersonLines, decimals: int) -> str:
    """The explanation's JSON with ``credited_lines`` added."""
    import json

    doc = json.loads(explanation)
    doc["credited_lines"] = {"lines": p.lines, "credit_rows": p.credit_rows,
                             "measures": [{**m, "value": _json_value(m["value"])} for m in p.measures]}
    return json_text(doc, indent=2) + "\n"


# -- one line


@dataclass
class LineCredit:
    line_id: str
    source: str
    line_date: str
    rounding: str
    events: list[dict[str, Any]]  # each: event, amount, roles: [{role, total, people: [...], rollups: [...]}]


def line_credit(credits: CreditLines, line_id: str) -> LineCredit:
    """How ``line_id`` was credited: every event, role, person, ancestor and remainder unit."""
    rows = credits.rows_where(pl.col("line_id") == line_id)
    if rows.is_empty():
        known = credits.distinct("line_id")
        examples = ", ".join(known.head(_EXAMPLES).to_list()) or "(none)"
        raise UsageError(f"--line: value {line_id!r}: no line of that id is credited in {credits.where} "
                         f"({known.len():,} lines are, e.g. {examples}); expected a line id of the period")
    unit = Decimal(1).scaleb(-credits.decimals)
    first = rows.row(0, named=True)
    events: list[dict[str, Any]] = []
    keys = ("source", "kind", "event_id", "amount_name", "event_date")
    for event_key, group in _groups(rows.to_dicts(), keys):
        amount = Decimal(group[0]["amount"])
        roles = []
        for role, members in _groups(group, ("role",)):
            direct = [r for r in members if r["credit"] == "direct"]
            people = []
            for r in sorted(direct, key=lambda r: r["person"].encode("utf-8")):
                share, credited = Decimal(r["share"]), Decimal(r["credited"])
                exact = amount * share
                base = (exact / unit).to_integral_value(rounding=ROUND_FLOOR) * unit
                people.append({"person": r["person"], "share": r["share"], "exact": _plain_dec(exact),
                               "floor": str(base), "remainder_units": int((credited - base) / unit),
                               "credited": r["credited"], **_attributes(r)})
            total = sum((Decimal(r["credited"]) for r in direct), Decimal(0))
            shares = sum((Decimal(r["share"]) for r in direct), Decimal(0))
            rollups = [{"person": r["person"], "level": r["level"], "share": r["share"], "credited": r["credited"],
                        **_attributes(r)}
                       for r in sorted((r for r in members if r["credit"] == "rollup"),
                                       key=lambda r: (int(r["level"] or 0), r["person"].encode("utf-8")))]
            roles.append({"role": role[0], "shares": _plain_dec(shares), "exact_total": _plain_dec(amount * shares),
                          "total": str(total), "people": people, "rollups": rollups})
        events.append({**dict(zip(keys, event_key)), "amount": str(amount), "roles": roles})
    return LineCredit(line_id=line_id, source=first.get("source") or "", line_date=first.get("line_date") or "",
                      rounding=credits.rounding, events=events)


def line_json(c: LineCredit) -> str:
    return json_text(asdict(c), indent=2) + "\n"


def line_text(c: LineCredit, lang: str) -> str:
    t = _tr(lang)
    out = [t(f"line {c.line_id} — source {c.source} — line date {c.line_date}",
             f"明细 {c.line_id} — 来源 {c.source} — 单据日期 {c.line_date}")]
    for e in c.events:
        kind = {"refund": t("refund", "退款"), "collection": t("collection", "回款")}.get(e["kind"], t("line", "原单"))
        out.append(t(f"  {kind} {e['event_id']} ({e['source']}), {_amount_word(e['amount_name'], lang)} "
                     f"dated {e['event_date']}: {e['amount']}",
                     f"  {kind} {e['event_id']}（{e['source']}），{_amount_word(e['amount_name'], lang)}，"
                     f"日期 {e['event_date']}：{e['amount']}"))
        for r in e["roles"]:
            out.append(t(f"    role {r['role']}: shares {r['shares']}, {e['amount']} × {r['shares']} = "
                         f"{r['exact_total']} → {r['total']} (rounded {c.rounding})",
                         f"    角色 {_role(r['role'], lang)}：比例合计 {r['shares']}，{e['amount']} × {r['shares']} = "
                         f"{r['exact_total']} → {r['total']}（{_ROUNDING_ZH.get(c.rounding, c.rounding)}）"))
            for p in r["people"]:
                extra = (t(f" + {p['remainder_units']} unit(s) by largest remainder",
                           f" + 最大余数分配 {p['remainder_units']} 个最小单位") if p["remainder_units"] else "")
                out.append(t(f"      {p['person']}: share {p['share']}, exact {p['exact']}, floor {p['floor']}"
                             f"{extra} = credited {p['credited']}{_attr_text(p)}",
                             f"      {p['person']}：比例 {p['share']}，精确值 {p['exact']}，向下取整 {p['floor']}"
                             f"{extra} = 归属金额 {p['credited']}{_attr_text(p)}"))
            for a in r["rollups"]:
                out.append(t(f"      roll-up level {a['level']} → {a['person']}: share {a['share']}, "
                             f"credited {a['credited']}{_attr_text(a)}",
                             f"      上级汇总第 {a['level']} 级 → {a['person']}：比例 {a['share']}，"
                             f"归属金额 {a['credited']}{_attr_text(a)}"))
    return "\n".join(printable_cell(line) for line in out) + "\n"


# -- helpers

#: money.rounding in Chinese (docs/crediting.md: the role's total is rounded with the policy's mode)
_ROUNDING_ZH = {"half_up": "四舍五入", "half_even": "四舍六入五成双", "down": "向零舍去", "up": "远离零进位"}

_CORE = {"line_id", "source", "kind", "event_id", "amount_name", "event_date", "line_date", "person", "role",
         "credit", "level", "share", "amount", "credited"}


def _attributes(r: dict[str, Any]) -> dict[str, Any]:
    """The assignment attributes (team, region ...) a credit row carries."""
    return {"attributes": {k: v for k, v in r.items() if k not in _CORE}}


def _attr_text(r: dict[str, Any]) -> str:
    attrs = r.get("attributes") or {}
    shown = ", ".join(f"{k}={v}" for k, v in attrs.items() if v is not None)
    return f" [{shown}]" if shown else ""


def _groups(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> list[tuple[tuple, list[dict[str, Any]]]]:
    """Rows grouped by ``keys``, groups in order of first appearance."""
    found: dict[tuple, list[dict[str, Any]]] = {}
    for r in rows:
        found.setdefault(tuple(r.get(k) for k in keys), []).append(r)
    return list(found.items())


def _plain_dec(d: Decimal) -> str:
    return fmt(d)


def _money(value: Any, decimals: int) -> str:
    if value is None:
        return "—"
    return f"{Decimal(str(value)):,.{decimals}f}"


def _plain(value: Any, lang: str) -> str:
    if value is None:
        return "无" if lang == "zh" else "none"
    return fmt(value)


def _json_value(value: Any) -> Any:
    return value if value is None or isinstance(value, (int, str, bool)) else fmt(value)


def _kind(kind: str, lang: str) -> str:
    if lang != "zh":
        return {"count_distinct": "distinct count"}.get(kind, kind)
    return {"sum": "合计", "count": "笔数", "count_distinct": "去重计数", "earliest": "最早日期",
            "latest": "最晚日期"}.get(kind, kind)


def _role(role: str, lang: str) -> str:
    if lang != "zh":
        return role
    return {"owner": "负责人", "overlay": "协作"}.get(role, role)


def _amount_word(name: str, lang: str) -> str:
    if lang != "zh":
        return name
    return {"amount": "金额", "collected": "回款"}.get(name, name)


def _tr(lang: str):  # type: ignore[no-untyped-def]
    return lambda en, zh: zh if lang == "zh" else en
