"""``incentive credit``: credit transaction lines to people and write the period table."""

from __future__ import annotations

import click

from incentive.app.credit import run_credit
from incentive.cli.common import handle_errors
from incentive.cli.options import crediting_option, sources_argument


@click.command()
@click.argument("policy", type=click.Path(dir_okay=False))
@sources_argument
@click.option("--period", required=True, help="The period to credit, e.g. 2026-Q1.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="Directory for period.csv, credits.csv and sources.json (written all or nothing).")
@click.option("--format", "fmt", default="csv", show_default=True, type=click.Choice(["csv", "parquet"]),
              help="Format of the two tables.")
@crediting_option
@click.option("--encoding", default=None, help="Text encoding of CSV sources (default: detected).")
@click.option("--engine", default="duckdb", show_default=True, type=click.Choice(["duckdb", "spark"]),
              help="Where the crediting SQL runs: DuckDB embedded, or Apache Spark (needs pip install 'incentive[spark]' "
                   "and Java).")
@click.option("--spark-url", default=None, metavar="sc://HOST:PORT",
              help="With --engine spark: a Spark Connect server to run on (default: a local session, local[2]).")
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE", help="Override a policy value.")
@handle_errors
def credit(policy: str, sources: tuple[str, ...], period: str, out: str, fmt: str, crediting: str | None,
           encoding: str | None, engine: str, spark_url: str | None, overrides: tuple[str, ...]) -> None:
    """Credit the order, collection and refund lines of SOURCES (NAME=PATH, or files named after their
    source) to people, roles and managers for one period, as POLICY's crediting file declares."""
    summary = run_credit(policy, tuple(sources), period, out, fmt=fmt, crediting=crediting, encoding=encoding,
                         overrides=tuple(overrides), engine=engine, spark_url=spark_url)
    for note in summary.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"credited {summary.period}: {summary.credit_rows:,} credit rows, {summary.people:,} people")
    for path in summary.written:
        click.echo(f"wrote {path}")
