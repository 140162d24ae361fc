"""``incentive plan``: the document participants read and sign, generated from the policy."""

from __future__ import annotations

import sys

import click

from incentive.app.plan import FORMATS, LANGS, write_plan
from incentive.cli.common import handle_errors
from incentive.output.write_errors import writing_to


@click.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True,
              help="The document's language: labels, words and the worked example.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True,
              help="md (for a wiki or a git diff), html (one self-contained file, prints on A4) or pdf.")
@click.option("--out", default=None, type=click.Path(dir_okay=False, allow_dash=True),
              help="Write here (written atomically); '-' is standard output (md, html). "
                   "Default: md to standard output, html / pdf to <policy-id>-plan.<lang>.<ext>.")
@handle_errors
def plan(policy: str, lang: str, fmt: str, out: str | None) -> None:
    """Generate the plan document of POLICY: KPIs, tiers, ranking, rules, a worked example and the approval."""
    data, target = write_plan(policy, lang, fmt, out)
    if target is None:
        with writing_to("standard output"):
            sys.stdout.buffer.write(data)  # bytes as rendered (UTF-8), whatever the terminal's encoding
            sys.stdout.buffer.flush()
    else:
        click.echo(f"wrote {target}", err=True)
