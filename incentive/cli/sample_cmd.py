"""``incentive sample``: realistic synthetic period data for a policy's inputs."""

from __future__ import annotations

import click

from incentive.app.run import load
from incentive.cli.common import handle_errors
from incentive.io.periods import parse_period
from incentive.sample import format_for, sample_frame, write_sample


@click.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@click.option("--rows", required=True, type=click.IntRange(1, 10_000_000), help="How many people.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(0, 2**63 - 1),
              help="Random seed: the same seed gives the same bytes.")
@click.option("--out", "out", default=None, type=click.Path(dir_okay=False),
              help="Write here (.csv, .xlsx, .json or .parquet); default: CSV on standard output.")
@click.option("--format", "fmt", default=None, type=click.Choice(["csv", "xlsx", "json", "parquet"]),
              help="Output format (default: from the --out extension, else csv).")
@click.option("--period", default=None,
              help="The period the data is for (hire dates, period-scaled amounts); "
                   "default: the period of the policy's effective start.")
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE",
              help="Override a policy value before sampling (e.g. an input's max).")
@handle_errors
def sample(policy, rows, seed, out, fmt, period, overrides):
    """Generate ROWS people of plausible period data for POLICY's inputs, with its column headers."""
    fmt = format_for(out, fmt)
    checked = load(policy, tuple(overrides))
    unit = checked.policy.period
    frame = sample_frame(checked.policy, rows, seed, parse_period(period, unit) if period else None)
    write_sample(frame, checked.policy, out, fmt)
    if out:
        click.echo(f"wrote {out} ({rows:,} rows)", err=True)
