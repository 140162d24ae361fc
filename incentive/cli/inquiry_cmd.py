"""``inquiry open | list | resolve``: a participant's question about a closed period, and its answer."""

from __future__ import annotations

import click
from tabulate import tabulate

from incentive.app.close import who
from incentive.app.inquiries import OUTCOMES, Inquiry, list_inquiries, open_inquiry, resolve_inquiry
from incentive.cli.approve_cmd import WRITE_LEDGER_HELP
from incentive.cli.common import READ_LEDGER_HELP, handle_errors


@click.group()
def inquiry():
    """Inquiries (申诉) about a closed period's numbers, each step recorded in the ledger."""


@inquiry.command("open")
@click.argument("policy")
@click.option("--period", required=True)
@click.option("--employee", required=True, help="Whose numbers are questioned.")
@click.option("--about", required=True, metavar="COMPONENT",
              help="A KPI, payout or penalty id of the policy, or score, band, total, recommendations.")
@click.option("--text", required=True, help="The question, in the participant's words.")
@click.option("--by", default=None, help="Who records it (default: the employee).")
@click.option("--ledger", default=None, type=click.Path(dir_okay=False), help=WRITE_LEDGER_HELP)
@handle_errors
def open_cmd(policy, period, employee, about, text, by, ledger):
    """Open an inquiry about one person's numbers in a closed period (POLICY: a policy file or id)."""
    found = open_inquiry(policy, period, employee, about, text, ledger, by)
    e = found.opened
    late = " -- LATE: after the appeal window, which ended " + str(e.payload["window_end"]) if found.late else ""
    click.echo(f"inquiry {found.number} opened: {e.policy_id} {e.period} {found.employee} about {found.about}{late}")


@inquiry.command("list")
@click.option("--policy", default=None, help="Only this policy id (or policy file).")
@click.option("--employee", default=None, help="Only this person's inquiries.")
@click.option("--open", "open_only", is_flag=True, help="Only inquiries not yet resolved.")
@click.option("--ledger", default=None, type=click.Path(dir_okay=False), help=READ_LEDGER_HELP)
@handle_errors
def list_cmd(policy, employee, open_only, ledger):
    """The inquiries in the ledger and how each ended."""
    found = list_inquiries(policy, ledger, open_only=open_only, employee=employee)
    if not found:
        click.echo("no inquiries" + (" open" if open_only else ""))
        return
    click.echo(tabulate([_row(i) for i in found], disable_numparse=True,
                        headers=["#", "policy", "period", "employee", "about", "opened", "late", "state", "note"]))


def _row(i: Inquiry) -> list[str]:
    e, r = i.opened, i.resolution
    return [str(i.number), e.policy_id, e.period, i.employee, i.about, f"{e.at} {e.by}", "late" if i.late else "",
            i.state, "" if r is None else str(r.payload.get("note"))]


@inquiry.command("resolve")
@click.argument("number", type=int)
@click.option("--outcome", required=True, type=click.Choice(OUTCOMES))
@click.option("--note", required=True, help="How it was resolved (recorded; shown on the statement).")
@click.option("--by", default=None, help="Who resolves (default: $INCENTIVE_USER or the login name).")
@click.option("--ledger", default=None, type=click.Path(dir_okay=False), help=WRITE_LEDGER_HELP)
@handle_errors
def resolve_cmd(number, outcome, note, by, ledger):
    """Resolve inquiry NUMBER; `corrected` after the period was reopened and closed again."""
    found = resolve_inquiry(number, outcome, note, ledger, who(by))
    r = found.resolution
    assert r is not None
    click.echo(f"inquiry {number} resolved: {outcome} ({r.by})")
    if outcome == "corrected":
        changed = [[name, "" if b is None else b, "" if a is None else a] for name, b, a in found.changes()]
        click.echo(tabulate(changed, headers=["", "before", "after"], disable_numparse=True)
                   if changed else "the re-close changed none of this person's numbers")
