"""The export table from a results frame: rows, signs, the floor row, people, the control total, decimals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from incentive.errors import UsageError
from incentive.exports.build import Context, build_table
from incentive.exports.layout import parse_layout
from incentive.exports.people import People
from incentive.numeric import DTYPE
from incentive.policy.validate import load_policy

POLICY = load_policy(Path(__file__).resolve().parents[1] / "cases" / "exports" / "policy.yaml").policy


def results(rows: list[tuple[str, str, str, str, str, str]]) -> pl.DataFrame:
    """(id, name, commission, allowance, late, total) per person, as a close records them."""
    ids, names, *amounts = zip(*rows)
    frame = pl.DataFrame({"employee_id": list(ids), "name": list(names)})
    for col, values in zip(["commission", "allowance", "late", "total"], amounts):
        frame = frame.with_columns(pl.Series(col, [Decimal(v) for v in values]).cast(DTYPE))
    return frame


RESULTS = results([("A1", "张三", "500", "500", "0", "1000"),
                   ("A2", "李四", "117.28", "500", "100", "517.28"),
                   ("A3", "王五", "0", "500", "800", "0")])  # floored from -300


def ctx(total: str = "1517.28") -> Context:
    return Context(period="2026-03", period_start=date(2026, 3, 1), period_end=date(2026, 3, 31),
                   export_date=date(2026, 4, 2), currency="CNY", close_total=Decimal(total))


def layout(body: str, rows: str = "person"):
    return parse_layout(f"layout: t\nformat: csv\nrows: {rows}\n{body}", "t.yaml")


def cells(table) -> list[tuple]:
    return [tuple(str(v) if isinstance(v, Decimal) else v for v in r) for r in table.frame.rows()]


def test_one_row_per_person_pays_the_total():
    t = build_table(RESULTS, POLICY, layout("columns:\n  - {header: id, source: employee_id}\n"
                                            "  - {header: amt, source: amount}\n"), ctx(), None)
    assert [(r[0], Decimal(r[1])) for r in t.frame.rows()] == [("A1", 1000), ("A2", Decimal("517.28")), ("A3", 0)]
    assert t.control_total == Decimal("1517.28") and t.people == 3


def test_component_rows_sign_deductions_and_carry_the_floors_raise():
    lay = layout("skip_zero: true\ncolumns:\n  - {header: id, source: employee_id}\n"
                 "  - {header: c, source: component}\n  - {header: amt, source: amount}\n", "person_component")
    t = build_table(RESULTS, POLICY, lay, ctx(), None)
    got = [(i, c, Decimal(a)) for i, c, a in t.frame.rows()]
    assert got == [("A1", "commission", 500), ("A1", "allowance", 500),
                   ("A2", "commission", Decimal("117.28")), ("A2", "allowance", 500), ("A2", "late", -100),
                   ("A3", "allowance", 500), ("A3", "late", -800), ("A3", "floor", 300)]


def test_deductions_positive_still_subtract_in_the_control_total():
    lay = parse_layout("layout: t\nformat: csv\nrows: person_component\ndeductions: positive\nskip_zero: true\n"
                       "columns:\n  - {header: id, source: employee_id}\n  - {header: amt, source: amount}\n", "t.yaml")
    t = build_table(RESULTS, POLICY, lay, ctx(), None)
    assert sorted(Decimal(a) for _, a in t.frame.rows() if Decimal(a) in (100, 800)) == [100, 800]
    assert t.control_total == Decimal("1517.28")


def test_a_control_total_that_differs_from_the_close_is_refused():
    lay = layout("columns:\n  - {header: amt, source: amount}\n")
    with pytest.raises(UsageError) as caught:
        build_table(RESULTS, POLICY, lay, ctx("1517.29"), None)
    assert str(caught.value) == ("control total: the exported amounts add up to 1517.28 CNY, but the close's payout "
                                 "total is 1517.29 CNY (difference -0.01); nothing was written")


def test_an_amount_the_layouts_decimals_would_round_is_refused():
    lay = layout("numbers: {decimals: 0}\ncolumns:\n  - {header: amt, source: amount}\n")
    with pytest.raises(UsageError) as caught:
        build_table(RESULTS, POLICY, lay, ctx(), None)
    assert "numbers.decimals is 0, but A2's 'amt' is 517.28: writing it would round it" in str(caught.value)


def test_people_fields_join_by_id_and_a_missing_paid_person_is_named():
    people = People("p.csv", pl.DataFrame({"__row__": [2, 3], "employee_id": ["A1", "A2"],
                                           "account": ["6222", "=HYPERLINK(1)"]}), {})
    lay = layout("skip_zero: true\ncolumns:\n  - {header: acct, source: 'people:account'}\n"
                 "  - {header: amt, source: amount}\n")
    t = build_table(RESULTS, POLICY, lay, ctx(), people)
    assert [r[0] for r in t.frame.rows()] == ["6222", "'=HYPERLINK(1)"]  # a formula-like cell made text
    lay = layout("columns:\n  - {header: acct, source: 'people:account'}\n  - {header: amt, source: amount}\n")
    with pytest.raises(UsageError) as caught:
        build_table(RESULTS, POLICY, lay, ctx(), people)  # A3 is in the export (no skip_zero), not in people
    assert str(caught.value).startswith("p.csv: no row for 1 person(s) the export pays: A3;")
    with pytest.raises(UsageError) as caught:
        build_table(RESULTS, POLICY, lay, ctx(), None)
    assert "give it with --people FILE" in str(caught.value)


def test_an_unknown_component_in_a_source_is_named_with_the_policys_own():
    lay = layout("columns:\n  - {header: amt, source: amount}\n  - {header: b, source: 'penalty:lateness'}\n")
    with pytest.raises(UsageError) as caught:
        build_table(RESULTS, POLICY, lay, ctx(), None)
    assert str(caught.value) == ("t.yaml:6:25: unknown penalty 'lateness' in column source 'penalty:lateness' "
                                 "(the policy export-case's penalties: late)")


def test_period_dates_constants_and_the_footer():
    lay = layout("dates: '%Y%m%d'\ncolumns:\n  - {header: n, source: row_number}\n"
                 "  - {header: from, source: period_start}\n  - {header: to, source: period_end}\n"
                 "  - {header: note, source: constant, value: '{period} 奖金 {currency}'}\n"
                 "  - {header: amt, source: amount}\n"
                 "control_total: {label: 合计, label_column: note, count_column: n}\n")
    t = build_table(RESULTS, POLICY, lay, ctx(), None)
    assert cells(t)[0][:4] == ("1", "20260301", "20260331", "2026-03 奖金 CNY")
    assert t.footer == {3: "合计", 0: "3", 4: Decimal("1517.28")}


def test_a_layout_that_refuses_negative_amounts_names_who_would_be_charged():
    unfloored = results([("A1", "张三", "500", "500", "0", "1000"), ("A2", "李四", "0", "0", "300", "-300")])
    lay = layout("negative: refuse\ncolumns:\n  - {header: amt, source: amount}\n")
    with pytest.raises(UsageError) as caught:
        build_table(unfloored, POLICY, lay, ctx("700"), None)
    assert str(caught.value).startswith("t.yaml: 1 negative amount(s) (A2 -300 CNY): the layout t refuses them")
    allowed = build_table(unfloored, POLICY, layout("columns:\n  - {header: amt, source: amount}\n"), ctx("700"), None)
    assert allowed.control_total == 700


def test_a_draw_on_the_total_is_its_own_row_after_the_floors():
    text = (Path(__file__).resolve().parents[1] / "cases" / "exports" / "policy.yaml").read_text(encoding="utf-8")
    text += "draws:\n  guarantee:\n    label: {en: Guarantee, zh: 保底}\n    of: total\n    kind: non_recoverable\n" \
            "    amount: 600\n"
    policy = load_policy("with-draw.yaml", data=text.encode("utf-8")).policy
    # A2 earns 517.28, topped up by 82.72 to 600; A3 is floored from -300 to 0, then topped up by 600
    frame = RESULTS.with_columns(pl.Series("total", [Decimal("1000"), Decimal("600"), Decimal("600")]).cast(DTYPE),
                                 pl.Series("guarantee.shortfall", [Decimal(0), Decimal("82.72"), Decimal(600)]).cast(DTYPE),
                                 pl.Series("guarantee.recovered", [Decimal(0)] * 3).cast(DTYPE))
    lay = layout("skip_zero: true\nlang: zh\ncolumns:\n  - {header: id, source: employee_id}\n"
                 "  - {header: c, source: component_label}\n  - {header: amt, source: amount}\n", "person_component")
    t = build_table(frame, policy, lay, ctx("2200"), None)
    got = [(i, c, Decimal(a)) for i, c, a in t.frame.rows() if i != "A1"]
    assert got == [("A2", "提成", Decimal("117.28")), ("A2", "津贴", 500), ("A2", "迟交", -100), ("A2", "保底", Decimal("82.72")),
                   ("A3", "津贴", 500), ("A3", "迟交", -800), ("A3", "保底", 600), ("A3", "保底调整", 300)]
    assert t.control_total == 2200
