"""``incentive diff`` (OLD vs NEW on the same data) and ``incentive sweep`` (one parameter, many values)."""

from __future__ import annotations

from pathlib import Path

import click

from incentive.app.tables import write_table
from incentive.app.variants import run_diff, run_sweep
from incentive.cli.common import handle_errors
from incentive.cli.options import run_options, run_opts as _opts
from incentive.cli.progress import for_command, quiet_option
from incentive.errors import UsageError
from incentive.report.diff_summary import render_diff, render_sweep
from incentive.report.diff_page import write_diff_report
from incentive.report.terminal import printable

_OUT_FORMATS = {".csv": "csv", ".json": "json", ".xlsx": "xlsx", ".parquet": "parquet"}


def _out_format(path: str) -> str:
    fmt = _OUT_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise UsageError(f"--out {path}: use a .csv, .json, .xlsx or .parquet file name")
    return fmt


@click.command()
@click.argument("old", type=click.Path())
@click.argument("new", type=click.Path())
@click.argument("data", type=click.Path(dir_okay=False))
@run_options
@click.option("--by", "by", multiple=True, metavar="COLUMN",
              help="Group the cost table by this column (repeatable; default: the ranking's `within` columns).")
@click.option("--top", default=10, show_default=True, type=click.IntRange(0, 10000),
              help="How many of the biggest gainers and losers to list.")
@click.option("--out", "out", default=None, type=click.Path(dir_okay=False),
              help="Per-person deltas: FILE.csv, .json, .xlsx or .parquet.")
@click.option("--html", "html_path", default=None, type=click.Path(dir_okay=False),
              help="Write a self-contained page with charts (works offline).")
@quiet_option
@handle_errors
def diff(old, new, data, period, overrides, encoding, sheet, max_errors, lang, ledger, by, top, out, html_path, quiet):
    """Compare policy OLD with NEW on the same DATA: cost, band migration, gainers and losers.

    --set applies to NEW; give the same file twice to compare a policy with
    a variant of itself:  incentive diff p.yaml p.yaml data.csv --period 2026-Q1 --set kpis.sales.weight=50

    OLD or NEW may be a plan directory: the version covering the period is compared.
    """
    fmt = _out_format(out) if out else None
    with for_command(quiet, ["read", "evaluate"]) as progress:
        result = run_diff(old, new, data, _opts(period, overrides, encoding, sheet, max_errors, lang, ledger),
                          by=tuple(by), top=top, progress=progress)
    click.echo("".join(f"warning: {printable(note)}\n" for note in result.notes), err=True, nl=False)
    click.echo(render_diff(result, lang), nl=False)
    if out and fmt:
        write_table(result.people, Path(out), fmt, result.money_columns())
        click.echo(f"wrote {out}", err=True)
    if html_path:
        write_diff_report(result, Path(html_path), lang=lang)
        click.echo(f"wrote {html_path}", err=True)


@click.command()
@click.argument("policy", type=click.Path())
@click.argument("data", type=click.Path(dir_okay=False))
@run_options
@click.option("--set-range", "spec", required=True, metavar="PATH=START:STOP:STEP|PATH=V1,V2,...",
              help="The parameter to sweep and its values, e.g. "
                   "payouts.commission.tiers.table[1].rate=0.04:0.06:0.005.")
@click.option("--out", "out", default=None, type=click.Path(dir_okay=False),
              help="The sweep table: FILE.csv, .json, .xlsx or .parquet.")
@quiet_option
@handle_errors
def sweep(policy, data, period, overrides, encoding, sheet, max_errors, lang, ledger, spec, out, quiet):
    """Evaluate POLICY on DATA once per value of one parameter: cost and band counts per value."""
    fmt = _out_format(out) if out else None
    with for_command(quiet, ["read", "evaluate"]) as progress:
        result = run_sweep(policy, data, _opts(period, overrides, encoding, sheet, max_errors, lang, ledger), spec,
                           progress=progress)
    click.echo("".join(f"warning: {printable(note)}\n" for note in result.notes), err=True, nl=False)
    click.echo(render_sweep(result, lang), nl=False)
    if out and fmt:
        table = result.table()
        money = {c: result.money_decimals for c in table.columns if c not in ("value", "people")
                 and not c.startswith("band:")}
        write_table(table, Path(out), fmt, money)
        click.echo(f"wrote {out}", err=True)
