"""``incentive statements``: per-person statements of a closed period, from its own files."""

from __future__ import annotations

import click

from incentive.app.statements import FORMATS, LANGS, StatementOptions, write_statements
from incentive.cli.common import READ_LEDGER_HELP, handle_errors


@click.command()
@click.argument("close_dir", type=click.Path(file_okay=False))
@click.option("--out", "out_dir", required=True, type=click.Path(),
              help="Write one statement per person here (E007.html / E007.pdf); created if missing.")
@click.option("--employee", "employees", multiple=True, help="Only these employees (repeatable).")
@click.option("--lang", type=click.Choice(LANGS), default=None,
              help="The statements' language. Default: the language the close was made in, else en.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="html", show_default=True,
              help="html: self-contained print-ready pages; pdf: A4 PDF (needs the Noto Sans CJK SC font).")
@click.option("--ledger", default=None, type=click.Path(dir_okay=False),
              help=f"The ledger the history section and the entry hash come from. {READ_LEDGER_HELP}")
@handle_errors
def statements(close_dir: str, out_dir: str, employees: tuple[str, ...], lang: str | None, fmt: str,
               ledger: str | None) -> None:
    """Write each person's incentive statement from CLOSE_DIR (OUT/<policy>/<period> of a close).

    Nothing is re-run: the numbers are the close's audit record, checked against its manifest.json.
    """
    written = write_statements(close_dir, out_dir, StatementOptions(tuple(employees), lang, fmt, ledger))
    click.echo(f"wrote {len(written)} statement{'s' if len(written) != 1 else ''} into {out_dir}")
