"""Reporters for ``incentive validate``: text, json, github, junit -- and the writers ``incentive test`` shares.

Each reporter takes the checked files in order, each with its findings
(``[(file, [Finding, ...]), ...]``; a clean file has an empty list, so JUnit
can show it as a passing test case) and returns the whole report as text.

The GitHub annotation and JUnit XML writers here serve the policy-test
reporters too (``incentive.report.policy_tests``), so CI reads both
commands the same way (and a workflow uploads one kind of JUnit file): one
``testsuite`` per file, one ``testcase`` per case (a validated file is one
case), ``failure`` for what was checked and found wrong, ``error`` for what
could not be checked.

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
from incentive.policytest.outcomes import CaseOutcome, SuiteOutcome

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
    out_files: list[dict[str, object]] = []
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
    errors = sum(f.level == "error" for _, found in files for f in found)
    warnings = sum(f.level == "warning" for _, found in files for f in found)
    document = {
        "summary": {"files": len(out_files), "errors": errors, "warnings": warnings,
                    "ok": not errors and not (strict and warnings), "strict": strict},
        "files": out_files,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def github_report(files: Sequence[FileFindings], strict: bool = False) -> str:
    """GitHub Actions workflow commands: annotations on the pull request diff."""
    return "".join(annotation(f.level, f.file, f.line, f.col, f.code, f.message) for _, found in files for f in found)


def annotation(level: str, file: str, line: int, col: int, title: str, message: str) -> str:
    props = [f"file={_gh_property(file)}"]
    if line > 0:
        props.append(f"line={line}")
        if col > 0:
            props.append(f"col={col}")
    props.append(f"title={_gh_property(title)}")
    return f"::{level} {','.join(props)}::{_gh_data(message)}\n"


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def junit_report(files: Sequence[FileFindings], strict: bool = False) -> str:
    """JUnit XML: one test suite and one test case per file, one failure per error.

    Warnings are listed in ``system-out`` and become failures when strict.
    """
    suites = []
    for file, found in files:
        failing = tuple(f for f in found if f.level == "error" or strict)
        notes = tuple(f for f in found if f not in failing)
        case = CaseOutcome(name=file, classname="incentive.validate", failures=failing, notes=notes)
        suites.append(SuiteOutcome(name=file, cases=(case,)))
    return junit_xml("incentive validate", suites)


def junit_xml(title: str, suites: Sequence[SuiteOutcome]) -> str:
    """The JUnit XML document (the Jenkins / GitHub / GitLab dialect) for ``suites``.

    A suite that could not run at all gets one test case named after the
    file, holding an ``error`` per problem.
    """
    root = ET.Element("testsuites", name=_xml(title))
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for outcome in suites:
        cases = list(outcome.cases)
        if outcome.errors:
            cases.insert(0, CaseOutcome(name=outcome.name, classname=title.replace(" ", "."), file=outcome.name,
                                        errors=outcome.errors))
        failures = sum(len(c.failures) for c in cases)
        errors = sum(len(c.errors) for c in cases)
        suite = ET.SubElement(root, "testsuite", name=_xml(outcome.name), tests=str(len(cases)),
                              failures=str(failures), errors=str(errors), skipped="0")
        seconds = [c.seconds for c in cases if c.seconds is not None]
        if seconds:
            suite.set("time", f"{sum(seconds):.3f}")
        for c in cases:
            _junit_case(suite, c)
        totals["tests"] += len(cases)
        totals["failures"] += failures
        totals["errors"] += errors
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _junit_case(suite: ET.Element, c: CaseOutcome) -> None:
    case = ET.SubElement(suite, "testcase", classname=_xml(c.classname), name=_xml(c.name))
    if c.file:
        case.set("file", _xml(c.file))
    if c.line:
        case.set("line", str(c.line))
    if c.seconds is not None:
        case.set("time", f"{c.seconds:.3f}")
    for f in c.failures:
        kind = f.code if isinstance(f, Finding) else "expectation"
        failure = ET.SubElement(case, "failure", type=_xml(kind), message=_xml(f.message))
        failure.text = _xml(str(f))
    for f in c.errors:
        error = ET.SubElement(case, "error", type=_xml(f.code), message=_xml(f.message))
        error.text = _xml(str(f))
    if c.notes:
        out = ET.SubElement(case, "system-out")
        out.text = _xml("\n".join(str(f) for f in c.notes))


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
