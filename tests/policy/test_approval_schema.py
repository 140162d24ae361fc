"""The ``approval:`` section: its shape, its dates, what the builder makes of it, and a bad date at close."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from incentive.errors import Pos
from incentive.policy.build import build_policy
from incentive.policy.schema import schema_findings
from incentive.policy.yamlsafe import load_yaml

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = """\
policy: p
version: "1"
period: month
currency: CNY
inputs:
  employee_id: {type: id}
  revenue: {type: money}
"""
GOOD = """approval:
  approved_by: 销售委员会
  approved_on: 2025-12-15
  consulted_on: 2025-12-10
  published_on: 2025-12-20
  document: HR-2025-031
"""


def findings(text: str) -> list[tuple[str, int, int, str]]:
    doc = load_yaml(text, "p.yaml")
    return [(f.code, f.line, f.col, f.message) for f in schema_findings(doc, "p.yaml")]


def test_a_full_record_is_valid_and_built_with_dates_and_positions() -> None:
    text = MINIMAL + GOOD
    assert findings(text) == []
    approval = build_policy(load_yaml(text, "p.yaml"), "p.yaml").approval
    assert approval is not None
    assert (approval.approved_by, approval.approved_on, approval.consulted_on, approval.published_on,
            approval.document) == ("销售委员会", date(2025, 12, 15), date(2025, 12, 10), date(2025, 12, 20),
                                   "HR-2025-031")
    assert approval.pos == Pos(8, 1)
    assert approval.field_pos["published_on"] == Pos(12, 17)


def test_only_who_and_when_are_required() -> None:
    text = MINIMAL + "approval: {approved_by: HR, approved_on: 2025-12-15}\n"
    assert findings(text) == []
    approval = build_policy(load_yaml(text, "p.yaml"), "p.yaml").approval
    assert approval is not None and approval.consulted_on is None and approval.published_on is None
    assert build_policy(load_yaml(MINIMAL, "p.yaml"), "p.yaml").approval is None
    [(code, line, col, message)] = findings(MINIMAL + "approval: {approved_on: 2025-12-15}\n")
    assert (code, line, message) == ("schema-required", 8, "approval: missing required key 'approved_by'")


@pytest.mark.parametrize(("key", "value", "col"), [
    ("approved_on", "2025-13-01", 16), ("consulted_on", "2025-02-30", 17), ("published_on", "20.12.2025", 17),
    ("published_on", "2025-12-1", 17),
])
def test_a_bad_date_is_a_schema_value_at_the_date(key: str, value: str, col: int) -> None:
    text = MINIMAL + GOOD.replace(next(line for line in GOOD.splitlines() if line.strip().startswith(key)),
                                  f"  {key}: {value}")
    line = 8 + next(i for i, row in enumerate(GOOD.splitlines()) if row.strip().startswith(key))
    [(code, at_line, at_col, message)] = findings(text)
    assert (code, at_line, at_col) == ("schema-value", line, col)
    assert message == f"approval.{key}: '{value}' is not a valid date (YYYY-MM-DD)"


def test_a_date_written_as_a_number_or_an_unknown_key_is_refused() -> None:
    [(code, line, col, _)] = findings(MINIMAL + GOOD.replace("2025-12-15", "20251215"))
    assert (code, line, col) == ("schema-type", 10, 16)
    [(code, _, _, message)] = findings(MINIMAL + GOOD + "  approved_at: 2025-12-15\n")
    assert code == "schema-unknown-key" and "approved_at" in message


def test_validate_and_close_name_a_bad_date_with_file_line_col_and_exit_2(tmp_path: Path) -> None:
    policy = tmp_path / "plan.yaml"
    text = (ROOT / "rules" / "sales-rep.yaml").read_text(encoding="utf-8").replace("approved_on: 2025-12-15",
                                                                                  "approved_on: 2025-12-32")
    policy.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "approved_on" in row)
    where = f"{policy}:{line}:16: error schema-value approval.approved_on: '2025-12-32' is not a valid date"
    run = [sys.executable, "-m", "incentive"]
    checked = subprocess.run([*run, "validate", str(policy)], capture_output=True, text=True, cwd=tmp_path,
                             timeout=120)
    assert checked.returncode == 1 and where in checked.stdout + checked.stderr
    closed = subprocess.run([*run, "close", str(policy), str(ROOT / "examples" / "sales-rep" / "2026-Q1.csv"),
                             "--period", "2026-Q1", "--ledger", str(tmp_path / "l.sqlite"), "--out",
                             str(tmp_path / "out"), "--quiet"], capture_output=True, text=True, cwd=tmp_path,
                            timeout=120)
    assert closed.returncode == 2 and where in closed.stderr and "Traceback" not in closed.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "l.sqlite").exists()
