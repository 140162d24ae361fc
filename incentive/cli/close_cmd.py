"""``close``, ``reopen``, ``verify`` and ``history``: the official period close."""

from __future__ import annotations

import click
from tabulate import tabulate

from incentive.app.close import CloseOptions, close_period, reopen_period
from incentive.app.history import person_history, policy_id_of
from incentive.app.run import RunOptions
from incentive.app.verify import verify as run_verify
from incentive.app.versioned import is_plan, plan_for_close
from incentive.cli.common import READ_LEDGER_HELP, LEDGER_DEFAULT, handle_errors
from incentive.app.close_sources import close_sources
from incentive.app.sources_run import Sources
from incentive.cli.options import SOURCES_HELP, data_input, reading_options, source_data_options
from incentive.cli.progress import for_command, quiet_option, say_with
from incentive.report.explain import fmt
from incentive.report.fairness_text import terminal_text as fairness_text
from incentive.report.summary import render, warnings_text
from incentive.settings import resolve_out

CLOSE_LEDGER_HELP = f"The ledger the close is recorded in; created (and announced on stderr) if missing. {LEDGER_DEFAULT}"
REOPEN_LEDGER_HELP = f"The ledger the reopen is recorded in; it must exist. {LEDGER_DEFAULT}"


@click.command(epilog=SOURCES_HELP)
@lambda f: source_data_options(f, close=True, plans=True)
@click.option("--ledger", default=None, type=click.Path(dir_okay=False), help=CLOSE_LEDGER_HELP)
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Outputs go to OUT/<policy>/<period>/. Default: $INCENTIVE_OUT, else `out` in "
                   "incentive.toml, else ./out.")
@click.option("--by", default=None, help="Who closes (default: $INCENTIVE_USER or the login name).")
@click.option("--xlsx", is_flag=True, help="Also write results.xlsx.")
@click.option("--trace", is_flag=True, help="Also write trace.jsonl: one explanation per person.")
@click.option("--statements", is_flag=True,
              help="Also write statements/<employee>.html: each person's statement in --lang, listed in the "
                   "manifest and the ledger like every output (`incentive statements` makes PDFs later).")
@click.option("--strict", is_flag=True,
              help="Refuse to close a policy whose rules read history when the ledger has no earlier period of it, "
                   "or whose exit-type recommendations lack an approval record published before the period.")
@quiet_option
@handle_errors
def close(policy, data, crediting, ledger, out_dir, by, xlsx, trace, statements, strict, quiet, **run_fields):
    """Close a period: official results, outputs written atomically, locked in the ledger.

    POLICY is a policy file, or a plan directory: the version whose
    effective dates hold the whole period is closed; a period split
    between versions closes their results weighted by days, recording
    every version (docs/plan-versions.md).

    DATA is the per-person data file, or the crediting SOURCES (the raw CRM
    export): then the period table credited from them is what the close
    evaluates and records, the credit table is written beside the outputs
    (credits.csv) and every source's sha256 goes into the manifest and the
    ledger. The options used (language, data-reading options, --xlsx /
    --trace) are recorded with the close; verify and explain --close reuse them.
    """
    run = RunOptions(**run_fields, **reading_options())  # every data-reading option close offers (see cli/options.py)
    split = None
    if is_plan(policy):  # a plan directory (docs/plan-versions.md): the version(s) covering the period
        policy, split = plan_for_close(policy, run.period)
    opts = CloseOptions(out=str(resolve_out(out_dir).path), ledger=ledger, by=by, xlsx=xlsx, trace=trace,
                        strict=strict, statements=statements)
    with for_command(quiet, ["read", "evaluate", "outputs", "ledger"]) as progress:
        given = data_input(data, crediting)
        if isinstance(given, Sources):
            outcome = close_sources(policy, given, run, opts, notify=say_with(progress), progress=progress,
                                    split=split)
        else:
            outcome = close_period(policy, given, run, opts, notify=say_with(progress), progress=progress,
                                   split=split)
    entry = outcome.entry
    if outcome.restored:
        click.echo(f"{entry.policy_id} {entry.period} was already closed with identical policy and data "
                   f"(ledger entry {entry.seq}, {entry.at} by {entry.by}), but its outputs were missing or "
                   f"changed: rebuilt them in {outcome.directory}, every file matching the ledger.")
        return
    if outcome.already_closed:
        click.echo(f"{entry.policy_id} {entry.period} is already closed with identical policy and data "
                   f"(ledger entry {entry.seq}, {entry.at} by {entry.by}): nothing to do.")
        return
    results = outcome.results
    assert results is not None  # a close that recorded something has its results
    click.echo(warnings_text(results), err=True, nl=False)
    click.echo(fairness_text(results, run.lang), err=True, nl=False)  # a line per four-fifths flag
    click.echo(render(results, run.lang), nl=False)
    click.echo(f"closed {entry.policy_id} {entry.period}: ledger entry {entry.seq}; outputs in {outcome.directory}")
    click.echo(f"ledger head: {entry.entry_hash} (keep it outside the ledger; "
               f"`incentive verify --head` then detects removed entries)")


@click.command()
@click.argument("policy")
@click.option("--period", required=True)
@click.option("--reason", required=True, help="Why the period is reopened (recorded in the ledger).")
@click.option("--ledger", default=None, type=click.Path(dir_okay=False), help=REOPEN_LEDGER_HELP)
@click.option("--by", default=None, help="Who reopens (default: $INCENTIVE_USER or the login name).")
@click.option("--cascade", is_flag=True,
              help="Also reopen, newest first, the later closed periods whose balances (draws, holds) started "
                   "from this one; close them all again in period order afterwards.")
@handle_errors
def reopen(policy, period, reason, ledger, by, cascade):
    """Reopen a closed period so it can be closed again. POLICY is a policy file or a policy id."""
    entry = reopen_period(policy, period, reason, ledger, by, notify=lambda line: click.echo(line, err=True),
                          cascade=cascade)
    click.echo(f"reopened {entry.policy_id} {entry.period}: ledger entry {entry.seq} ({entry.by}: {reason})")
    click.echo(f"ledger head: {entry.entry_hash}")


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--ledger", default=None, type=click.Path(dir_okay=False), help=READ_LEDGER_HELP)
@click.option("--head", "heads", multiple=True, metavar="HASH",
              help="An entry or event hash recorded earlier (close prints the ledger head, approve the events "
                   "head): it must still be in its chain, which detects removed newest rows. Repeatable.")
@handle_errors
def verify(directory, ledger, heads):
    """Check the ledger's hash chain, an output directory, and re-run closes to compare every output hash."""
    problems, checked = run_verify(directory, ledger, heads=heads)
    for line in checked:
        click.echo(f"checked {line}")
    if problems:
        for p in problems:
            click.echo(f"FAILED: {p}", err=True)
        raise SystemExit(1)
    click.echo("verified: everything matches")


@click.command()
@click.option("--employee", required=True, help="The employee id.")
@click.option("--policy", "policy", default=None, help="Only this policy id (or policy file).")
@click.option("--ledger", default=None, type=click.Path(dir_okay=False), help=READ_LEDGER_HELP)
@handle_errors
def history(employee, policy, ledger):
    """Bands, scores and totals of one person across closed periods."""
    found = person_history(employee, policy_id_of(policy) if policy else None, ledger)
    if not found:
        click.echo(f"no closed period has employee {employee}")
        return
    trued = any(p.true_up is not None for p in found)
    clawed = any(p.clawback is not None for p in found)
    rows = [[p.policy_id, p.period + (f" (re-closed; {p.superseded} earlier close{'s' if p.superseded > 1 else ''} superseded)" if p.superseded else ""),
             fmt(p.score), p.band or "", fmt(p.rank), *([fmt(p.true_up, 2) if p.true_up is not None else ""] if trued else []),
             *([fmt(p.clawback, 2) if p.clawback is not None else ""] if clawed else []),
             fmt(p.total, 2), p.recommendations or ""] for p in found]
    click.echo(tabulate(rows, headers=["policy", "period", "score", "band", "rank", *(["true-up"] if trued else []),
                                       *(["clawback"] if clawed else []), "total", "recommendations"],
                        disable_numparse=True))
