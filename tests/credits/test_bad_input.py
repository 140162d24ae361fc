"""Every bad input of a crediting run: a precise message (file, row, column, value, expected), nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from incentive.app.credit import run_credit
from incentive.errors import UsageError

CASE = Path(__file__).resolve().parents[1] / "cases" / "credits" / "basic"
FILES = ("orders.csv", "refunds.csv", "splits.csv", "assignments.csv", "people.csv")


def run(tmp_path: Path, edits: dict[str, tuple[str, str]] | None = None, *, period: str = "2026-Q1",
        crediting: str | None = None, policy_edit: tuple[str, str] | None = None) -> str:
    """Copy the golden case, apply ``file -> (old, new)`` text edits, run; the error message."""
    case = tmp_path / "case"
    shutil.copytree(CASE, case, ignore=shutil.ignore_patterns("expected"))
    for name, (old, new) in (edits or {}).items():
        path = case / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    if crediting is not None:
        (case / "crediting.yaml").write_text(crediting, encoding="utf-8")
    if policy_edit is not None:
        text = (case / "policy.yaml").read_text(encoding="utf-8")
        (case / "policy.yaml").write_text(text.replace(*policy_edit), encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(UsageError) as err:
        run_credit(str(case / "policy.yaml"), tuple(str(case / f) for f in FILES), period, str(out))
    assert not out.exists(), "nothing is written on bad input"
    return str(err.value)


def test_unknown_person(tmp_path):
    msg = run(tmp_path, {"orders.csv": ("SO-002,乙公司,老客户,E1", "SO-002,乙公司,老客户,E9")})
    assert "orders.csv:3: column '负责人工号': value 'E9'" in msg
    assert "unknown person 'E9' on line 'SO-002'" in msg


def test_person_not_assigned_on_the_lines_date(tmp_path):
    # E3's only range now starts on 2026-02-01: SO-006 of 2026-01-25 finds nobody holding E3
    msg = run(tmp_path, {"assignments.csv": ("E3,M2,T2,华东,2025-01-01,", "E3,M2,T2,华东,2026-02-01,")})
    assert "orders.csv:7: column '负责人工号': value 'E3'" in msg
    assert "assigned on the line's date 2026-01-25" in msg
    assert msg.count("line 'SO-006'") == 1  # the line and its refund: one problem


def test_overlapping_assignment_ranges_name_both_rows(tmp_path):
    msg = run(tmp_path, {"assignments.csv": ("E1,M2,T2,华东,2026-02-15,", "E1,M2,T2,华东,2026-02-01,")})
    assert "assignments.csv:6: column '生效日期': value '2026-02-01'" in msg
    assert "row 5 runs to 2026-02-15 (exclusive) and row 6 starts on 2026-02-01" in msg


def test_gapped_assignment_ranges_name_both_rows(tmp_path):
    msg = run(tmp_path, {"assignments.csv": ("E1,M2,T2,华东,2026-02-15,", "E1,M2,T2,华东,2026-02-20,")})
    assert "without a gap: row 5 ends on 2026-02-15 (exclusive) but row 6 starts only on 2026-02-20" in msg


def test_a_hierarchy_cycle_is_shown_as_its_chain(tmp_path):
    msg = run(tmp_path, {"assignments.csv": ("D1,,华东", "D1,E2,华东")})
    assert "assignments.csv:" in msg and "a hierarchy without cycles" in msg
    assert "D1 -> E2 -> M1 -> D1" in msg or "E2 -> M1 -> D1 -> E2" in msg or "M1 -> D1 -> E2 -> M1" in msg


def test_split_shares_over_100_percent(tmp_path):
    msg = run(tmp_path, {"splits.csv": ("SO-003,E3,owner,33.3333%", "SO-003,E3,owner,40%")})
    assert "splits.csv:2: column '比例'" in msg
    assert "shares of line 'SO-003' in role 'owner' summing to at most 100%; rows 2, 3, 4 sum to 106.6666%" in msg


def test_exact_splits_must_sum_to_100_percent(tmp_path):
    crediting = (CASE / "crediting.yaml").read_text(encoding="utf-8").replace("  share: 比例", "  share: 比例\n  exact: true")
    msg = run(tmp_path, crediting=crediting)
    assert "summing to exactly 100%; rows 2, 3, 4 sum to 99.9999%" in msg
    assert "rows 5 sum to 50%" in msg


def test_duplicate_line_id(tmp_path):
    msg = run(tmp_path, {"orders.csv": ("SO-007,", "SO-001,")})
    assert "orders.csv:8: column '订单编号': value 'SO-001': a unique line id; row 2 has the same" in msg


def test_refund_of_an_unknown_line(tmp_path):
    msg = run(tmp_path, {"refunds.csv": ("RF-2,SO-006", "RF-2,SO-999")})
    assert "refunds.csv:3: column '订单编号': value 'SO-999'" in msg and "refund of an unknown line" in msg


def test_refunds_beyond_the_line(tmp_path):
    msg = run(tmp_path, {"refunds.csv": ("RF-2,SO-006,2026-03-20,100.00", "RF-2,SO-006,2026-03-20,300.01")})
    assert "refunds.csv:3: column '退款金额': value '300.01': refunds of line 'SO-006' of at most its amount 300.00" in msg


def test_more_decimals_than_the_currency_allows(tmp_path):
    msg = run(tmp_path, {"refunds.csv": ("400.00", "400.001")})
    assert "refunds.csv:2: column '退款金额': value '400.001': at most 2 decimal places (CNY" in msg


def test_mixed_currencies(tmp_path):
    crediting = (CASE / "crediting.yaml").read_text(encoding="utf-8").replace("    person: 负责人工号", "    person: 负责人工号\n    currency: 币种")
    orders = (CASE / "orders.csv").read_text(encoding="utf-8").splitlines()
    orders = [orders[0] + ",币种"] + [r + (",USD" if r.startswith("SO-003") else ",CNY") for r in orders[1:]]
    msg = run(tmp_path, {"orders.csv": ((CASE / "orders.csv").read_text(encoding="utf-8"), "\n".join(orders) + "\n")},
              crediting=crediting)
    assert "orders.csv:4: column '币种': value 'USD': the policy's currency CNY" in msg


def test_negative_amounts_and_bad_dates_and_shares(tmp_path):
    msg = run(tmp_path, {"orders.csv": ("2026-03-01,2000.00", "2026-02-30,-2000.00"),
                         "splits.csv": ("SO-006,E1,overlay,50%", "SO-006,E1,overlay,half")})
    assert "orders.csv:3: column '下单日期': value '2026-02-30': a date such as 2026-01-31" in msg
    assert "orders.csv:3: column '订单金额': value '-2000.00': a non-negative amount" in msg
    assert "splits.csv:5: column '比例': value 'half': a share above 0 and at most 1" in msg


def test_a_missing_column_lists_the_header(tmp_path):
    msg = run(tmp_path, {"orders.csv": ("负责人工号", "负责人")})
    assert "orders.csv:1: no column '负责人工号' (declared for lines.orders); the header has" in msg


def test_definition_problems_are_located(tmp_path):
    crediting = (CASE / "crediting.yaml").read_text(encoding="utf-8")
    crediting = crediting.replace("  revenue:         {sum: amount, role: owner}",
                                  "  revenue:         {sum: amout, role: owner}\n  bonus: {sum: amount}")
    crediting = crediting.replace("include: [valid]", "include: [vaild]\nextra: 1")
    msg = run(tmp_path, crediting=crediting)
    assert "crediting.yaml:" in msg
    assert "'amout' is not an amount of any line source" in msg
    assert "'vaild' is not a classification" in msg
    assert "unknown key 'extra'" in msg


def test_a_measure_must_be_a_policy_input(tmp_path):
    crediting = (CASE / "crediting.yaml").read_text(encoding="utf-8") + "  bonus_base: {sum: amount}\n"
    msg = run(tmp_path, crediting=crediting)
    assert "measure 'bonus_base' is not an input of" in msg


def test_a_source_argument_that_names_no_source(tmp_path):
    case = tmp_path / "case"
    shutil.copytree(CASE, case)
    with pytest.raises(UsageError, match="which source is this"):
        run_credit(str(case / "policy.yaml"), (str(case / "policy.yaml.csv"),), "2026-Q1", str(tmp_path / "o"))
    with pytest.raises(UsageError, match="missing source file"):
        run_credit(str(case / "policy.yaml"), (str(case / "orders.csv"),), "2026-Q1", str(tmp_path / "o"))


def test_a_role_that_cannot_be_a_portable_literal_is_refused(tmp_path):
    crediting = (CASE / "crediting.yaml").read_text(encoding="utf-8").replace(
        "overlay_revenue: {sum: amount, role: overlay}", "overlay_revenue: {sum: amount, role: \"o'verlay\"}")
    msg = run(tmp_path, crediting=crediting)
    assert "crediting.yaml:" in msg and "role: \"o'verlay\" must be the role text" in msg
