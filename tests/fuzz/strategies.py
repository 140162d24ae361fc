"""Hypothesis strategies: plausible policies, mutated policy files, period data.

* ``policies()`` draws a ``PolicySpec``: a policy (as YAML text) built from
  the real format -- inputs, derived values, KPIs with curves or steps,
  payouts with marginal / step / linear tiers, caps, gates, band factors,
  penalties and vetoes, 271-style ranking, recommendations -- mostly valid,
  sometimes not (weights that do not sum, a text used as a number, a
  division that can hit zero), plus what the data for it looks like.
* ``mutated_policy_bytes()`` takes such a policy and damages it the way an
  editor, a merge or an attacker would: deletions, duplicated lines,
  anchors, aliases, merge keys, tags, stray bytes, deep brackets.
* ``data_for(spec)`` draws rows for a spec's inputs -- usually clean, with
  hostile cells mixed in (formula text, NaN, huge numbers, separators,
  quotes, line breaks, empty cells, duplicate ids) -- and ``csv_bytes``
  writes them in a drawn encoding.
* ``hostile_csv_bytes()`` draws raw CSV bytes for the fixed hostile policy.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

import yaml
from hypothesis import strategies as st

# ------------------------------------------------------------------ YAML text


class _Dumper(yaml.SafeDumper):
    pass


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = format(value, "f")  # written plain: 0, -1000, 0.088 (the loader reads them as exact decimals)
    return dumper.represent_scalar("tag:yaml.org,2002:int" if "." not in text else "tag:yaml.org,2002:float", text)


_Dumper.add_representer(Decimal, _decimal)


def dump(doc: dict) -> str:
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=None, width=120)


# ------------------------------------------------------------------ policies


@dataclass
class InputSpec:
    id: str
    type: str
    min: Decimal | None = None
    values: tuple[str, ...] = ()
    default: object = None


@dataclass
class PolicySpec:
    text: str
    period_unit: str
    period: str
    inputs: list[InputSpec] = field(default_factory=list)
    history: bool = False  # reads earlier closed periods (prev / streak)

    @property
    def next_period(self) -> str:
        return NEXT_PERIODS[self.period_unit]

    @property
    def id_input(self) -> InputSpec:
        return next(i for i in self.inputs if i.type == "id")


PERIODS = {"month": "2026-03", "quarter": "2026-Q1", "half": "2026-H1", "year": "2026"}
NEXT_PERIODS = {"month": "2026-04", "quarter": "2026-Q2", "half": "2026-H2", "year": "2027"}

small = st.integers(min_value=0, max_value=200).map(Decimal)
rate = st.integers(min_value=0, max_value=150).map(lambda n: Decimal(n) / 1000)


def _ascending(draw, n: int, lo: int, hi: int) -> list[Decimal]:
    picks = draw(st.lists(st.integers(min_value=lo, max_value=hi), min_size=n, max_size=n, unique=True))
    return [Decimal(v) / 10 for v in sorted(picks)]


@st.composite
def expressions(draw, names: list[str], depth: int = 2) -> str:
    """A numeric expression over ``names`` from the documented library."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(names + ["1", "2.5", "0", "100", "0.1"]))
    a = draw(expressions(names, depth - 1))
    b = draw(expressions(names, depth - 1))
    form = draw(st.sampled_from(["+", "-", "*", "/", "safe_div", "min", "max", "abs", "round", "clamp", "if",
                                 "pow", "floordiv", "mod", "coalesce"]))
    if form in "+-*/":
        return f"({a} {form} {b})"
    if form == "safe_div":
        return f"safe_div({a}, {b}, 0)"
    if form in ("min", "max", "coalesce"):
        return f"{form}({a}, {b})"
    if form == "abs":
        return f"abs({a})"
    if form == "round":
        return f"round({a}, {draw(st.integers(0, 4))})"
    if form == "clamp":
        return f"clamp({a}, 0, 1000)"
    if form == "pow":
        return f"({a}) ** {draw(st.integers(0, 4))}"
    if form == "floordiv":
        return f"({a} // {b})"
    if form == "mod":
        return f"({a} % {b})"
    return f"({a} if {a} > {b} else {b})"


@st.composite
def policies(draw) -> PolicySpec:
    unit = draw(st.sampled_from(sorted(PERIODS)))
    n_numbers = draw(st.integers(1, 4))
    inputs = [InputSpec("employee_id", "id")]
    doc_inputs: dict[str, dict] = {"employee_id": {"type": "id"}}
    numbers = []
    for i in range(n_numbers):
        kind = draw(st.sampled_from(["number", "integer", "percent", "number"]))
        spec = InputSpec(f"x{i}", kind, min=draw(st.sampled_from([None, Decimal(0)])))
        entry: dict = {"type": kind}
        if spec.min is not None:
            entry["min"] = spec.min
        if draw(st.booleans()) and kind != "percent":
            spec.default = Decimal(0)
            entry["default"] = spec.default
        inputs.append(spec)
        doc_inputs[spec.id] = entry
        numbers.append(spec.id)
    inputs.append(InputSpec("pay", "money", min=Decimal(0)))
    doc_inputs["pay"] = {"type": "money", "min": Decimal(0)}
    grouped = draw(st.booleans())
    if grouped:
        inputs.append(InputSpec("grp", "text", values=("g1", "g2", "g3")))
        doc_inputs["grp"] = {"type": "text"}
    flagged = draw(st.booleans())
    if flagged:
        inputs.append(InputSpec("flag", "boolean", default=False))
        doc_inputs["flag"] = {"type": "boolean", "default": False}
    doc: dict = {"policy": draw(st.sampled_from(["fuzz", "fuzz-plan", "f_2"])), "version": "1", "title": "Fuzz plan",
                 "period": unit, "currency": "CNY",
                 "money": {"decimals": draw(st.integers(0, 4)),
                           "rounding": draw(st.sampled_from(["half_up", "half_even", "down", "up"]))},
                 "inputs": doc_inputs}
    names = list(numbers)
    derived = {}
    for i in range(draw(st.integers(0, 3))):
        derived[f"d{i}"] = draw(expressions(names))
        names.append(f"d{i}")
    history = draw(st.booleans())
    if history:  # 环比: this period against the previous closed one
        derived["growth"] = f"{numbers[0]} - coalesce(prev({numbers[0]}), 0)"
        names.append("growth")
    if derived:
        doc["derived"] = derived
    if grouped and draw(st.booleans()):
        doc["aggregates"] = {"grp_total": {draw(st.sampled_from(["sum", "mean", "max", "median"])): names[0],
                                           "by": "grp"}}
        names.append("grp_total")
    k = draw(st.integers(1, 3))
    cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=k - 1, max_size=k - 1, unique=True)))
    weights = [b - a for a, b in zip([0, *cuts], [*cuts, 100])]
    if draw(st.integers(0, 9)) == 0:
        weights[0] += 1  # weights-sum: an invalid policy now and then
    kpis = {}
    for i, w in enumerate(weights):
        value = draw(st.sampled_from(names))
        if draw(st.booleans()):
            xs = _ascending(draw, draw(st.integers(2, 4)), -10, 2000)
            score = {"curve": [[x, draw(small)] for x in xs]}
        else:
            xs = _ascending(draw, draw(st.integers(1, 4)), 0, 2000)
            score = {"step": [{"from": x, "points": draw(small)} for x in xs]}
        kpis[f"k{i}"] = {"value": value, "weight": w, "score": score}
    doc["kpis"] = kpis
    doc["score"] = {"decimals": draw(st.integers(0, 4))}
    bands: list[str] = []
    if draw(st.booleans()):
        shares = draw(st.sampled_from([["0.2", "0.7", "0.1"], ["0.5", "0.5"], ["0.3", "0.7"], ["1"],
                                       ["0.1", "0.2", "0.3", "0.4"]]))
        bands = ["A", "B", "C", "D"][: len(shares)]
        ranking: dict = {"by": "score", "bands": {b: {"share": Decimal(s)} for b, s in zip(bands, shares)},
                         "rounding": draw(st.sampled_from(["largest_remainder", "floor", "nearest"])),
                         "ties": draw(st.sampled_from(["keep_together", "split"])),
                         "min_group": draw(st.integers(1, 5))}
        if grouped and draw(st.booleans()):
            ranking["within"] = ["grp"]
        if draw(st.booleans()):
            ranking["tie_break"] = [f"{draw(st.sampled_from(names))} {draw(st.sampled_from(['asc', 'desc']))}"]
        if len(bands) > 1 and draw(st.booleans()):
            ranking["bands"][bands[-1]]["guard"] = f"score < {draw(st.integers(10, 90))}"
        doc["ranking"] = ranking
    payouts: dict = {}
    mode = draw(st.sampled_from(["marginal", "step", "linear"]))
    froms = _ascending(draw, draw(st.integers(1, 3)), 1, 30)
    froms[0] = Decimal(0)
    table = [{"from": f, "rate": draw(rate)} for f in froms]
    commission: dict = {"base": "pay", "tiers": {"mode": mode, "table": table}}
    if draw(st.booleans()):
        commission["tiers"]["basis"] = draw(st.sampled_from(names + ["score"]))
    if draw(st.booleans()):
        commission["cap"] = draw(st.sampled_from(["pay", "1000", "2 * pay"]))
    if draw(st.booleans()):
        commission["gate"] = f"{draw(st.sampled_from(names))} >= {draw(st.integers(0, 50))}"
    if bands and draw(st.booleans()):
        commission["band_factor"] = {b: Decimal(len(bands) - i) / 2 for i, b in enumerate(bands)}
    payouts["commission"] = commission
    if draw(st.booleans()):
        payouts["bonus"] = {"amount": draw(st.sampled_from(["score * 10", "pay * 0.1", "commission * 0.5",
                                                            f"{draw(st.sampled_from(names))} * 3"]))}
    doc["payouts"] = payouts
    if flagged or draw(st.booleans()):
        penalty: dict = {"amount": draw(st.sampled_from([Decimal(50), "pay * 0.01", "10 * x0"]))}
        if flagged:
            penalty["when"] = "flag"
            if draw(st.booleans()):
                penalty["forfeit"] = "all"
            if bands and draw(st.booleans()):
                penalty["band"] = bands[-1]
        doc["penalties"] = {"fine": penalty}
    doc["floor"] = draw(st.sampled_from([Decimal(0), None, Decimal(-1000)]))
    if bands and draw(st.booleans()):
        when = f'band == "{bands[-1]}"'
        if history:
            when += f' and streak(band == "{bands[-1]}") >= 2'
        doc["recommendations"] = {"improve": {"when": when, "action": "improvement_plan",
                                              "reason": draw(st.sampled_from(["bottom band", "=HYPERLINK(\"x\")",
                                                                              "+cmd", "改进计划"]))}}
    return PolicySpec(dump(doc), unit, PERIODS[unit], inputs, history)


# ------------------------------------------------------------------ damaged policy files

HOSTILE_SNIPPETS = [
    "&a ", "*a", "<<: *a\n", "<<: {x: 1}\n", "!!python/object/apply:os.system ['id'] ", "!include x ",
    "!!binary aGk= ", "---\n", "...\n", "\t", "\x00", "\x07", "\ufeff", "\u2028", "[" * 80, "{" * 80,
    "'unterminated", '"\\x', "? complex key\n", ": :", "- - -", "#", "%YAML 1.1\n", "~", "0x" + "f" * 50,
    "1e999999999", ".nan", "9" * 40, "__import__('os')", "revenue.__class__", "(" * 50, "lambda: 1",
    "k0: {value: x0, weight: 100, score: {curve: [[0, 0], [1, 100]]}}\n",
]


@st.composite
def mutated_policy_bytes(draw) -> bytes:
    text = draw(policies()).text
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "duplicate", "insert", "swap", "truncate", "indent", "bytes"]))
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "insert":
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(st.sampled_from(HOSTILE_SNIPPETS)) + lines[i][at:]
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "truncate":
            lines = lines[: i + 1]
            lines[-1] = lines[-1][: draw(st.integers(0, len(lines[-1])))]
        elif op == "indent":
            lines[i] = " " * draw(st.integers(1, 7)) + lines[i]
    raw = "\n".join(lines).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 5)) == 0:
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=4)) + raw[at:]
    return raw


# ------------------------------------------------------------------ data

HOSTILE_CELLS = [
    "", " ", "=1+1", "+cmd", "-1+2", "@SUM(1)", "\t=x", "\r=x", "=HYPERLINK(\"http://x\",\"y\")", "NaN", "inf",
    "-Infinity", "1e30", "1" * 25, "0.0000000000001", "1,234.5", "¥1,234.50", "(5)", "12%", "是", "true",
    "a,b", 'a"b', "line\nbreak", "\u200b=1", "\u3000@x", "刘勇", "２", "-0", "+5", "0x10", "1_000",
    "2026-01-31", "\x1b[31m", "../../x",
]


def _number_text(draw, spec: InputSpec) -> str:
    if spec.type == "integer":
        return str(draw(st.integers(0 if spec.min is not None else -1000, 100000)))
    if spec.type == "percent":
        return f"{draw(st.integers(0, 150))}%" if draw(st.booleans()) else str(Decimal(draw(st.integers(0, 150))) / 100)
    if spec.type == "money":
        return f"{draw(st.integers(0, 10_000_000)) / 100:.2f}"
    value = Decimal(draw(st.integers(0 if spec.min is not None else -10**6, 10**6))) / Decimal(10) ** draw(st.integers(0, 4))
    return format(value, "f")


@st.composite
def data_for(draw, spec: PolicySpec, max_rows: int = 25, hostile: bool = True) -> list[list[str]]:
    """Header plus rows (cells as text) for the spec's inputs: clean most of
    the time; now and then with a few hostile cells or a duplicate id."""
    header = [i.id for i in spec.inputs]
    n = draw(st.integers(1, max_rows))
    rows = []
    for r in range(n):
        row = []
        for inp in spec.inputs:
            if inp.type == "id":
                row.append(f"E{r:03d}")
            elif inp.type == "text":
                row.append(draw(st.sampled_from(list(inp.values) + ["=cmd", "+g", "组一", "@x", "-1+2"])))
            elif inp.type == "boolean":
                row.append(draw(st.sampled_from(["true", "false", "是", "否", ""])))
            else:
                row.append(_number_text(draw, inp))
        rows.append(row)
    if hostile and draw(st.integers(0, 3)) == 0:
        for _ in range(draw(st.integers(1, 3))):
            r, c = draw(st.integers(0, n - 1)), draw(st.integers(0, len(header) - 1))
            rows[r][c] = draw(st.sampled_from(HOSTILE_CELLS))
    if hostile and n > 1 and draw(st.integers(0, 9)) == 0:
        rows[-1][0] = rows[0][0]  # a duplicate employee id
    return [header, *rows]


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@st.composite
def csv_bytes(draw, rows: list[list[str]]) -> bytes:
    text = csv_text(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "gbk", "utf-16"]))
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode("utf-8")


@st.composite
def hostile_csv_bytes(draw) -> bytes:
    """Raw CSV for the fixed hostile policy (employee_id,name,region,team,revenue,target):
    hostile text in the text columns, mostly valid amounts, now and then a
    damaged header, a random row or a file cut short."""
    header = "employee_id,name,region,team,revenue,target"
    if draw(st.integers(0, 10)) == 0:
        header = draw(st.sampled_from(["", "\ufeff" + header, header.upper(), header + ",extra", "employee_id;name"]))
    text = st.one_of(st.sampled_from([c for c in HOSTILE_CELLS if c.strip()]),
                     st.text(min_size=1, max_size=8).filter(lambda t: t.strip()))
    amount = st.one_of(st.integers(0, 10**6).map(str), st.decimals(0, 10**6, places=2).map(str),
                       st.sampled_from(["1,234.50", "¥5", "12元", "0"]))
    rows = []
    for i in range(draw(st.integers(1, 12))):
        if draw(st.integers(0, 15)) == 0:
            rows.append(draw(st.lists(st.one_of(text, amount), min_size=0, max_size=8)))
            continue
        target = draw(st.decimals(Decimal("0.01"), 10**6, places=2).map(str))
        rows.append([f"E{i}" if draw(st.integers(0, 4)) else draw(text), draw(text), draw(text), draw(text),
                     draw(amount), target])
    body = io.StringIO()
    csv.writer(body, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows(rows)
    raw = (header + "\n" + body.getvalue()).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 8)) == 0:
        raw = raw[: draw(st.integers(0, len(raw)))]
    return raw
