"""``explain --employee`` / ``--line`` on credited lines, from the sources and from a close, through the CLI.

On the hand-written golden case (tests/cases/credits/basic): SO-003 is split
three ways at 33.3333%, so 100.00 × 0.999999 = 99.9999 rounds to 100.00 and
the one cent left over goes to E1 (largest remainder, ties to the smaller id);
SO-006 has an overlay split and a refund in the same quarter.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "tests" / "cases" / "credits" / "basic"
POLICY = str(CASE / "policy.yaml")
SOURCES = [str(CASE / n) for n in ("orders.csv", "refunds.csv", "splits.csv", "assignments.csv", "people.csv")]
Q1 = ["--period", "2026-Q1"]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incentive", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=300)


@pytest.fixture(scope="module")
def close_dir(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("explain")
    done = cli("close", POLICY, *SOURCES, *Q1, "--out", str(tmp / "o"), "--ledger", str(tmp / "l.sqlite"), "--quiet",
               cwd=tmp)
    assert done.returncode == 0, done.stderr
    return tmp / "o" / "credit-basic" / "2026-Q1"


def test_employee_lists_the_largest_credited_lines_and_the_total_per_measure(tmp_path):
    done = cli("explain", POLICY, *SOURCES, *Q1, "--employee", "E1", "--lines", "2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    section = done.stdout.split("credited lines of E1:", 1)[1]
    assert section.startswith(" 2 largest of 7 credit rows")
    lines = [ln.split() for ln in section.splitlines()[1:3]]
    assert [ln[0] for ln in lines] == ["SO-002", "SO-001"] and lines[0][-1] == "2,000.00"
    assert "    revenue (sum amount) = 3,033.34" in section  # = period.csv's revenue of E1
    assert "    orders (count amount) = 3" in section
    assert "    first_order (earliest amount) = 2026-01-10" in section


def test_every_line_is_listed_when_fewer_than_lines_and_refunds_are_shown(tmp_path):
    done = cli("explain", POLICY, *SOURCES, *Q1, "--employee", "E3", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "credited lines of E3: all 4 credit rows, largest first" in done.stdout
    assert re.search(r"SO-006  2026-03-20  amount  owner  direct  share 1  -100.00  \(refund\)", done.stdout)


def test_line_shows_every_split_ancestor_and_the_remainder_cent(tmp_path):
    done = cli("explain", POLICY, *SOURCES, *Q1, "--line", "SO-003", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("line SO-003 — source orders — line date 2026-02-20\n")
    assert "  line SO-003 (orders), amount dated 2026-02-20: 100.00" in out
    assert "    role owner: shares 0.999999, 100.00 × 0.999999 = 99.9999 → 100.00 (rounded half_up)" in out
    assert ("      E1: share 0.333333, exact 33.3333, floor 33.33 + 1 unit(s) by largest remainder = credited 33.34"
            in out)
    assert "      E2: share 0.333333, exact 33.3333, floor 33.33 = credited 33.33" in out
    assert "      roll-up level 1 → M2: share 0.666666, credited 66.67" in out
    assert "      roll-up level 2 → D1: share 0.999999, credited 100.00" in out
    assert "  line SO-003 (orders), collected dated 2026-03-10: 50.00" in out


def test_line_as_json_adds_up_to_the_line(tmp_path):
    done = cli("explain", POLICY, *SOURCES, *Q1, "--line", "SO-006", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert [(e["kind"], e["event_id"], e["amount"]) for e in doc["events"]] == [("line", "SO-006", "300.00"),
                                                                             ("refund", "RF-2", "-100.00")]
    owner = next(r for r in doc["events"][1]["roles"] if r["role"] == "owner")
    assert [(p["person"], p["credited"]) for p in owner["people"]] == [("E3", "-100.00")]
    assert [(a["person"], a["level"], a["credited"]) for a in owner["rollups"]] == [("M2", "1", "-100.00"),
                                                                                 ("D1", "2", "-100.00")]


def test_explain_close_reads_the_recorded_credit_table(close_dir, tmp_path):
    employee = cli("explain", "--close", str(close_dir), "--employee", "M2", cwd=tmp_path)
    assert employee.returncode == 0, employee.stderr
    assert "credited lines of M2: all 5 credit rows, largest first" in employee.stdout
    assert "    team_revenue (sum amount) = 2,266.67" in employee.stdout
    line = cli("explain", "--close", str(close_dir), "--line", "SO-003", cwd=tmp_path)
    fresh = cli("explain", POLICY, *SOURCES, *Q1, "--line", "SO-003", cwd=tmp_path)
    assert line.returncode == 0, line.stderr
    assert line.stdout == fresh.stdout


def test_zh_shows_no_english_prose(close_dir, tmp_path):
    ids = {"SO", "RF", "orders", "refunds", "owner", "overlay", "team", "region", "half_up", "CNY", "credit",
           "basic", "employee_id", "name", "revenue", "collected", "overlay_revenue", "team_revenue",
           "new_customers", "first_order", "revenue_target", "customer", "total"}
    for args in (["--employee", "E1"], ["--line", "SO-003"], ["--line", "SO-006"]):
        done = cli("explain", "--close", str(close_dir), *args, "--lang", "zh", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        words = set(re.findall(r"[A-Za-z_]{3,}", done.stdout)) - ids
        assert not words, (args, sorted(words))


def test_an_unknown_line_is_exit_2_naming_it(tmp_path):
    done = cli("explain", POLICY, *SOURCES, *Q1, "--line", "SO-404", cwd=tmp_path)
    assert done.returncode == 2
    assert ("--line: value 'SO-404': no line of that id is credited in the sources (5 lines are, e.g. SO-001, "
            "SO-002, SO-003, SO-005, SO-006); expected a line id of the period") in done.stderr
    assert "Traceback" not in done.stderr


def test_line_needs_sources(tmp_path):
    period = str(CASE / "expected" / "2026-Q1" / "period.csv")
    done = cli("explain", POLICY, period, *Q1, "--line", "SO-001", cwd=tmp_path)
    assert done.returncode == 2
    assert "--line explains a credited line: give the crediting SOURCES" in done.stderr
    assert f"{period} is a per-person data file, which has no lines" in done.stderr


def test_line_of_a_close_of_a_data_file_is_exit_2(tmp_path):
    period = str(CASE / "expected" / "2026-Q1" / "period.csv")
    done = cli("close", POLICY, period, *Q1, "--out", str(tmp_path / "o"), "--ledger", str(tmp_path / "l.sqlite"),
               "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    directory = tmp_path / "o" / "credit-basic" / "2026-Q1"
    line = cli("explain", "--close", str(directory), "--line", "SO-001", cwd=tmp_path)
    assert line.returncode == 2
    assert f"--line: {directory} is a close of a per-person data file (period.csv)" in line.stderr
    person = cli("explain", "--close", str(directory), "--employee", "E1", cwd=tmp_path)
    assert person.returncode == 0 and "credited lines" not in person.stdout  # as before: no credit table


def test_employee_and_line_are_one_or_the_other(tmp_path):
    done = cli("explain", POLICY, *SOURCES, *Q1, "--employee", "E1", "--line", "SO-001", cwd=tmp_path)
    assert done.returncode == 2
    assert "explain needs exactly one of --employee ID (a person) and --line ID (a credited line)" in done.stderr


def test_employee_as_json_carries_the_credited_lines(tmp_path):
    done = cli("explain", POLICY, *SOURCES, *Q1, "--employee", "E2", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["employee_id"] == "E2" and doc["steps"]  # the explanation as before
    lines = doc["credited_lines"]
    assert lines["credit_rows"] == 3
    assert [(r["line_id"], r["amount_name"], r["credited"]) for r in lines["lines"]] == [
        ("SO-005", "collected", "800.00"), ("SO-003", "amount", "33.33"), ("SO-003", "collected", "16.67")]
    assert {m["id"]: m["value"] for m in lines["measures"]}["collected"] == "816.67"
