"""``balances``: draw balances across closed periods, read from the ledger."""

from __future__ import annotations

import click
from tabulate import tabulate

from incentive.app.balances import balances as read_balances
from incentive.cli.common import READ_LEDGER_HELP, handle_errors
from incentive.numeric import plain_text


@click.command()
@click.argument("policy")
@click.option("--employee", default=None, help="Only this person.")
@click.option("--period", default=None, help="Only this period.")
@click.option("--ledger", default=None, type=click.Path(dir_okay=False), help=READ_LEDGER_HELP)
@handle_errors
def balances(policy, employee, period, ledger):
    """Each person's draw balances per closed period: opening, advanced, recovered, forgiven, closing."""
    rows = read_balances(policy, employee, period, ledger)
    if not rows:
        click.echo("no draw balances (the policy's closes have no draws, or no such person)")
        return
    money = lambda d: plain_text(d, trim=False)  # noqa: E731 - a column formatter
    click.echo(tabulate([[r.period, r.employee, r.draw, money(r.opening), money(r.shortfall), money(r.recovered),
                          money(r.forgiven), money(r.closing), r.status] for r in rows],
                        headers=["period", "employee", "draw", "opening", "advanced", "recovered", "forgiven",
                                 "closing", "status"], disable_numparse=True, colalign=("left",) * 3 + ("right",) * 5))
