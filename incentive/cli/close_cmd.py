"""``close``, ``reopen``, ``verify`` and ``history``: the official period close."""

from __future__ import annotations

import click
import polars as pl
from tabulate import tabulate

from incentive.cli.common import handle_errors
from incentive.cli.options import data_options, reading_options
from incentive.closing import CloseOptions, close_period, who
from incentive.report.explain import fmt
from incentive.report.terminal import printable
from incentive.report.summary import render, warnings_text
from incentive.workflow import RunOptions

_DEFAULT = "Default: $INCENTIVE_LEDGER, else `ledger` in incentive.toml, else ./incentive-ledger.sqlite."
CLOSE_LEDGER_HELP = f"The ledger the close is recorded in; created (and announced on stderr) if missing. {_DEFAULT}"
REOPEN_LEDGER_HELP = f"The ledger the reopen is recorded in; it must exist. {_DEFAULT}"
READ_LEDGER_HELP = f"The ledger to read; opened read-only, never created. {_DEFAULT}"


def _say(message: str) -> None:
    click.echo(printable(message), err=True)


@click.command()
@lambda f: data_options(f, close=True)
@click.option("--ledger", default=None, type=click.Path(dir_okay=False), help=CLOSE_LEDGER_HELP)
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Outputs go to OUT/<policy>/<period>/. Default: $INCENTIVE_OUT, else `out` in "
                   "incentive.toml, else ./out.")
@click.option("--by", default=None, help="Who closes (default: $INCENTIVE_USER or the login name).")
@click.option("--xlsx", is_flag=True, help="Also write results.xlsx.")
@click.option("--trace", is_flag=True, help="Also write trace.jsonl: one explanation per person.")
@click.option("--strict", is_flag=True,
              help="Refuse to close a policy whose rules read history when the ledger has no earlier period of it.")
@handle_errors
def close(policy, data, ledger, out_dir, by, xlsx, trace, strict, **run_fields):
    """Close a period: official results, outputs written atomically, locked in the ledger.

    The options used (language, data-reading options, --xlsx / --trace) are
    recorded with the close; verify and explain --close reuse them.
    """
    from incentive.settings import resolve_out

    run = RunOptions(**run_fields, **reading_options())  # every data-reading option close offers (see cli/options.py)
    opts = CloseOptions(out=str(resolve_out(out_dir).path), ledger=ledger, by=by, xlsx=xlsx, trace=trace,
                        strict=strict)
    outcome = close_period(policy, data, run, opts, notify=_say)
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
    click.echo(warnings_text(outcome.results), err=True, nl=False)
    click.echo(render(outcome.results, run.lang), nl=False)
    click.echo(f"closed {entry.policy_id} {entry.period}: ledger entry {entry.seq}; outputs in {outcome.directory}")
    click.echo(f"ledger head: {entry.entry_hash} (keep it outside the ledger; "
               f"`incentive verify --head` then detects removed entries)")


@click.command()
@click.argument("policy")
@click.option("--period", required=True)
@click.option("--reason", required=True, help="Why the period is reopened (recorded in the ledger).")
@click.option("--ledger", default=None, type=click.Path(dir_okay=False), help=REOPEN_LEDGER_HELP)
@click.option("--by", default=None, help="Who reopens (default: $INCENTIVE_USER or the login name).")
@handle_errors
def reopen(policy, period, reason, ledger, by):
    """Reopen a closed period so it can be closed again. POLICY is a policy file or a policy id."""
    from incentive.ledger.locate import open_existing

    policy_id, label = _policy_and_period(policy, period)
    store = open_existing(ledger, readonly=False)  # nothing to reopen in a ledger that does not exist
    try:
        entry = store.reopen(policy_id, label, reason, who(by))
    finally:
        store.close()
    click.echo(f"reopened {policy_id} {label}: ledger entry {entry.seq} ({entry.by}: {reason})")
    click.echo(f"ledger head: {entry.entry_hash}")


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--ledger", default=None, type=click.Path(dir_okay=False), help=READ_LEDGER_HELP)
@click.option("--head", "heads", multiple=True, metavar="HASH",
              help="An entry hash recorded earlier (close prints the ledger head): it must still be in the chain, "
                   "which detects removed newest entries. Repeatable.")
@handle_errors
def verify(directory, ledger, heads):
    """Check the ledger's hash chain, an output directory, and re-run closes to compare every output hash."""
    from incentive.verify import verify as run_verify

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
    from incentive.ledger.locate import open_existing

    policy_id = _policy_id(policy) if policy else None
    store = open_existing(ledger)
    rows = []
    try:
        latest = {}
        for e in store.entries(policy_id):
            latest[(e.policy_id, e.period)] = e
        for (pid, label), e in sorted(latest.items(), key=lambda kv: (kv[0][0], kv[1].period_ordinal)):
            if e.kind != "close":
                continue
            frame = store.load_results(e)
            id_col = frame.columns[0]
            me = frame.filter(pl.col(id_col).cast(pl.String) == employee)
            if not me.height:
                continue
            r = me.row(0, named=True)
            rows.append([pid, label, fmt(r.get("score")), r.get("band") or "", fmt(r.get("rank")),
                         fmt(r.get("total"), 2), r.get("recommendations") or ""])
    finally:
        store.close()
    if not rows:
        click.echo(f"no closed period has employee {employee}")
        return
    click.echo(tabulate(rows, headers=["policy", "period", "score", "band", "rank", "total", "recommendations"],
                        disable_numparse=True))


def _policy_id(policy: str) -> str:
    from pathlib import Path

    if Path(policy).is_file():
        from incentive.policy.validate import load_policy

        return load_policy(policy).policy.id
    return policy


def _policy_and_period(policy: str, period: str) -> tuple[str, str]:
    from pathlib import Path

    if Path(policy).is_file():
        from incentive.io.periods import parse_period
        from incentive.policy.validate import load_policy

        checked = load_policy(policy)
        return checked.policy.id, parse_period(period, checked.policy.period).label
    return policy, period
