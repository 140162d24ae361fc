"""The shared reporters rendering policy-test outcomes: text, json, github, junit."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from incentive.errors import Finding
from incentive.policytest.outcomes import CaseOutcome, CoverageOutcome, Failure, SuiteOutcome
from incentive.report.policy_tests import outcomes_summary, render_tests

FAIL = Failure("t/a.test.yaml", 12, 9, "case 'x': employee E1: commission expected 3000.00, got 2999.99",
               (("employee", "E1"), ("quantity", "commission"), ("expected", "3000.00"), ("actual", "2999.99")))
BAD = Finding("t/a.test.yaml", 20, 7, "error", "unknown-name", "case 'y': employee E1: no quantity 'comission'")
UNUSABLE = Finding("t/b.test.yaml", 3, 1, "error", "yaml-syntax", "bad <yaml> & \x00")
UNTESTED = Finding("rules/p.yaml", 40, 5, "warning", "untested", "band C is never assigned")
SUITES = [
    SuiteOutcome("t/a.test.yaml", (
        CaseOutcome("w", "t/a.test.yaml", "t/a.test.yaml", 5, seconds=0.25),
        CaseOutcome("x", "t/a.test.yaml", "t/a.test.yaml", 10, failures=(FAIL,), seconds=0.5),
        CaseOutcome("y", "t/a.test.yaml", "t/a.test.yaml", 18, errors=(BAD,), seconds=0.125),
    ), deselected=2),
    SuiteOutcome("t/b.test.yaml", errors=(UNUSABLE,)),
]
COVERAGE = [CoverageOutcome("rules/p.yaml", 9, 10, (UNTESTED,), minimum=Decimal(95))]


def test_summary_line() -> None:
    assert outcomes_summary(SUITES) == "1 passed, 1 failed, 2 errors, 2 deselected"
    assert outcomes_summary([SuiteOutcome("a", (CaseOutcome("w", "a"),))]) == "1 passed, 0 failed"


def test_text_lists_problems_then_coverage() -> None:
    assert render_tests("text", SUITES, COVERAGE) == (
        "t/a.test.yaml:12:9: case 'x': employee E1: commission expected 3000.00, got 2999.99\n"
        "t/a.test.yaml:20:7: error unknown-name case 'y': employee E1: no quantity 'comission'\n"
        "t/b.test.yaml:3:1: error yaml-syntax bad <yaml> & \x00\n"
        "coverage of rules/p.yaml: 9 of 10 items (90.0%), below the minimum of 95%\n"
        "  rules/p.yaml:40:5: warning untested band C is never assigned\n")
    assert render_tests("text", SUITES[:1], verbose=True).startswith("t/a.test.yaml:5: case 'w' passed\n")


def test_json_document() -> None:
    doc = json.loads(render_tests("json", SUITES, COVERAGE))
    assert doc["summary"] == {"passed": 1, "failed": 1, "errors": 2, "deselected": 2, "ok": False}
    a, b = doc["files"]
    assert [c["status"] for c in a["cases"]] == ["passed", "failed", "error"]
    assert a["cases"][1]["failures"][0] == {"file": "t/a.test.yaml", "line": 12, "col": 9, "message": FAIL.message,
                                            "employee": "E1", "quantity": "commission", "expected": "3000.00",
                                            "actual": "2999.99"}
    assert a["cases"][2]["errors"][0]["code"] == "unknown-name"
    assert b["errors"][0]["code"] == "yaml-syntax" and b["cases"] == []
    assert doc["coverage"] == [{"policy": "rules/p.yaml", "covered": 9, "total": 10, "percent": "90.0",
                                "minimum": "95", "ok": False,
                                "untested": [{"file": "rules/p.yaml", "line": 40, "col": 5, "level": "warning",
                                              "code": "untested", "message": "band C is never assigned"}]}]
    assert "coverage" not in json.loads(render_tests("json", SUITES))


def test_github_annotations() -> None:
    lines = render_tests("github", SUITES, COVERAGE).splitlines()
    assert lines == [
        "::error file=t/a.test.yaml,line=12,col=9,title=policy test failed::" + FAIL.message,
        "::error file=t/a.test.yaml,line=20,col=7,title=unknown-name::" + BAD.message,
        "::error file=t/b.test.yaml,line=3,col=1,title=yaml-syntax::" + UNUSABLE.message,
        "::warning file=rules/p.yaml,line=40,col=5,title=untested::band C is never assigned",
        "::error file=rules/p.yaml,title=coverage::coverage of rules/p.yaml: 9 of 10 items (90.0%25), below the "
        "minimum of 95%25",  # % escaped as workflow commands require
    ]


def check_junit(text: str) -> ET.Element:
    """Structural checks every JUnit consumer relies on; returns the root."""
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in root:
        assert suite.tag == "testsuite" and suite.get("name")
        cases = suite.findall("testcase")
        assert len(cases) == len(suite) and cases, "a suite holds test cases only"
        counts = {"tests": len(cases), "failures": len(suite.findall("testcase/failure")),
                  "errors": len(suite.findall("testcase/error")), "skipped": 0}
        assert {k: int(suite.get(k)) for k in counts} == counts
        if suite.get("time") is not None:
            float(suite.get("time"))
        for case in cases:
            assert case.get("classname") and case.get("name")
            assert {child.tag for child in case} <= {"failure", "error", "system-out"}
            for problem in case.findall("failure") + case.findall("error"):
                assert problem.get("message") and problem.get("type") and problem.text
        for key in totals:
            totals[key] += counts[key]
    assert {k: int(root.get(k)) for k in totals} == totals
    return root


def test_junit_one_suite_per_file_one_case_per_case() -> None:
    root = check_junit(render_tests("junit", SUITES, COVERAGE))
    a, b, cov = root.findall("testsuite")
    assert [c.get("name") for c in a.findall("testcase")] == ["w", "x", "y"]
    assert a.find("testcase[@name='w']").get("line") == "5"
    assert a.find("testcase[@name='x']/failure").get("message") == FAIL.message
    assert a.find("testcase[@name='x']/failure").text == str(FAIL)
    assert a.find("testcase[@name='y']/error").get("type") == "unknown-name"
    assert b.find("testcase").get("name") == "t/b.test.yaml"
    assert b.find("testcase/error").get("message") == "bad <yaml> & \ufffd"
    assert cov.get("name") == "coverage" and cov.find("testcase/failure") is not None
    assert "band C is never assigned" in cov.find("testcase/system-out").text


def test_validate_and_test_share_the_junit_writer() -> None:
    from incentive.report.findings import render

    check_junit(render("junit", [("rules/a.yaml", [BAD, UNTESTED]), ("rules/b.yaml", [])]))
    check_junit(render_tests("junit", []))


def test_unknown_format() -> None:
    with pytest.raises(ValueError):
        render_tests("xml", SUITES)


def test_coverage_percent_never_rounds_up_to_the_minimum() -> None:
    almost = CoverageOutcome("p.yaml", 2499, 2500, minimum=Decimal(100))
    assert almost.percent == Decimal("99.9") and not almost.ok
    assert CoverageOutcome("p.yaml", 2, 3, minimum=Decimal("66.6")).ok
    assert CoverageOutcome("p.yaml", 0, 0, minimum=Decimal(100)).percent == 100
