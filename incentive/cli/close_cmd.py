"""``close``, ``reopen``, ``verify`` and ``history``: the official period close."""

from __future__ import annotations

import click
import polars as pl
from tabulate import tabulate

from incentive.cli.common import handle_errors
from incentive.cli.options import data_options
from incentive.closing import CloseOptions, close_period, who
from incentive.report.explain import fmt
from incentive.report.summary import render, warnings_text
from incentive.workflow import RunOptions

LEDGER_HELP = "The ledger (SQLite file). Default: $INCENTIVE_LEDGER or ./incentive-ledger.sqlite."


@click.command()
@data_options
@click.option("--out", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False),
              help="Outputs go to OUT/<policy>/<period>/.")
@click.option("--by", default=None, help="Who closes (default: $INCENTIVE_USER or the login name).")
@click.option("--xlsx", is_flag=True, help="Also write results.xlsx.")
@click.option("--trace", is_flag=True, help="Also write trace.jsonl: one explanation per person.")
@handle_errors
def close(policy, data, period, overrides, encoding, sheet, max_errors, lang, ledger, out_dir, by, xlsx, trace):
    """Close a period: official results, outputs written atomically, locked in the ledger."""
    run = RunOptions(period=period, overrides=tuple(overrides), encoding=encoding, sheet=sheet,
                     max_errors=max_errors, lang=lang)
    outcome = close_period(policy, data, run, CloseOptions(out=out_dir, ledger=ledger, by=by, xlsx=xlsx, trace=trace))
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
    click.echo(render(outcome.results, lang), nl=False)
    click.echo(f"closed {entry.policy_id} {entry.period}: ledger entry {entry.seq}; outputs in {outcome.directory}")
    click.echo(f"ledger head: {entry.entry_hash} (keep it outside the ledger; "
               f"`incentive verify --head` then detects removed entries)")


@click.command()
@click.argument("policy")
@click.option("--period", required=True)
@click.option("--reason", required=True, help="Why the period is reopened (recorded in the ledger).")
@click.option("--ledger", default=None, type=click.Path(dir_okay=False), help=LEDGER_HELP)
@click.option("--by", default=None, help="Who reopens (default: $INCENTIVE_USER or the login name).")
@handle_errors
def reopen(policy, period, reason, ledger, by):
    """Reopen a closed period so it can be closed again. POLICY is a policy file or a policy id."""
    from incentive.ledger import Ledger, resolve_path

    policy_id, label = _policy_and_period(policy, period)
    store = Ledger(resolve_path(ledger))
    try:
        entry = store.reopen(policy_id, label, reason, who(by))
    finally:
        store.close()
    click.echo(f"reopened {policy_id} {label}: ledger entry {entry.seq} ({entry.by}: {reason})")
    click.echo(f"ledger head: {entry.entry_hash}")


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--ledger", default=None, type=click.Path(dir_okay=False), help=LEDGER_HELP)
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
@click.option("--ledger", default=None, type=click.Path(dir_okay=False), help=LEDGER_HELP)
@handle_errors
def history(employee, policy, ledger):
    """Bands, scores and totals of one person across closed periods."""
    from incentive.ledger import Ledger, resolve_path

    policy_id = _policy_id(policy) if policy else None
    store = Ledger(resolve_path(ledger))
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
