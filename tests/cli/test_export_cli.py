"""``incentive export`` through the real command, on the three example quarters closed into a tmp ledger.

The amounts are checked against the close's own ``payouts.csv`` (another
output of the same close), the bank accounts and 18-digit ID numbers against
the people file, and the ledger's export event against the file written.
Every refusal exits 2 with a precise message, writes nothing (no file, no
temporary file beside it) and records nothing.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from incentive.ledger import Ledger

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "rules" / "sales-rep.yaml"
DATA = ROOT / "examples" / "sales-rep"
PEOPLE = ROOT / "tests" / "cli" / "data" / "export-people.csv"
QUARTERS = ["2026-Q1", "2026-Q2", "2026-Q3"]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def closed(tmp_path_factory, incentive_in_process) -> Path:
    """The three example quarters closed in order, as the README does, each approved by the sign-off roles
    (in this process: the set-up, not what these tests check)."""
    tmp = tmp_path_factory.mktemp("export-cli")
    for q in QUARTERS:
        done = incentive_in_process("close", str(POLICY), str(DATA / f"{q}.csv"), "--period", q,
                                    "--ledger", str(tmp / "ledger.sqlite"), "--out", str(tmp / "out"),
                                    "--by", "hr-test", cwd=tmp)
        assert done.returncode == 0, done.stderr
        for name, role in (("王经理", "manager"), ("李芳", "hr")):  # the policy's sign_off
            done = incentive_in_process("approve", str(POLICY), "--period", q, "--as", name, "--role", role,
                                        "--ledger", str(tmp / "ledger.sqlite"), cwd=tmp)
            assert done.returncode == 0, done.stderr
    return tmp


@pytest.fixture()
def ledger(closed: Path, tmp_path: Path) -> Path:
    """A copy of the closed ledger this test may record in."""
    copy = tmp_path / "ledger.sqlite"
    shutil.copy(closed / "ledger.sqlite", copy)
    return copy


def export(ledger: Path, out: Path, *args: str, period: str = "2026-Q3", layout: str = "bank-cn-salary-csv",
           people: Path | None = PEOPLE, policy: str = str(POLICY)) -> subprocess.CompletedProcess:
    extra = ["--people", str(people)] if people is not None else []
    return cli("export", policy, "--period", period, "--layout", layout, "--out", str(out), "--ledger", str(ledger),
               "--by", "payroll-test", *extra, *args, cwd=out.parent)


def payouts(closed: Path, quarter: str) -> dict[str, Decimal]:
    """The close's own payouts.csv: id -> amount."""
    path = closed / "out" / "sales-rep" / quarter / "payouts.csv"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return {r["employee_id"]: Decimal(r["amount"]) for r in csv.DictReader(fh)}


def people_rows() -> dict[str, dict[str, str]]:
    with open(PEOPLE, encoding="utf-8-sig", newline="") as fh:
        return {r["工号"]: r for r in csv.DictReader(fh)}


def export_events(ledger: Path, quarter: str) -> list:
    with Ledger(ledger, readonly=True) as store:
        return store.events("sales-rep", quarter, kind="export")


def refused(done: subprocess.CompletedProcess, out: Path, ledger: Path, quarter: str = "2026-Q3") -> str:
    """The refusal's message, after checking exit 2, no traceback, nothing written and nothing recorded."""
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert not out.exists() or out.is_dir()
    assert not [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]  # no temp file left
    assert export_events(ledger, quarter) == []
    return done.stderr.strip()


# ------------------------------------------------------------------ exports that succeed


def test_bank_csv_pays_each_person_their_closed_total_into_their_account(closed, ledger, tmp_path):
    out = tmp_path / "代发.csv"
    done = export(ledger, out)
    assert done.returncode == 0, done.stderr
    text = out.read_bytes().decode("gbk")
    rows = list(csv.reader(text.splitlines()))
    assert rows[0] == ["账号", "户名", "金额", "备注"]
    paid = {i: a for i, a in payouts(closed, "2026-Q3").items() if a != 0}
    by_account = {p["银行账号"]: (i, p["姓名"]) for i, p in people_rows().items()}
    got = {}
    for account, name, amount, note in rows[1:]:
        who, expected_name = by_account[account]
        assert name == expected_name and note == "2026-Q3 绩效奖金"
        got[who] = Decimal(amount)
    assert got == paid  # every paid person, nobody unpaid, each their amount to the cent
    total = sum(paid.values())
    assert f"control total {total} CNY" in done.stdout


def test_tax_sheet_keeps_18_digit_ids_as_text_from_an_xlsx_people_file(closed, ledger, tmp_path):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    fastexcel = pytest.importorskip("fastexcel")
    people = tmp_path / "people.xlsx"
    book = xlsxwriter.Workbook(str(people))
    sheet = book.add_worksheet("人员")
    rows = list(people_rows().values())
    for j, h in enumerate(rows[0]):
        sheet.write_string(0, j, h)
    for i, r in enumerate(rows, start=1):
        for j, v in enumerate(r.values()):
            sheet.write_string(i, j, v)  # text cells, as HR must keep them
    book.close()
    out = tmp_path / "个税.xlsx"
    done = export(ledger, out, layout="tax-cn-salary", people=people, period="2026-Q1")
    assert done.returncode == 0, done.stderr
    frame = fastexcel.read_excel(out.read_bytes()).load_sheet("正常工资薪金收入").to_polars()
    assert frame.columns[:5] == ["工号", "*姓名", "*证件类型", "*证件号码", "本期收入"] and len(frame.columns) == 24
    assert frame["*证件号码"].dtype == pl.String
    by_id = people_rows()
    for r in frame.iter_rows(named=True):
        assert r["*证件号码"] == by_id[r["工号"]]["证件号码"] and len(r["*证件号码"]) == 18
    paid = {i: a for i, a in payouts(closed, "2026-Q1").items() if a != 0}
    assert {r["工号"]: Decimal(f"{r['本期收入']:.2f}") for r in frame.iter_rows(named=True)} == paid
    with zipfile.ZipFile(out) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert 't="inlineStr"><is><t>110101198102020015</t>' in xml  # E001's ID: a string cell


def test_payroll_rows_per_component_add_up_to_each_total_and_the_close(closed, ledger, tmp_path):
    out = tmp_path / "payroll.csv"
    done = export(ledger, out, layout="payroll-generic", people=None, policy="sales-rep", period="2026-Q2")
    assert done.returncode == 0, done.stderr
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    footer = rows.pop()
    sums: dict[str, Decimal] = {}
    for r in rows:
        assert r["period"] == "2026-Q2" and r["currency"] == "CNY"
        sums[r["employee_id"]] = sums.get(r["employee_id"], Decimal(0)) + Decimal(r["amount"])
    expected = payouts(closed, "2026-Q2")
    assert {i: a for i, a in sums.items()} == {i: a for i, a in expected.items() if i in sums}
    assert all(a == 0 for i, a in expected.items() if i not in sums)
    assert footer["period"] == "TOTAL" and Decimal(footer["amount"]) == sum(expected.values())
    assert int(footer["employee_id"]) == len(rows)
    assert {r["component"] for r in rows} <= {"commission", "bonus", "late_reports", "compliance", "floor"}
    assert all(Decimal(r["amount"]) < 0 for r in rows if r["component"] in ("late_reports", "compliance"))


def test_the_export_is_recorded_in_the_ledger_with_the_files_hash(closed, ledger, tmp_path):
    out = tmp_path / "bank.xlsx"
    done = export(ledger, out, layout="bank-cn-salary-xlsx")
    assert done.returncode == 0, done.stderr
    [event] = export_events(ledger, "2026-Q3")
    payload = event.payload
    assert payload["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert payload["file"] == "bank.xlsx" and payload["layout"] == "bank-cn-salary-xlsx"
    assert Decimal(payload["control_total"]) == sum(payouts(closed, "2026-Q3").values())
    assert payload["rows"] == sum(1 for a in payouts(closed, "2026-Q3").values() if a != 0)
    assert payload["currency"] == "CNY" and event.by == "payroll-test"
    status = cli("status", str(POLICY), "--period", "2026-Q3", "--ledger", str(ledger), cwd=tmp_path)
    assert status.returncode == 0 and "exported" in status.stdout, status.stdout + status.stderr
    verified = cli("verify", "--ledger", str(ledger), cwd=tmp_path)
    assert verified.returncode == 0 and "verified: everything matches" in verified.stdout, verified.stderr


# ------------------------------------------------------------------ refusals: exit 2, nothing written


def test_a_period_that_is_not_closed_is_refused(ledger, tmp_path):
    out = tmp_path / "bank.csv"
    message = refused(export(ledger, out, period="2026-Q4"), out, ledger, "2026-Q4")
    assert message == ("sales-rep period 2026-Q4 is not closed (closed periods of sales-rep: 2026-Q1, 2026-Q2, "
                       "2026-Q3); an export is made from a closed period only: run `incentive close` first")


def test_a_reopened_period_is_refused(ledger, tmp_path):
    done = cli("reopen", str(POLICY), "--period", "2026-Q3", "--reason", "correction", "--ledger", str(ledger),
               "--by", "hr-test", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "bank.csv"
    message = refused(export(ledger, out), out, ledger)
    assert message.startswith("sales-rep period 2026-Q3 was reopened and is not closed again")


def test_an_unknown_layout_is_refused(ledger, tmp_path):
    out = tmp_path / "bank.csv"
    message = refused(export(ledger, out, layout="bank-cn-salary"), out, ledger)
    assert message.startswith("--layout: unknown layout 'bank-cn-salary' (did you mean 'bank-cn-salary-csv'?)")
    assert "payroll-generic" in message and "tax-cn-salary" in message


def test_a_layout_with_an_unknown_column_source_is_refused_at_its_line_and_column(ledger, tmp_path):
    layout = tmp_path / "layout.yaml"
    layout.write_text("layout: mine\nformat: csv\ncolumns:\n  - {header: 金额, source: amount}\n"
                      "  - header: 账号\n    source: acount\n", encoding="utf-8")
    out = tmp_path / "bank.csv"
    message = refused(export(ledger, out, layout=str(layout)), out, ledger)
    assert message.startswith(f'{layout}:6:13: unknown column source "acount" (expected one of amount, total, ')
    assert "people:<field>" in message


def test_a_paid_person_missing_from_the_people_file_is_refused_by_id(ledger, tmp_path):
    people = tmp_path / "people.csv"
    lines = PEOPLE.read_text(encoding="utf-8-sig").splitlines()
    people.write_text("\n".join(l for l in lines if not l.startswith(("E007,", "E014,"))) + "\n", encoding="utf-8")
    out = tmp_path / "bank.csv"
    message = refused(export(ledger, out, people=people), out, ledger)
    assert message.startswith(f"{people}: no row for 2 person(s) the export pays: E007, E014;")


def test_a_number_cell_for_an_account_is_refused_with_its_row_and_column(ledger, tmp_path):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    people = tmp_path / "people.xlsx"
    book = xlsxwriter.Workbook(str(people))
    sheet = book.add_worksheet()
    rows = list(people_rows().values())
    for j, h in enumerate(rows[0]):
        sheet.write_string(0, j, h)
    for i, r in enumerate(rows, start=1):
        for j, (h, v) in enumerate(r.items()):
            if h == "银行账号" and r["工号"] == "E003":
                sheet.write_number(i, j, int(v))  # what Excel does to a pasted account number
            else:
                sheet.write_string(i, j, v)
    book.close()
    out = tmp_path / "bank.csv"
    message = refused(export(ledger, out, people=people), out, ledger)
    assert message.startswith(f"{people}:4: column '银行账号': value ")
    assert "it is a number cell" in message and "format the column as Text" in message


def test_an_account_in_scientific_notation_is_refused(ledger, tmp_path):
    people = tmp_path / "people.csv"
    text = PEOPLE.read_text(encoding="utf-8-sig").replace(",6222021001000000005,", ",6.22202E+18,")
    people.write_text(text, encoding="utf-8")
    out = tmp_path / "bank.csv"
    message = refused(export(ledger, out, people=people), out, ledger)
    assert message.startswith(f"{people}:6: column '银行账号': value '6.22202E+18': the full number as text")


def test_a_control_total_that_does_not_match_the_close_is_refused(ledger, tmp_path):
    layout = tmp_path / "commission-only.yaml"
    layout.write_text("layout: commission-only\nformat: csv\nrows: person_component\ncomponents: [commission]\n"
                      "columns:\n  - {header: id, source: employee_id}\n  - {header: amount, source: amount}\n",
                      encoding="utf-8")
    out = tmp_path / "commission.csv"
    message = refused(export(ledger, out, layout=str(layout), people=None, period="2026-Q1"), out, ledger, "2026-Q1")
    assert message == ("control total: the exported amounts add up to 602071.2 CNY, but the close's payout total "
                       "is 967811.2 CNY (difference -365740); the layout exports only the components commission; "
                       "nothing was written")


def test_out_that_is_a_directory_is_refused(ledger, tmp_path):
    out = tmp_path / "exports"
    out.mkdir()
    message = refused(export(ledger, out), out, ledger)
    assert message == f"--out {out}: is a directory; give the path of the file to write (e.g. {out / 'export.csv'})"
    assert list(out.iterdir()) == []


# ------------------------------------------------------------------ the approval gate


def test_the_sign_off_roles_must_all_approve_the_close_before_an_export(tmp_path):
    ledger = tmp_path / "ledger.sqlite"
    done = cli("close", str(POLICY), str(DATA / "2026-Q1.csv"), "--period", "2026-Q1", "--ledger", str(ledger),
               "--out", str(tmp_path / "out"), "--by", "hr-test", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "bank.csv"
    message = refused(export(ledger, out, period="2026-Q1"), out, ledger, "2026-Q1")
    assert message.startswith("sales-rep period 2026-Q1 (ledger entry 1) is not approved: it needs approval by "
                              "manager, hr (recorded: none)")
    approve = ["approve", str(POLICY), "--period", "2026-Q1", "--ledger", str(ledger)]
    assert cli(*approve, "--as", "王经理", "--role", "manager", cwd=tmp_path).returncode == 0
    message = refused(export(ledger, out, period="2026-Q1"), out, ledger, "2026-Q1")
    assert message.startswith("sales-rep period 2026-Q1 (ledger entry 1) is not approved: it needs approval by hr "
                              "(recorded: manager (王经理))")
    assert cli(*approve, "--as", "李芳", "--role", "hr", cwd=tmp_path).returncode == 0
    done = export(ledger, out, period="2026-Q1")
    assert done.returncode == 0, done.stderr
    [event] = export_events(ledger, "2026-Q1")
    assert event.payload["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert len(event.payload["approvals"]) == 2 and event.payload["required_roles"] == ["manager", "hr"]


def test_out_that_is_the_ledger_or_names_another_format_is_refused(ledger, tmp_path):
    before = ledger.read_bytes()
    done = export(ledger, ledger)
    assert done.returncode == 2 and done.stderr.strip() == f"--out {ledger}: is the ledger; give the path of a new file"
    assert ledger.read_bytes() == before
    out = tmp_path / "bank.csv"
    message = refused(export(ledger, out, layout="tax-cn-salary"), out, ledger)
    assert message == (f"--out {out}: the layout tax-cn-salary writes XLSX, but the file is named .csv; "
                       "name it .xlsx")
