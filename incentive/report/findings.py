"""Reporters for ``incentive validate`` and ``incentive test``: text, json, github, junit.

One module serves both commands, so CI reads both the same way (and a
workflow uploads one kind of JUnit file):

- ``render`` / ``summary``: validation findings. Each reporter takes the
  checked files in order, each with its findings (``[(file, [Finding, ...]),
  ...]``; a clean file has an empty list, so JUnit can show it as a passing
  test case) and returns the whole report as text.
- ``render_tests`` / ``outcomes_summary``: policy-test outcomes -- one
  ``SuiteOutcome`` per test file, one ``CaseOutcome`` per case, each with its
  ``Failure``s (expectations that did not hold) and error ``Finding``s (the
  case could not run) -- plus the optional ``CoverageOutcome`` per policy.

Both build JUnit XML with ``junit_xml``: one ``testsuite`` per file, one
``testcase`` per case (a validated file is one case), ``failure`` for what
was checked and found wrong, ``error`` for what could not be checked.

    >>> from incentive.errors import Finding
    >>> f = Finding("p.yaml", 3, 5, "error", "schema-type", "kpis.sales.weight: expected a number")
    >>> print(render("github", [("p.yaml", [f])]), end="")
    ::error file=p.yaml,line=3,col=5,title=schema-type::kpis.sales.weight: expected a number
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Callable, Sequence, Union

from incentive.errors import Finding

FileFindings = tuple[str, Sequence[Finding]]


@dataclass(frozen=True)
class Failure:
    """A policy-test expectation that did not hold, at the line that states it."""

    file: str
    line: int
    col: int
    message: str  # "case 'x': employee E1: commission expected 3000.00, got 2999.99"
    details: tuple[tuple[str, str], ...] = ()  # e.g. (("employee", "E1"), ("expected", "3000.00"), ...)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


Problem = Union[Failure, Finding]


@dataclass(frozen=True)
class CaseOutcome:
    """One JUnit test case: a case of a policy test, or one validated file."""

    name: str
    classname: str
    file: str = ""
    line: int = 0
    failures: tuple[Problem, ...] = ()  # checked and found wrong
    errors: tuple[Finding, ...] = ()  # could not be checked (bad test input, evaluation error...)
    notes: tuple[Finding, ...] = ()  # shown, not failing (warnings)
    seconds: float | None = None

    @property
    def status(self) -> str:
        return "error" if self.errors else "failed" if self.failures else "passed"


@dataclass(frozen=True)
class SuiteOutcome:
    """One file: its cases, or the problems that kept it from running at all."""

    name: str
    cases: tuple[CaseOutcome, ...] = ()
    errors: tuple[Finding, ...] = ()  # the file is unusable (bad YAML, invalid policy...)
    deselected: int = 0  # cases left out by a name filter


@dataclass(frozen=True)
class CoverageOutcome:
    """How much of one policy the tests exercised; ``untested`` point into the policy file."""

    policy: str
    covered: int
    total: int
    untested: tuple[Finding, ...] = ()
    minimum: Decimal | None = None  # --min-coverage, in percent

    @property
    def percent(self) -> Decimal:
        """Shown to one decimal, rounded down: 99.96% never reads as 100.0%."""
        if not self.total:
            return Decimal(100)
        return (Decimal(100) * self.covered / self.total).quantize(Decimal("0.1"), rounding=ROUND_FLOOR)

    @property
    def ok(self) -> bool:
        """At least the minimum, compared exactly (not the rounded percentage)."""
        return self.minimum is None or Decimal(100) * self.covered >= self.minimum * self.total

    def headline(self) -> str:
        line = f"coverage of {self.policy}: {self.covered} of {self.total} items ({self.percent}%)"
        if not self.ok:
            line += f", below the minimum of {self.minimum_text}%"
        return line

    @property
    def minimum_text(self) -> str | None:
        """The minimum as people write it: ``90``, ``87.5``."""
        return None if self.minimum is None else format(self.minimum.normalize(), "f")


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
    return "".join(_annotation(f.level, f.file, f.line, f.col, f.code, f.message) for _, found in files for f in found)


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


# ---------------------------------------------------------------- policy tests


def outcomes_summary(suites: Sequence[SuiteOutcome]) -> str:
    """``N passed, M failed`` (plus errors and deselected cases, when there are any)."""
    cases = [c for s in suites for c in s.cases]
    passed = sum(c.status == "passed" for c in cases)
    failed = sum(c.status == "failed" for c in cases)
    errors = sum(c.status == "error" for c in cases) + sum(1 for s in suites if s.errors)
    line = f"{passed} passed, {failed} failed"
    if errors:
        line += f", {errors} error{'s' if errors != 1 else ''}"
    deselected = sum(s.deselected for s in suites)
    if deselected:
        line += f", {deselected} deselected"
    return line


def render_tests(fmt: str, suites: Sequence[SuiteOutcome], coverage: Sequence[CoverageOutcome] = (),
                 *, verbose: bool = False) -> str:
    """The policy-test report in format ``fmt`` (one of ``FORMATS``), without the summary line."""
    try:
        reporter = TEST_REPORTERS[fmt]
    except KeyError:
        raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    return reporter(suites, coverage, verbose)


def _problems(suites: Sequence[SuiteOutcome]):
    """Every problem in report order: file errors, then each case's errors and failures."""
    for s in suites:
        yield from s.errors
        for c in s.cases:
            yield from c.errors
            yield from c.failures


def outcomes_text(suites: Sequence[SuiteOutcome], coverage: Sequence[CoverageOutcome], verbose: bool) -> str:
    """Failures as ``file:line:col: case 'x': ...``, errors as findings, then coverage."""
    lines = []
    for s in suites:
        lines.extend(str(f) for f in s.errors)
        for c in s.cases:
            if verbose and c.status == "passed":
                lines.append(f"{c.file}:{c.line}: case {c.name!r} passed")
            lines.extend(str(f) for f in c.errors)
            lines.extend(str(f) for f in c.failures)
    for cov in coverage:
        lines.append(cov.headline())
        lines.extend(f"  {f}" for f in cov.untested)
    return "".join(f"{line}\n" for line in lines)


def _finding_json(f: Finding) -> dict:
    return {"file": f.file, "line": f.line, "col": f.col, "level": f.level, "code": f.code, "message": f.message}


def _problem_json(f: Problem) -> dict:
    if isinstance(f, Finding):
        return _finding_json(f)
    return {"file": f.file, "line": f.line, "col": f.col, "message": f.message, **dict(f.details)}


def outcomes_json(suites: Sequence[SuiteOutcome], coverage: Sequence[CoverageOutcome], verbose: bool) -> str:
    """One JSON document: a summary, every file with its cases, and coverage when asked for."""
    files = []
    for s in suites:
        files.append({
            "file": s.name,
            "errors": [_finding_json(f) for f in s.errors],
            "deselected": s.deselected,
            "cases": [{"name": c.name, "file": c.file, "line": c.line, "status": c.status,
                       "seconds": None if c.seconds is None else round(c.seconds, 3),
                       "failures": [_problem_json(f) for f in c.failures],
                       "errors": [_finding_json(f) for f in c.errors]} for c in s.cases],
        })
    cases = [c for s in suites for c in s.cases]
    summary_doc = {
        "passed": sum(c.status == "passed" for c in cases),
        "failed": sum(c.status == "failed" for c in cases),
        "errors": sum(c.status == "error" for c in cases) + sum(1 for s in suites if s.errors),
        "deselected": sum(s.deselected for s in suites),
    }
    summary_doc["ok"] = not summary_doc["failed"] and not summary_doc["errors"] and all(c.ok for c in coverage)
    document: dict = {"summary": summary_doc, "files": files}
    if coverage:
        document["coverage"] = [
            {"policy": c.policy, "covered": c.covered, "total": c.total, "percent": str(c.percent),
             "minimum": c.minimum_text, "ok": c.ok,
             "untested": [_finding_json(f) for f in c.untested]}
            for c in coverage]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _annotation(level: str, file: str, line: int, col: int, title: str, message: str) -> str:
    props = [f"file={_gh_property(file)}"]
    if line > 0:
        props.append(f"line={line}")
        if col > 0:
            props.append(f"col={col}")
    props.append(f"title={_gh_property(title)}")
    return f"::{level} {','.join(props)}::{_gh_data(message)}\n"


def outcomes_github(suites: Sequence[SuiteOutcome], coverage: Sequence[CoverageOutcome], verbose: bool) -> str:
    """Workflow annotations: errors and failures on the test file, untested items on the policy."""
    out = []
    for f in _problems(suites):
        if isinstance(f, Finding):
            out.append(_annotation(f.level, f.file, f.line, f.col, f.code, f.message))
        else:
            out.append(_annotation("error", f.file, f.line, f.col, "policy test failed", f.message))
    for cov in coverage:
        for f in cov.untested:
            out.append(_annotation("warning", f.file, f.line, f.col, f.code, f.message))
        if not cov.ok:
            out.append(_annotation("error", cov.policy, 0, 0, "coverage", cov.headline()))
    return "".join(out)


def outcomes_junit(suites: Sequence[SuiteOutcome], coverage: Sequence[CoverageOutcome], verbose: bool) -> str:
    """JUnit XML: a suite per test file, a case per test case; coverage as one more suite."""
    all_suites = list(suites)
    if coverage:
        cases = []
        for cov in coverage:
            below = (Finding(cov.policy, 0, 0, "error", "coverage", cov.headline()),) if not cov.ok else ()
            cases.append(CaseOutcome(name=cov.policy, classname="incentive.coverage", file=cov.policy,
                                     failures=below, notes=cov.untested))
        all_suites.append(SuiteOutcome(name="coverage", cases=tuple(cases)))
    return junit_xml("incentive test", all_suites)


TEST_REPORTERS: dict[str, Callable[[Sequence[SuiteOutcome], Sequence[CoverageOutcome], bool], str]] = {
    "text": outcomes_text,
    "json": outcomes_json,
    "github": outcomes_github,
    "junit": outcomes_junit,
}
