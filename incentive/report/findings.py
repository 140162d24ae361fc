"""Reporters for validation findings: text, json, github, junit.

Each reporter takes the checked files in order, each with its findings
(``[(file, [Finding, ...]), ...]``; a clean file has an empty list, so JUnit
can show it as a passing test case) and returns the whole report as text.

    >>> from incentive.errors import Finding
    >>> f = Finding("p.yaml", 3, 5, "error", "schema-type", "kpis.sales.weight: expected a number")
    >>> print(render("github", [("p.yaml", [f])]), end="")
    ::error file=p.yaml,line=3,col=5,title=schema-type::kpis.sales.weight: expected a number
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Callable, Sequence

from incentive.errors import Finding

FileFindings = tuple[str, Sequence[Finding]]


def render(fmt: str, files: Sequence[FileFindings], *, strict: bool = False) -> str:
    """The report in format ``fmt`` (one of ``FORMATS``)."""
    try:
        reporter = REPORTERS[fmt]
    except KeyError:
        raise ValueError(f"unknown findings format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    return reporter(files, strict)


def summary(files: Sequence[FileFindings]) -> str:
    """One line for humans: how many files, errors and warnings."""
    n = len(files)
    errors = sum(f.level == "error" for _, found in files for f in found)
    warnings = sum(f.level == "warning" for _, found in files for f in found)
    head = f"checked {n} file{'s' if n != 1 else ''}"
    if not errors and not warnings:
        return f"{head}: no problems"
    bad = sum(1 for _, found in files if found)
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return f"{head}: {', '.join(parts)} in {bad} file{'s' if bad != 1 else ''}"


def text_report(files: Sequence[FileFindings], strict: bool = False) -> str:
    """``file:line:col: level code message``, one per line (compilers, yamllint, editors)."""
    return "".join(f"{finding}\n" for _, found in files for finding in found)


def json_report(files: Sequence[FileFindings], strict: bool = False) -> str:
    """One JSON document: a summary and every file with its findings."""
    out_files = []
    for file, found in files:
        out_files.append({
            "file": file,
            "errors": sum(f.level == "error" for f in found),
            "warnings": sum(f.level == "warning" for f in found),
            "findings": [
                {"file": f.file, "line": f.line, "col": f.col, "level": f.level, "code": f.code, "message": f.message}
                for f in found
            ],
        })
    errors = sum(f["errors"] for f in out_files)
    warnings = sum(f["warnings"] for f in out_files)
    document = {
        "summary": {"files": len(out_files), "errors": errors, "warnings": warnings,
                    "ok": not errors and not (strict and warnings), "strict": strict},
        "files": out_files,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def github_report(files: Sequence[FileFindings], strict: bool = False) -> str:
    """GitHub Actions workflow commands: annotations on the pull request diff."""
    lines = []
    for _, found in files:
        for f in found:
            props = [f"file={_gh_property(f.file)}"]
            if f.line > 0:
                props.append(f"line={f.line}")
                if f.col > 0:
                    props.append(f"col={f.col}")
            props.append(f"title={_gh_property(f.code)}")
            lines.append(f"::{f.level}{' ' + ','.join(props)}::{_gh_data(f.message)}\n")
    return "".join(lines)


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def junit_report(files: Sequence[FileFindings], strict: bool = False) -> str:
    """JUnit XML: one test suite and one test case per file, one failure per error.

    Warnings are listed in ``system-out`` and become failures when strict.
    """
    suites = ET.Element("testsuites", name="incentive validate")
    total_tests = total_failures = 0
    for file, found in files:
        failing = [f for f in found if f.level == "error" or strict]
        passing_notes = [f for f in found if f not in failing]
        suite = ET.SubElement(suites, "testsuite", name=_xml(file), tests="1",
                              failures=str(len(failing)), errors="0", skipped="0")
        case = ET.SubElement(suite, "testcase", classname="incentive.validate", name=_xml(file))
        for f in failing:
            failure = ET.SubElement(case, "failure", type=_xml(f.code), message=_xml(f.message))
            failure.text = _xml(str(f))
        if passing_notes:
            out = ET.SubElement(case, "system-out")
            out.text = _xml("\n".join(str(f) for f in passing_notes))
        total_tests += 1
        total_failures += len(failing)
    suites.set("tests", str(total_tests))
    suites.set("failures", str(total_failures))
    suites.set("errors", "0")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    """Text XML 1.0 can carry: characters it forbids become U+FFFD."""
    return _XML_INVALID.sub("\ufffd", text)


REPORTERS: dict[str, Callable[[Sequence[FileFindings], bool], str]] = {
    "text": text_report,
    "json": json_report,
    "github": github_report,
    "junit": junit_report,
}
FORMATS = tuple(REPORTERS)
