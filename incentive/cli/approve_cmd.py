"""``approve`` and ``status``: the sign-off of a closed period before payroll."""

from __future__ import annotations

import click
from tabulate import tabulate

from incentive.app.approvals import PeriodState, approve as run_approve, period_log, states
from incentive.cli.common import READ_LEDGER_HELP, handle_errors
from incentive.policy.model import SIGN_OFF_ROLES

WRITE_LEDGER_HELP = ("The ledger the approval is recorded in; it must exist. Default: $INCENTIVE_LEDGER, else "
                     "`ledger` in incentive.toml, else ./incentive-ledger.sqlite.")


@click.command()
@click.argument("policy")
@click.option("--period", required=True)
@click.option("--as", "name", required=True, metavar="NAME", help="Who approves (recorded in the ledger).")
@click.option("--role", type=click.Choice(SIGN_OFF_ROLES), default=None,
              help="The role approving. May be left out when the policy's sign_off names one role "
                   "(or none: then hr).")
@click.option("--comment", default=None, help="A comment recorded with the approval.")
@click.option("--entry", default=None, metavar="HASH",
              help="The entry hash of the close reviewed (as close printed it, 12+ hex digits): refused if the "
                   "period was closed again since.")
@click.option("--ledger", default=None, type=click.Path(dir_okay=False), help=WRITE_LEDGER_HELP)
@handle_errors
def approve(policy, period, name, role, comment, entry, ledger):
    """Approve a closed period's results (POLICY: a policy file or id); recorded against its close."""
    event, state = run_approve(policy, period, name, role, comment, ledger, entry=entry)
    assert state.close is not None
    click.echo(f"approved {event.policy_id} {event.period} (ledger entry {state.close.seq}) as "
               f"{event.payload['role']}: {event.by}; event {event.seq}")
    click.echo(f"state: {state.state}; waiting for {state.waiting_for()}")
    click.echo(f"events head: {event.event_hash}")


@click.command()
@click.argument("policy")
@click.option("--period", default=None, help="Only this period.")
@click.option("--ledger", default=None, type=click.Path(dir_okay=False), help=READ_LEDGER_HELP)
@handle_errors
def status(policy, period, ledger):
    """Each closed period's state (closed, approved, exported) and what it is waiting for."""
    rows = [_row(s) for s in states(policy, period, ledger)]
    click.echo(tabulate(rows, headers=["period", "state", "close", "approvals", "exports", "waiting for"],
                        disable_numparse=True))
    if period is not None:
        click.echo(f"\nledger entries of {period}:")
        for line in period_log(policy, period, ledger):
            click.echo(f"  {line}")


def _row(s: PeriodState) -> list[str]:
    approvals = ", ".join(f"{a.payload.get('role')}: {a.by}" for a in s.approvals)
    exports = ", ".join(str(e.payload.get("layout")) for e in s.exports)
    close = f"entry {s.close.seq} ({s.close.at})" if s.close is not None else ""
    return [s.period, s.state, close, approvals, exports, s.waiting_for()]
