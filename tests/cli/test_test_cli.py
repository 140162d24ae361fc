"""``incentive test`` end to end, as CI runs it: a fresh process, real files, exit statuses."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner

from incentive.cli.main import cli
from tests.policytest.support import ROOT, line_of, mini, write

CASES = """\
policy: mini.yaml
defaults: {target: 100000}
cases:
  - name: at target
    period: 2026-Q1
    input: [{employee_id: E1, revenue: 100000}]
    expect:
      E1:
        commission: "3000.00"   # 100,000 x 3%
  - name: above target
    period: 2026-Q1
    input: [{employee_id: E2, revenue: 120000}]
    expect:
      E2:
        commission: "4000.00"   # 3,000 + 20,000 x 5%
"""


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incentive", "test", *args], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=300)


def test_the_shipped_policies_pass_with_full_coverage() -> None:
    done = run("rules/", "--min-coverage", "100")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "42 passed, 0 failed"
    assert [line for line in lines if line.startswith("coverage of")] == [
        "coverage of rules/collection-commission.yaml: 0 of 0 items (100%)",  # holds have no coverage items yet
        "coverage of rules/new-rep-draw.yaml: 3 of 3 items (100.0%)",
        "coverage of rules/sales-manager.yaml: 33 of 33 items (100.0%)",
        "coverage of rules/sales-rep.yaml: 35 of 35 items (100.0%)",
        "coverage of rules/service-quality.yaml: 43 of 43 items (100.0%)",
    ]
    assert done.stderr == ""


def test_a_broken_expectation_fails_with_expected_and_actual(tmp_path: Path) -> None:
    mini(tmp_path)
    path = write(tmp_path, "mini.test.yaml", CASES.replace('"4000.00"', '"4000.01"'))
    done = run(str(path))
    assert done.returncode == 1
    line = line_of(path, "4000.01")
    assert done.stdout == (f"{path}:{line}:9: case 'above target': employee E2: commission expected 4000.01, "
                           f"got 4000.00\n1 passed, 1 failed\n")


def test_a_format_error_is_reported_at_its_line_and_exits_2(tmp_path: Path) -> None:
    mini(tmp_path)
    good = write(tmp_path, "a.test.yaml", CASES)
    bad = write(tmp_path, "b.test.yaml", CASES.replace("    period: 2026-Q1\n    input: [{employee_id: E2",
                                                       "    perod: 2026-Q1\n    input: [{employee_id: E2"))
    done = run(str(tmp_path))
    assert done.returncode == 2
    assert done.stdout.splitlines() == [
        f"{bad}:10:5: error schema-required cases[1]: 'period' is required",
        f"{bad}:11:5: error schema-unknown-key cases[1]: unknown key 'perod' (did you mean 'period'?); allowed: "
        f"name, description, period, overrides, input, history, expect, tolerance",
        "2 passed, 0 failed, 1 error",
    ]
    assert good.exists()


def test_missing_paths_and_invalid_policies_exit_2(tmp_path: Path) -> None:
    write(tmp_path, "mini.yaml", "policy: x\nversion: '1'\nperiod: quarter\ncurrency: CNY\ninputs: {}\n")
    path = write(tmp_path, "mini.test.yaml", CASES)
    done = run(str(path), str(tmp_path / "missing"))
    assert done.returncode == 2
    out = done.stdout.splitlines()
    assert out[0] == f"{tmp_path / 'missing'}:0:0: error file-unreadable no such file or directory"
    assert out[1] == f"{path}:1:9: error invalid-policy the policy {tmp_path / 'mini.yaml'} cannot be used; its problems follow"
    assert any(line.startswith(f"{tmp_path / 'mini.yaml'}:") for line in out[2:-1])
    assert out[-1] == "0 passed, 0 failed, 2 errors"


def test_junit_output_is_valid_xml_with_a_case_per_case(tmp_path: Path) -> None:
    mini(tmp_path)
    path = write(tmp_path, "mini.test.yaml", CASES.replace('"4000.00"', '"4000.01"'))
    done = run(str(path), "--format", "junit", "--coverage")
    assert done.returncode == 1 and done.stderr == "1 passed, 1 failed\n"
    root = ET.fromstring(done.stdout)
    assert root.tag == "testsuites" and (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "1", "0")
    suite, coverage = root.findall("testsuite")
    assert suite.get("name") == str(path) and suite.get("tests") == "2" and suite.get("failures") == "1"
    ok, failed = suite.findall("testcase")
    assert (ok.get("name"), list(ok)) == ("at target", [])
    (failure,) = failed.findall("failure")
    assert failure.get("message") == "case 'above target': employee E2: commission expected 4000.01, got 4000.00"
    assert coverage.get("name") == "coverage" and "tier 3 of 3" in coverage.find("testcase/system-out").text


def test_keyword_filter_and_json(tmp_path: Path) -> None:
    mini(tmp_path)
    path = write(tmp_path, "mini.test.yaml", CASES)
    done = run(str(path), "-k", "ABOVE", "--format", "json")
    assert done.returncode == 0 and done.stderr == "1 passed, 0 failed, 1 deselected\n"
    doc = json.loads(done.stdout)
    assert doc["summary"] == {"passed": 1, "failed": 0, "errors": 0, "deselected": 1, "ok": True}
    assert [c["name"] for c in doc["files"][0]["cases"]] == ["above target"]


def test_min_coverage_fails_the_run_and_no_match_is_an_error(tmp_path: Path) -> None:
    mini(tmp_path)
    path = write(tmp_path, "mini.test.yaml", CASES)
    runner = CliRunner()
    result = runner.invoke(cli, ["test", str(path), "--min-coverage", "90"], catch_exceptions=False)
    assert result.exit_code == 1
    assert f"coverage of {tmp_path / 'mini.yaml'}: 2 of 7 items (28.5%), below the minimum of 90%" in result.output
    result = runner.invoke(cli, ["test", str(path), "--coverage"], catch_exceptions=False)
    assert result.exit_code == 0 and "2 of 7 items" in result.output
    result = runner.invoke(cli, ["test", str(path), "-k", "nothing"], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.output.endswith("0 passed, 0 failed, 2 deselected (no case name contains 'nothing')\n")


def test_min_coverage_is_a_percentage(tmp_path: Path) -> None:
    mini(tmp_path)
    path = write(tmp_path, "mini.test.yaml", CASES)
    runner = CliRunner()
    result = runner.invoke(cli, ["test", str(path), "--min-coverage", "101"])
    assert result.exit_code == 2 and "expected a percentage from 0 to 100" in result.output
    result = runner.invoke(cli, ["test", str(path), "--min-coverage", "28.5%"], catch_exceptions=False)
    assert result.exit_code == 0 and "2 of 7 items (28.5%)" in result.output
