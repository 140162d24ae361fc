"""Reporters for ``incentive test``: text, json, github, junit.

They take the policy-test outcomes (``incentive.policytest.outcomes``) and
share the GitHub annotation and JUnit XML writers with the validation
reporters (``incentive.report.findings``), so CI reads both commands the
same way and a workflow uploads one kind of JUnit file.
"""

from __future__ import annotations

import json
from typing import Callable, Iterator, Sequence

from incentive.errors import Finding
from incentive.policytest.outcomes import CaseOutcome, CoverageOutcome, Problem, SuiteOutcome
from incentive.report.findings import FORMATS, annotation, junit_xml


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


def _problems(suites: Sequence[SuiteOutcome]) -> Iterator[Problem]:
    """Every problem in report order: file errors, then each case's errors and failures."""
    for s in suites:
        yield from s.errors
        for c in s.cases:
            yield from c.errors
            yield from c.failures


def outcomes_text(suites: Sequence[SuiteOutcome], coverage: Sequence[CoverageOutcome], verbose: bool) -> str:
    """Failures as ``file:line:col: case 'x': ...``, errors as findings, then coverage."""
    lines: list[str] = []
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


def _finding_json(f: Finding) -> dict[str, object]:
    return {"file": f.file, "line": f.line, "col": f.col, "level": f.level, "code": f.code, "message": f.message}


def _problem_json(f: Problem) -> dict[str, object]:
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
    document: dict[str, object] = {"summary": summary_doc, "files": files}
    if coverage:
        document["coverage"] = [
            {"policy": c.policy, "covered": c.covered, "total": c.total, "percent": str(c.percent),
             "minimum": c.minimum_text, "ok": c.ok,
             "untested": [_finding_json(f) for f in c.untested]}
            for c in coverage]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def outcomes_github(suites: Sequence[SuiteOutcome], coverage: Sequence[CoverageOutcome], verbose: bool) -> str:
    """Workflow annotations: errors and failures on the test file, untested items on the policy."""
    out = []
    for f in _problems(suites):
        if isinstance(f, Finding):
            out.append(annotation(f.level, f.file, f.line, f.col, f.code, f.message))
        else:
            out.append(annotation("error", f.file, f.line, f.col, "policy test failed", f.message))
    for cov in coverage:
        for f in cov.untested:
            out.append(annotation("warning", f.file, f.line, f.col, f.code, f.message))
        if not cov.ok:
            out.append(annotation("error", cov.policy, 0, 0, "coverage", cov.headline()))
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
