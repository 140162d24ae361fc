"""``export``: a closed period's payouts as a payroll, bank or tax file."""

from __future__ import annotations

import click

from incentive.app.export import ExportOptions, export_period
from incentive.cli.common import handle_errors
from incentive.exports.layout import shipped_layouts
from incentive.numeric import plain_text

_LEDGER_HELP = ("The ledger holding the close; it must exist. Default: $INCENTIVE_LEDGER, else `ledger` in "
                "incentive.toml, else ./incentive-ledger.sqlite.")


@click.command()
@click.argument("policy")
@click.option("--period", required=True, help="The closed period to export, e.g. 2026-Q1.")
@click.option("--layout", required=True, metavar="NAME|FILE",
              help=f"A shipped layout ({', '.join(shipped_layouts())}) or a layout file (docs/exports.md).")
@click.option("--out", required=True, type=click.Path(), help="The file to write (replaced atomically).")
@click.option("--people", default=None, type=click.Path(dir_okay=False),
              help="CSV / XLSX with each person's bank account, ID type and number, name (by employee id).")
@click.option("--ledger", default=None, type=click.Path(dir_okay=False), help=_LEDGER_HELP)
@click.option("--by", default=None, help="Who exports (default: $INCENTIVE_USER or the login name).")
@handle_errors
def export(policy: str, period: str, layout: str, out: str, people: str | None, ledger: str | None,
           by: str | None) -> None:
    """Export a closed period's payouts in a payroll, bank or tax layout. POLICY is a policy file or a policy id.

    The amounts are the close's recorded results, nothing is re-run; their sum
    must equal the close's payout total to the cent, or nothing is written.
    """
    outcome = export_period(ExportOptions(policy=policy, period=period, layout=layout, out=out, people=people,
                                          ledger=ledger, by=by))
    entry = outcome.entry
    click.echo(f"exported {entry.policy_id} {entry.period} (ledger entry {entry.seq}) as {outcome.layout.name}: "
               f"{outcome.path}")
    click.echo(f"{outcome.rows} rows, {outcome.people} people, control total "
               f"{plain_text(outcome.control_total, trim=False)} {outcome.currency} (equals the close's payout total)")
    click.echo(f"sha256 {outcome.sha256}")
