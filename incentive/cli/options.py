"""Options shared by the commands that evaluate a policy on period data."""

from __future__ import annotations

from typing import Any, Callable

import click


def data_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """POLICY DATA --period … and the data-reading options."""
    decorators = [
        click.argument("policy", type=click.Path(dir_okay=False)),
        click.argument("data", type=click.Path(dir_okay=False)),
        click.option("--period", required=True, help="The period to evaluate: 2026-10, 2026-Q3, 2026-H2 or 2026."),
        click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE",
                     help="Override a policy value, e.g. kpis.sales.weight=50 (repeatable)."),
        click.option("--encoding", default=None, help="Force the CSV encoding (default: detect UTF-8 / BOM / GBK)."),
        click.option("--sheet", default=None, help="XLSX sheet name (default: the first sheet)."),
        click.option("--max-errors", default=100, show_default=True, type=click.IntRange(1, 100000),
                     help="Stop listing data problems after this many."),
        click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
                     help="Language of labels and reasons."),
        click.option("--ledger", default=None, type=click.Path(dir_okay=False),
                     help="Read history (earlier closed periods) from this ledger; never written by this command."),
    ]
    for deco in reversed(decorators):
        func = deco(func)
    return func
