"""``incentive test``: run YAML policy tests, for people and CI."""

from __future__ import annotations

import sys
from decimal import Decimal, InvalidOperation

import click

from incentive.cli.common import handle_errors
from incentive.report.findings import FORMATS


def _percent(ctx: click.Context, param: click.Parameter, text: str | None) -> Decimal | None:
    """``--min-coverage`` as an exact decimal from 0 to 100 (never a float); ``90%`` is accepted too."""
    if text is None:
        return None
    try:
        value = Decimal(text.strip().removesuffix("%"))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not 0 <= value <= 100:
        raise click.BadParameter(f"expected a percentage from 0 to 100 such as 90 or 87.5, got {text!r}")
    return value


@click.command("test")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text: failures as file:line:col, then 'N passed, M failed'; json; github: workflow "
                   "annotations; junit: XML (one testsuite per file, one testcase per case).")
@click.option("-k", "keyword", default=None, metavar="TEXT",
              help="Run only the cases whose name contains TEXT (case-insensitive substring).")
@click.option("--coverage", "show_coverage", is_flag=True,
              help="Report the KPIs, tiers, gates, caps, penalties, bands and recommendation rules no case "
                   "exercises.")
@click.option("--min-coverage", callback=_percent, default=None, metavar="PCT",
              help="Fail (exit 1) when a tested policy's coverage is below PCT percent (implies --coverage).")
@click.option("-v", "--verbose", is_flag=True, help="Text format: list passing cases too.")
@handle_errors
def test(paths: tuple[str, ...], fmt: str, keyword: str | None, show_coverage: bool, min_coverage: Decimal | None,
         verbose: bool) -> None:
    """Run policy tests (directories are searched for *.test.yaml / *.test.yml).

    Exit status: 0 every case passed, 1 failures (or coverage below
    --min-coverage), 2 unusable input (missing file, bad YAML, a test-file
    format error, an invalid policy, bad input rows).
    """
    from incentive.policytest.coverage import coverage_of
    from incentive.policytest.runner import FileRun, exit_status, run_paths
    from incentive.policytest.outcomes import SuiteOutcome
    from incentive.report.policy_tests import outcomes_summary, render_tests

    runs, problems = run_paths(paths, keyword)
    suites = [SuiteOutcome(name=f.file, errors=(f,)) for f in problems] + [r.outcome() for r in runs]
    coverage = coverage_of(runs, min_coverage) if show_coverage or min_coverage is not None else []
    click.echo(render_tests(fmt, suites, coverage, verbose=verbose), nl=False)
    selected = sum(len(r.cases) for r in runs)
    line = outcomes_summary(suites)
    no_match = keyword is not None and selected == 0 and not problems and all(not r.errors for r in runs)
    if no_match:
        line += f" (no case name contains {keyword!r})"
    click.echo(line, err=fmt != "text")
    status = exit_status(runs + [FileRun(file=f.file, errors=[f]) for f in problems])
    if no_match:
        status = 2
    elif status == 0 and not all(c.ok for c in coverage):
        status = 1
    sys.exit(status)
