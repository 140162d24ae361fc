"""What every command shares: turning user-caused failures into exit 2."""

from __future__ import annotations

import functools
import sys
from typing import Any, Callable, TypeVar, cast

import click

from incentive.errors import IncentiveError
from incentive.report.terminal import printable, safe_terminal

F = TypeVar("F", bound=Callable[..., Any])

LEDGER_DEFAULT = "Default: $INCENTIVE_LEDGER, else `ledger` in incentive.toml, else ./incentive-ledger.sqlite."
#: the ``--ledger`` help of every command that only reads the ledger (here, not in close_cmd: a
#: command that reads the ledger need not import what a close needs)
READ_LEDGER_HELP = f"The ledger to read; opened read-only, never created. {LEDGER_DEFAULT}"


def handle_errors(func: F) -> F:
    """Print an ``IncentiveError`` as its message on stderr and exit 2.

    Anything else is a bug in incentive and keeps its traceback.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with safe_terminal():  # D14: no command echoes a raw control character from the data
                return func(*args, **kwargs)
        except IncentiveError as exc:
            message = str(exc) or exc.__class__.__name__
            click.echo(printable(message), err=True)  # data quoted in a message never drives the terminal
            sys.exit(exc.exit_code)

    return cast(F, wrapper)  # functools.wraps keeps func's signature; mypy cannot see that
