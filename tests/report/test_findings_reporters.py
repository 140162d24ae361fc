"""Reporters for validation findings: text, json, github, junit."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from incentive.errors import Finding
from incentive.report.findings import FORMATS, render, summary

ERR = Finding("rules/a.yaml", 3, 5, "error", "schema-type", "kpis.sales.weight: expected a number, got text 'forty'")
WARN = Finding("rules/a.yaml", 9, 1, "warning", "unused-input", "input 'x' is never used")
FILES = [("rules/a.yaml", [ERR, WARN]), ("rules/b.yaml", [])]


def test_formats() -> None:
    assert FORMATS == ("text", "json", "github", "junit")
    with pytest.raises(ValueError):
        render("xml", FILES)


def test_text_is_one_line_per_finding() -> None:
    assert render("text", FILES) == (
        "rules/a.yaml:3:5: error schema-type kpis.sales.weight: expected a number, got text 'forty'\n"
        "rules/a.yaml:9:1: warning unused-input input 'x' is never used\n")
    assert render("text", [("rules/b.yaml", [])]) == ""


def test_summary_line() -> None:
    assert summary(FILES) == "checked 2 files: 1 error, 1 warning in 1 file"
    assert summary([("a", [])]) == "checked 1 file: no problems"


def test_json_has_a_summary_and_every_file() -> None:
    doc = json.loads(render("json", FILES))
    assert doc["summary"] == {"files": 2, "errors": 1, "warnings": 1, "ok": False, "strict": False}
    first, second = doc["files"]
    assert first["file"] == "rules/a.yaml" and first["errors"] == 1 and first["warnings"] == 1
    assert first["findings"][0] == {"file": "rules/a.yaml", "line": 3, "col": 5, "level": "error",
                                    "code": "schema-type", "message": ERR.message}
    assert second == {"file": "rules/b.yaml", "errors": 0, "warnings": 0, "findings": []}
    only_warning = [("a.yaml", [WARN])]
    assert json.loads(render("json", only_warning))["summary"]["ok"] is True
    assert json.loads(render("json", only_warning, strict=True))["summary"]["ok"] is False


def test_json_keeps_chinese_text_readable() -> None:
    f = Finding("规则.yaml", 1, 1, "error", "schema-type", "销售额")
    assert "销售额" in render("json", [("规则.yaml", [f])])


def test_github_annotations() -> None:
    assert render("github", FILES) == (
        "::error file=rules/a.yaml,line=3,col=5,title=schema-type::"
        "kpis.sales.weight: expected a number, got text 'forty'\n"
        "::warning file=rules/a.yaml,line=9,col=1,title=unused-input::input 'x' is never used\n")


def test_github_escapes_properties_and_data() -> None:
    f = Finding("dir,x/a:b.yaml", 0, 0, "error", "file-unreadable", "100% broken\nsecond line\r")
    assert render("github", [(f.file, [f])]) == (
        "::error file=dir%2Cx/a%3Ab.yaml,title=file-unreadable::100%25 broken%0Asecond line%0D\n")


def test_junit_one_suite_and_case_per_file_one_failure_per_error() -> None:
    root = ET.fromstring(render("junit", FILES))
    assert root.tag == "testsuites" and root.get("tests") == "2" and root.get("failures") == "1"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["rules/a.yaml", "rules/b.yaml"]
    assert [s.get("tests") for s in suites] == ["1", "1"]
    assert [s.get("failures") for s in suites] == ["1", "0"]
    (case_a,) = suites[0].findall("testcase")
    (failure,) = case_a.findall("failure")
    assert failure.get("type") == "schema-type" and failure.get("message") == ERR.message
    assert failure.text == str(ERR)
    assert "unused-input" in case_a.find("system-out").text
    (case_b,) = suites[1].findall("testcase")
    assert case_b.get("name") == "rules/b.yaml" and list(case_b) == []


def test_junit_strict_turns_warnings_into_failures() -> None:
    root = ET.fromstring(render("junit", FILES, strict=True))
    assert root.get("failures") == "2"
    case = root.find("testsuite/testcase")
    assert [f.get("type") for f in case.findall("failure")] == ["schema-type", "unused-input"]
    assert case.find("system-out") is None


def test_junit_is_well_formed_even_with_hostile_text() -> None:
    f = Finding("a<&>\".yaml", 1, 1, "error", "yaml-syntax", "bad \x00\x1b char & <tag> ]]>")
    root = ET.fromstring(render("junit", [(f.file, [f])]))
    failure = root.find("testsuite/testcase/failure")
    assert failure.get("message") == "bad \ufffd\ufffd char & <tag> ]]>"
    assert root.find("testsuite").get("name") == "a<&>\".yaml"
