"""Options shared by the commands that evaluate a policy on period data."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import click

from pathlib import Path

from incentive.app.run import RunOptions
from incentive.app.sources_run import Sources
from incentive.errors import UsageError
from incentive.settings import resolve_ledger


def _apply(func: Callable[..., Any], decorators: list[Callable]) -> Callable[..., Any]:
    for deco in reversed(decorators):
        func = deco(func)
    return func


# -- io (issue 12, A2): where the table is in the sheet. Stored in the click context (not parameters of
# every command), read back by ``reading_options`` into RunOptions.
_LAYOUT = "incentive.data_layout"


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    ctx.meta.setdefault(_LAYOUT, {})[param.name] = value
    return value


_layout_options = [
    click.option("--header-row", "header_row", type=click.IntRange(min=1), default=None, expose_value=False,
                 callback=_remember, metavar="N",
                 help="The header is on row N of the sheet / line N of the CSV (default: found, skipping title rows)."),
    click.option("--skip-footer", "skip_footer", is_flag=True, default=False, expose_value=False, callback=_remember,
                 help="Skip every row from the first totals row or row without an id to the end."),
]


def reading_options() -> dict[str, Any]:
    """--header-row / --skip-footer of the running command, as RunOptions fields."""
    ctx = click.get_current_context(silent=True)
    found = ctx.meta.get(_LAYOUT, {}) if ctx is not None else {}
    return {"header_row": found.get("header_row"), "skip_footer": bool(found.get("skip_footer", False))}


#: --ledger of the commands that only read history (close has its own: it writes the ledger)
LEDGER_READ_HELP = ("Read history (earlier closed periods) from this ledger; never created or written by this "
                    "command. Default: $INCENTIVE_LEDGER, else `ledger` in incentive.toml, else "
                    "./incentive-ledger.sqlite.")


def run_options(func: Callable[..., Any], *, period_required: bool = True, close: bool = False) -> Callable[..., Any]:
    """--period, --set and the data-reading options (``close``: no --set, and close's own --ledger)."""
    return _apply(func, [
        click.option("--period", required=period_required,
                     help="The period to evaluate: 2026-10, 2026-Q3, 2026-H2 or 2026."),
        *([] if close else [click.option(
            "--set", "overrides", multiple=True, metavar="PATH=VALUE",
            help="Override a policy value, e.g. kpis.sales.weight=50 (repeatable; for diff: on NEW).")]),
        click.option("--encoding", default=None, help="Force the CSV encoding (default: detect UTF-8 / BOM / GBK)."),
        click.option("--sheet", default=None, help="XLSX sheet name (default: the first sheet)."),
        *_layout_options,
        click.option("--max-errors", default=100, show_default=True, type=click.IntRange(1, 100000),
                     help="Stop listing data problems after this many."),
        click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
                     help="Language of labels and reasons."),
        *([] if close else [click.option("--ledger", default=None, type=click.Path(dir_okay=False),
                                         help=LEDGER_READ_HELP)]),
    ])


def data_options(func: Callable[..., Any], *, close: bool = False, plans: bool = False) -> Callable[..., Any]:
    """POLICY DATA and the run options (``plans``: POLICY may be a plan directory, docs/plan-versions.md)."""
    return _apply(func, [
        click.argument("policy", type=click.Path(dir_okay=plans)),
        click.argument("data", type=click.Path(dir_okay=False)),
        lambda f: run_options(f, close=close),
    ])


#: how SOURCES are named, for ``credit`` and for every command that can evaluate from them
SOURCES_HELP = ("SOURCES are NAME=PATH (orders=crm/export.xlsx) or files named after their source (orders.csv): "
                "every source the crediting file declares, the people file as people=PATH.")
CREDITING_HELP = "The crediting file (default: the one the policy's `crediting` key names)."


def crediting_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """--crediting FILE: the crediting definition (``incentive credit`` and the commands evaluating sources)."""
    return click.option("--crediting", default=None, type=click.Path(dir_okay=False), help=CREDITING_HELP)(func)


def sources_argument(func: Callable[..., Any]) -> Callable[..., Any]:
    """SOURCES... of ``incentive credit``."""
    return click.argument("sources", nargs=-1, required=True)(func)


def source_data_options(func: Callable[..., Any], *, close: bool = False, optional: bool = False,
                        plans: bool = False) -> Callable[..., Any]:
    """POLICY DATA... (one per-person data file, or the crediting SOURCES), --crediting and the run options
    (``plans``: POLICY may be a plan directory, docs/plan-versions.md).

    ``data`` arrives as a tuple; ``data_input`` tells a data file from sources."""
    return _apply(func, [
        click.argument("policy", required=not optional, type=click.Path(dir_okay=plans)),
        click.argument("data", nargs=-1, required=False, metavar="DATA", type=click.Path(dir_okay=False)),
        crediting_option,
        lambda f: run_options(f, period_required=not optional, close=close),
    ])


def data_input(data: Sequence[str], crediting: str | None) -> str | Sources:
    """The per-person data file (one argument), or the crediting sources (several, NAME=PATH, or --crediting)."""
    args = tuple(data)
    if not args:
        raise UsageError("give the period data: one per-person data file, or the crediting sources "
                         "(NAME=PATH ..., as for `incentive credit`)")
    if len(args) > 1 or crediting is not None or _named(args[0]):
        return Sources(args, crediting)
    return args[0]


def _named(arg: str) -> bool:
    name, sep, _ = arg.partition("=")
    return bool(sep) and bool(name) and "/" not in name and not Path(arg).exists()


def run_opts(period: str, overrides: Sequence[str], encoding: str | None, sheet: str | None, max_errors: int,
             lang: str, ledger: str | None) -> RunOptions:
    """The parsed run options as the application layer takes them."""
    return RunOptions(period=period, overrides=tuple(overrides), encoding=encoding, sheet=sheet,
                      max_errors=max_errors, lang=lang, ledger=str(resolve_ledger(ledger).path),
                      **reading_options())
