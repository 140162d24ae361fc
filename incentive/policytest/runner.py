"""Running policy tests: find the test files, load each file's policy, run every case, collect the outcomes.

Each case runs the way a real period does (``case_run``) and its
expectations are compared with the results (``expectations``). Problems in
a test file that the loader cannot see without the policy -- unknown input
columns, unknown quantities, employees not in the input, expected values of
the wrong type, bad cells -- are findings at the test file's ``line:col``
and make the case an *error* (exit status 2), not a failure: the test
itself is broken.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from incentive.engine.results import Results
from incentive.errors import Finding, PolicyInvalid, PolicyLoadError, UsageError
from incentive.policy.expr.checked import CheckedPolicy
from incentive.policy.files import is_test_file, unique, walk
from incentive.policytest.case_run import CaseRunner
from incentive.policytest.columns import Columns
from incentive.policytest.expectations import CaseLog, Stop
from incentive.policytest.loader import load_test_file
from incentive.policytest.model import Case, TestFile
from incentive.policytest.outcomes import CaseOutcome, Failure, SuiteOutcome
from incentive.policytest.policies import PolicyCache, override_problem


# ---------------------------------------------------------------- what a run produces


@dataclass
class CaseRun:
    """One case's outcome, with the evaluated results (for coverage)."""

    case: Case
    failures: list[Failure] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    results: Results | None = None  # of the case's period (history periods are not kept)

    @property
    def status(self) -> str:
        return "error" if self.errors else "failed" if self.failures else "passed"


@dataclass
class FileRun:
    """One test file: the cases that ran, or the problems that kept it from running."""

    file: str
    test: TestFile | None = None
    errors: list[Finding] = field(default_factory=list)
    cases: list[CaseRun] = field(default_factory=list)
    deselected: int = 0
    base_policy: CheckedPolicy | None = None  # with the file's overrides only

    def outcome(self) -> SuiteOutcome:
        """The file as the reporters show it."""
        cases = tuple(
            CaseOutcome(name=c.case.name, classname=self.file, file=self.file, line=c.case.pos.line,
                        failures=tuple(c.failures), errors=tuple(c.errors), seconds=c.seconds)
            for c in self.cases)
        return SuiteOutcome(name=self.file, cases=cases, errors=tuple(self.errors), deselected=self.deselected)


def exit_status(runs: Sequence[FileRun]) -> int:
    """0 every case passed, 1 some failed, 2 some test could not be run at all."""
    if any(r.errors or any(c.errors for c in r.cases) for r in runs):
        return 2
    if any(c.failures for r in runs for c in r.cases):
        return 1
    return 0


# ---------------------------------------------------------------- discovery


def discover(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[Finding]]:
    """Test files named by ``paths``: files as given, directories walked for ``*.test.yaml`` / ``*.test.yml``.

    Hidden files and directories are skipped. A missing path, or a directory
    without test files, is a finding (exit status 2), not an empty run.
    """
    found: list[Path] = []
    problems: list[Finding] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            problems.append(Finding(str(given), 0, 0, "error", "file-unreadable", "no such file or directory"))
        elif path.is_dir():
            inside = walk(path, is_test_file)
            if not inside:
                problems.append(Finding(str(given), 0, 0, "error", "no-tests",
                                        "no *.test.yaml or *.test.yml files in this directory"))
            found.extend(inside)
        else:
            found.append(path)
    return unique(found), problems


# ---------------------------------------------------------------- running


def run_paths(paths: Iterable[str | os.PathLike[str]], keyword: str | None = None) -> tuple[list[FileRun], list[Finding]]:
    """Discover and run every test file; also returns discovery problems."""
    files, problems = discover(paths)
    cache = PolicyCache()
    return [run_file(path, keyword, cache) for path in files], problems


def run_file(path: str | os.PathLike[str], keyword: str | None = None, cache: PolicyCache | None = None) -> FileRun:
    """Run the cases of one test file whose name contains ``keyword`` (case-insensitive; None: all)."""
    cache = cache or PolicyCache()
    run = FileRun(file=str(path))
    try:
        test = load_test_file(path)
    except PolicyLoadError as exc:
        run.errors = list(exc.findings)
        return run
    run.test = test
    pp = test.policy_pos
    if not Path(test.policy).is_file():
        what = "is not a regular file" if os.path.exists(test.policy) else "not found"
        run.errors = [Finding(test.file, pp.line, pp.col, "error", "file-unreadable",
                              f"policy file {what}: {test.policy} (paths are relative to the test file)")]
        return run
    try:
        checked = cache.get(test.policy, [o.text for o in test.overrides])
    except UsageError as exc:
        run.errors = [override_problem(exc, test.overrides, test.file, pp, "")]
        return run
    except (PolicyLoadError, PolicyInvalid) as exc:
        lead = Finding(test.file, pp.line, pp.col, "error", "invalid-policy",
                       f"the policy {test.policy} cannot be used; its problems follow")
        run.errors = [lead, *exc.findings]
        return run
    run.base_policy = checked
    columns = Columns(checked.policy)
    run.errors = [columns.unknown(test.file, cell, "defaults: ") for cell in test.defaults
                  if columns.resolve(cell.key) is None]
    if run.errors:
        return run
    wanted = keyword.lower() if keyword else None
    for case in test.cases:
        if wanted is not None and wanted not in case.name.lower():
            run.deselected += 1
            continue
        run.cases.append(_run_case(test, case, cache))
    return run


def _run_case(test: TestFile, case: Case, cache: PolicyCache) -> CaseRun:
    started = time.perf_counter()
    log = CaseLog(test.file, case)
    results: Results | None = None
    try:
        results = CaseRunner(test, case, cache, log).run()
    except Stop:
        pass
    return CaseRun(case, log.failures, log.errors, time.perf_counter() - started, results)
