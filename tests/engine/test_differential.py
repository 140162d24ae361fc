"""Differential test: the column-wise engine against a row-wise reference.

Hypothesis draws policies (curves, weights, tier tables of every mode,
gates, proration, caps, floors, penalties, rounding modes, money decimals)
and data; the reference below recomputes every person one at a time with
Python's ``decimal`` (the engine's documented numeric model: ``*`` and
``/`` rounded half-even at 12 places). Every score and money amount must be
equal -- exactly.
"""

from __future__ import annotations

import random
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incentive.numeric import py_div, py_mul, py_round, to_dec
from tests.engine.policy_kit import person, run

ROUNDING = ["half_up", "half_even", "down", "up"]


def dec(draw, lo: int, hi: int, places: int) -> D:
    return D(draw(st.integers(lo * 10**places, hi * 10**places))).scaleb(-places)


@st.composite
def plans(draw):
    r = draw(st.randoms(use_true_random=False))
    p = {
        "money_decimals": draw(st.integers(0, 3)),
        "rounding": draw(st.sampled_from(ROUNDING)),
        "score_decimals": draw(st.integers(0, 3)),
        "score_rounding": draw(st.sampled_from(ROUNDING)),
    }
    # two KPIs, weights summing to 100
    w1 = draw(st.integers(0, 100))
    p["weights"] = [D(w1), D(100 - w1)]
    curves = []
    for _ in range(2):
        n = draw(st.integers(2, 4))
        xs = sorted(set(dec(draw, 0, 3, 2) for _ in range(n)))
        if len(xs) < 2:
            xs = [D(0), D(1)]
        pts = [dec(draw, 0, 150, 1) for _ in xs]
        curves.append(list(zip(xs, pts)))
    p["curves"] = curves
    mode = draw(st.sampled_from(["marginal", "step", "linear"]))
    n = draw(st.integers(1, 4))
    starts = sorted(set([D(0)] + [dec(draw, 0, 3, 2) for _ in range(n - 1)]))
    p["tiers"] = (mode, [(s, dec(draw, 0, 1, 3) / 5) for s in starts])
    p["tier_basis"] = draw(st.sampled_from(["attainment", None]))
    p["gate"] = draw(st.sampled_from([None, "attainment >= 0.5", "flag"]))
    p["prorate"] = draw(st.booleans())
    p["cap"] = draw(st.sampled_from([None, D(5000), D("12345.67")]))
    p["floor"] = draw(st.sampled_from([None, D(10)]))
    p["bonus_factor"] = dec(draw, 0, 2, 3)
    p["penalty"] = (dec(draw, 0, 500, 2), draw(st.sampled_from([None, D(300)])))
    p["total_floor"] = draw(st.sampled_from([D(0), None]))
    p["seed"] = r.randint(0, 10**6)
    return p


@st.composite
def rows(draw):
    n = draw(st.integers(1, 12))
    out = []
    for i in range(n):
        out.append({
            "employee_id": f"E{i:02d}",
            "revenue": str(dec(draw, 0, 900000, 2)),
            "target": str(dec(draw, 1, 900000, 2)),
            "bonus": str(dec(draw, 0, 20000, 2)),
            "days": str(draw(st.integers(0, 90))),
            "flag": draw(st.sampled_from(["true", "false"])),
            "missed": str(draw(st.integers(0, 5))),
        })
    return out


def policy_yaml(p) -> str:
    mode, table = p["tiers"]
    curves = [", ".join(f"[{x}, {y}]" for x, y in c) for c in p["curves"]]
    tier_rows = ", ".join(f"{{from: {s}, rate: {rt}}}" for s, rt in table)
    basis = f"basis: {p['tier_basis']}, " if p["tier_basis"] else ""
    lines = [
        "inputs:",
        "  employee_id: {type: id}",
        "  revenue: {type: money, min: 0}",
        "  target: {type: money, min: 0.01}",
        "  bonus: {type: money, min: 0}",
        "  days: {type: integer, min: 0}",
        "  flag: {type: boolean}",
        "  missed: {type: integer, min: 0}",
        "derived:",
        "  attainment: revenue / target",
        "kpis:",
        f"  k1: {{value: attainment, weight: {p['weights'][0]}, score: {{curve: [{curves[0]}]}}}}",
        f"  k2: {{value: days / 90, weight: {p['weights'][1]}, score: {{curve: [{curves[1]}]}}}}",
        f"score: {{decimals: {p['score_decimals']}, rounding: {p['score_rounding']}}}",
        "payouts:",
        "  commission:",
        "    base: revenue",
        f"    tiers: {{{basis}mode: {mode}, table: [{tier_rows}]}}",
    ]
    if p["gate"]:
        lines.append(f"    gate: {p['gate']}")
    if p["prorate"]:
        lines.append("    prorate: days / period_days")
    if p["cap"] is not None:
        lines.append(f"    cap: {p['cap']}")
    if p["floor"] is not None:
        lines.append(f"    floor: {p['floor']}")
    lines += [
        "  bonus_pay:",
        f"    amount: bonus * score / 100 * {p['bonus_factor']}",
        "penalties:",
        f"  late: {{when: missed > 0, amount: missed * {p['penalty'][0]}"
        + (f", cap: {p['penalty'][1]}}}" if p["penalty"][1] is not None else "}"),
        f"floor: {p['total_floor'] if p['total_floor'] is not None else 'null'}",
    ]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------- the reference


def curve_points(curve, x: D) -> D:
    if x <= curve[0][0]:
        return to_dec(curve[0][1])
    for (x0, y0), (x1, y1) in zip(curve, curve[1:]):
        if x <= x1:
            return to_dec(y0) + py_div(py_mul(x - x0, to_dec(y1) - to_dec(y0)), to_dec(x1) - to_dec(x0))
    return to_dec(curve[-1][1])


def tier_amount(mode, table, base: D, basis: D | None) -> D:
    x = base if basis is None else basis
    if mode == "marginal":
        weighted = D(0)
        for i, (start, rate) in enumerate(table):
            top = x if i + 1 == len(table) else min(x, table[i + 1][0])
            weighted += py_mul(max(top - start, D(0)), to_dec(rate))
        if basis is None:
            return weighted
        return D(0) if basis <= 0 else py_div(py_mul(base, weighted), basis)
    if mode == "step":
        rate = None
        for start, r in table:
            if x >= start:
                rate = r
        return D(0) if rate is None else py_mul(base, to_dec(rate))
    if x < table[0][0]:
        return D(0)  # below the first tier nothing is paid (B7), in every mode
    rate = curve_points([(s, r) for s, r in table], x) if len(table) > 1 else to_dec(table[0][1])
    return py_mul(base, rate)


def reference(p, row) -> dict[str, D]:
    md, mode = p["money_decimals"], p["rounding"]
    revenue, target, bonus = D(row["revenue"]), D(row["target"]), D(row["bonus"])
    days, flag, missed = D(row["days"]), row["flag"] == "true", D(row["missed"])
    attainment = py_div(revenue, target)
    k1 = curve_points(p["curves"][0], attainment)
    k2 = curve_points(p["curves"][1], py_div(days, D(90)))
    raw = py_mul(k1, p["weights"][0]) + py_mul(k2, p["weights"][1])
    score = py_round(py_div(raw, D(100)), p["score_decimals"], p["score_rounding"])
    tmode, table = p["tiers"]
    value = tier_amount(tmode, table, revenue, attainment if p["tier_basis"] else None)
    if p["prorate"]:
        value = py_mul(value, py_div(days, D(90)))  # 2026-Q1 has 90 days
    if p["floor"] is not None:
        value = max(value, p["floor"])
    if p["cap"] is not None:
        value = min(value, p["cap"])
    gate = {None: True, "attainment >= 0.5": attainment >= D("0.5"), "flag": flag}[p["gate"]]
    commission = py_round(value if gate else D(0), md, mode)
    bonus_pay = py_round(py_mul(py_div(py_mul(bonus, score), D(100)), p["bonus_factor"]), md, mode)
    amount, cap = p["penalty"]
    late = py_mul(missed, amount)
    if cap is not None:
        late = min(late, cap)
    late = py_round(late if missed > 0 else D(0), md, mode)
    total = commission + bonus_pay - late
    if p["total_floor"] is not None:
        total = max(total, p["total_floor"])
    return {"score": score, "commission": commission, "bonus_pay": bonus_pay, "late": late,
            "total": py_round(total, md, mode)}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=plans(), data=rows())
def test_engine_equals_row_wise_reference(tmp_path, plan, data):
    body = policy_yaml(plan)
    results = run(tmp_path, body, data, rounding=plan["rounding"], money_decimals=plan["money_decimals"])
    for row in data:
        expected = reference(plan, row)
        got = person(results, row["employee_id"])
        for name, value in expected.items():
            assert got[name] == value, (name, row, body)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=plans(), data=rows(), seed=st.integers(0, 2**16))
def test_row_order_changes_nothing(tmp_path, plan, data, seed):
    body = policy_yaml(plan)
    first = run(tmp_path, body, data, rounding=plan["rounding"], money_decimals=plan["money_decimals"])
    shuffled = list(data)
    random.Random(seed).shuffle(shuffled)
    second = run(tmp_path, body, shuffled, rounding=plan["rounding"], money_decimals=plan["money_decimals"])
    assert first.frame.equals(second.frame)
