"""``incentive evaluate`` (a dry run) and ``incentive explain`` (one person)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click
from click.core import ParameterSource

from incentive.app.outputs import write_evaluation
from incentive.app.recorded import recorded_lang, recorded_person
from incentive.app.recorded_sources import recorded_credits
from incentive.report.credit_lines import (CreditLines, line_credit, line_json, line_text, lines_text,
                                           person_lines, with_lines_json)
from incentive.app.run import run_evaluation, select_employees
from incentive.app.tables import FORMATS
from incentive.cli.common import handle_errors
from incentive.app.sources_run import Sources, credit_lines, credit_only, evaluate_sources
from incentive.cli.options import SOURCES_HELP, data_input, source_data_options, run_opts as _opts
from incentive.cli.progress import for_command, quiet_option
from incentive.errors import UsageError
from incentive.report import explain as explain_mod, explain_versions
from incentive.report.evaluation_page import write_report
from incentive.report.fairness_text import terminal_text as fairness_text
from incentive.report.summary import render, warnings_text


@click.command(epilog=SOURCES_HELP)
@lambda f: source_data_options(f, plans=True)
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Write results.<format>, recommendations.<format> and ranking.<format> here.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("--employee", "employees", multiple=True, help="Only these employees (repeatable).")
@click.option("--html", "html_path", default=None, type=click.Path(dir_okay=False),
              help="Write a self-contained report page with charts (works offline).")
@click.option("--strict", is_flag=True,
              help="Refuse to evaluate a policy whose rules read history when the ledger has no earlier period of it, "
                   "or whose exit-type recommendations lack an approval record published before the period.")
@click.option("--headers", type=click.Choice(["ids", "labels"]), default="ids", show_default=True,
              help="CSV / JSON column headers: ids (for programs) or labels in --lang (for people). "
                   "XLSX always shows labels above the ids.")
@quiet_option
@handle_errors
def evaluate(policy, data, crediting, period, overrides, encoding, sheet, max_errors, lang, ledger, out_dir, fmt,
             employees, html_path, strict, headers, quiet):
    """Evaluate POLICY on DATA (a per-person file) or on the crediting SOURCES for one period. A dry run:
    nothing is recorded.

    POLICY is a policy file, or a plan: a directory of the versions of one
    policy id, whose effective dates pick the version(s) for the period; a
    period split between two versions is weighted by days
    (docs/plan-versions.md).
    """
    opts = replace(_opts(period, overrides, encoding, sheet, max_errors, lang, ledger), strict_history=strict)
    given = data_input(data, crediting)
    with for_command(quiet, ["read", "evaluate"]) as progress:
        if isinstance(given, Sources):
            results, credited = evaluate_sources(policy, given, opts, progress=progress)
            for note in credited.notes:
                click.echo(f"note: {note}", err=True)
        else:
            results = run_evaluation(policy, given, opts, progress=progress)
    if employees:
        select_employees(results, employees)  # unknown ids are an error before anything is written
    click.echo(warnings_text(results), err=True, nl=False)
    click.echo(fairness_text(results, lang), err=True, nl=False)  # a line per four-fifths flag
    click.echo(render(results, lang), nl=False)
    if out_dir:
        for path in write_evaluation(results, out_dir, fmt, employees, lang=lang, headers=headers):
            click.echo(f"wrote {path}", err=True)
    if html_path:
        write_report(results, Path(html_path), lang=lang)
        click.echo(f"wrote {html_path}", err=True)


@click.command(epilog=SOURCES_HELP)
@lambda f: source_data_options(f, optional=True, plans=True)
@click.option("--close", "close_dir", default=None, type=click.Path(file_okay=False),
              help="Explain from a closed period's outputs (OUT/<policy>/<period>): its audit record and policy "
                   "copy, without re-running anything. Replaces POLICY DATA --period.")
@click.option("--employee", default=None, help="The employee id to explain.")
@click.option("--line", "line_id", default=None,
              help="Explain how one transaction line was credited (needs the crediting SOURCES or --close of a "
                   "close from them).")
@click.option("--lines", "top", default=10, show_default=True, type=click.IntRange(min=0),
              help="With --employee, from sources or --close of a close from them: how many of the person's "
                   "credited lines to list (largest first).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def explain(policy, data, crediting, period, overrides, encoding, sheet, max_errors, lang, ledger, close_dir, employee,
            line_id, top, fmt):
    """Show how every number of one person was derived (POLICY DATA|SOURCES --period P, or --close DIR), and,
    from crediting sources, the person's credited lines or how one line was credited (--line)."""
    if (employee is None) == (line_id is None):
        raise UsageError("explain needs exactly one of --employee ID (a person) and --line ID (a credited line)")
    credits = None
    if close_dir is not None:
        if policy or data or period or overrides or ledger or crediting:
            raise UsageError("--close explains a closed period from its own outputs: give no POLICY, DATA, "
                             "--period, --set, --crediting or --ledger with it")
        if click.get_current_context().get_parameter_source("lang") is ParameterSource.DEFAULT:
            lang = recorded_lang(close_dir) or lang  # the close's own language unless --lang asks for another
        credits = recorded_credits(close_dir, needed=line_id is not None)
        if line_id is not None:
            assert credits is not None  # needed: recorded_credits raises for a close without a credit table
            _echo_line(credits, line_id, lang, fmt)
            return
        person = recorded_person(close_dir, employee)
        row, checked, columns, label = person.row, person.checked, person.columns, person.period
        split = person.split
    else:
        if not (policy and data and period):
            raise UsageError("explain needs POLICY DATA --period P (a dry run), or --close DIR (a closed period)")
        opts = _opts(period, overrides, encoding, sheet, max_errors, lang, ledger)
        given = data_input(data, crediting)
        if line_id is not None:
            if not isinstance(given, Sources):
                raise UsageError("--line explains a credited line: give the crediting SOURCES (NAME=PATH ..., as "
                                 "for `incentive credit`), or --close DIR of a close made from them; "
                                 f"{given} is a per-person data file, which has no lines")
            _echo_line(credit_lines(credit_only(policy, given, opts)), line_id, lang, fmt)
            return
        if isinstance(given, Sources):
            results, credited = evaluate_sources(policy, given, opts)
            credits = credit_lines(credited)
        else:
            results = run_evaluation(policy, given, opts)
        rows = select_employees(results, (employee,)).to_dicts()
        if not rows:
            raise UsageError(f"--employee: no such employee {employee!r}")
        row, checked, columns, label = rows[0], results.checked, results.columns, results.period.label
        split = results.split
    ex = explain_mod.explain_row(row, checked, columns, label, lang)
    explain_versions.add_split(ex, split, row, checked.policy, lang)  # a split period: each version
    lines = person_lines(credits, employee, row, top) if credits is not None else None
    decimals = checked.policy.money.decimals
    if fmt == "json":
        click.echo(ex.to_json() if lines is None else with_lines_json(ex.to_json(), lines, decimals), nl=False)
    else:
        click.echo(explain_mod.render_text(ex, decimals, lang), nl=False)
        if lines is not None:
            click.echo(lines_text(lines, decimals, lang), nl=False)


def _echo_line(credits: CreditLines, line_id: str, lang: str, fmt: str) -> None:
    shown = line_credit(credits, line_id)
    click.echo(line_json(shown) if fmt == "json" else line_text(shown, lang), nl=False)
