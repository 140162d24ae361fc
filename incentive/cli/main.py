"""The ``incentive`` command: a thin click layer over the library.

Each command lives in its own module under ``incentive.cli`` and is
registered here; no business logic lives in the CLI.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from contextlib import contextmanager
from types import FrameType
from typing import Iterator

import click

from incentive import __version__, runtime, stops


#: every command of ``incentive``: its name, and the module and attribute that define it
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("validate_cmd", "validate"), "schema": ("validate_cmd", "schema"),
    "evaluate": ("evaluate_cmd", "evaluate"), "explain": ("evaluate_cmd", "explain"),
    "diff": ("diff_cmd", "diff"), "sweep": ("diff_cmd", "sweep"), "sample": ("sample_cmd", "sample"),
    "close": ("close_cmd", "close"), "reopen": ("close_cmd", "reopen"), "verify": ("close_cmd", "verify"),
    "history": ("close_cmd", "history"), "balances": ("balances_cmd", "balances"),
    "statements": ("statements_cmd", "statements"), "approve": ("approve_cmd", "approve"),
    "status": ("approve_cmd", "status"), "export": ("export_cmd", "export"), "inquiry": ("inquiry_cmd", "inquiry"),
    "plan": ("plan_cmd", "plan"), "test": ("test_cmd", "test"), "credit": ("credit_cmd", "credit"),
}


def _load_command(name: str) -> click.Command:
    module, attribute = COMMANDS[name]
    command = getattr(importlib.import_module(f"incentive.cli.{module}"), attribute)
    assert isinstance(command, click.Command) and command.name == name, (name, command)
    return command


class _Commands(click.Group):
    """The command group; a command's module is imported when that command is looked up.

    Importing every command module pulls in polars, the engine, DuckDB and
    the document renderers (about half a second); a run of one command
    imports what that command needs. Deferred to the look-up -- inside
    ``main``, after the signal handlers are installed -- a Ctrl-C during
    start-up is a clean stop instead of a ``KeyboardInterrupt`` traceback
    from the middle of an import.
    """

    _table: dict[str, click.Command]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self._table and cmd_name in COMMANDS:
            self._table[cmd_name] = _load_command(cmd_name)
        return self._table.get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self._table))

    @property  # type: ignore[override]  # a lazy property where click has a plain attribute
    def commands(self) -> dict[str, click.Command]:
        """Every command, all modules imported (the CLI reference and the tests use it)."""
        for name in COMMANDS:
            if name not in self._table:
                self._table[name] = _load_command(name)
        return self._table

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._table = dict(value)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="incentive")
def cli() -> None:
    """Rule-driven incentive and evaluation engine.

    Policies are YAML files; period data is CSV / XLSX / JSON / Parquet.
    Every user-caused failure exits with status 2 and a precise message.
    """


class Interrupted(BaseException):
    """SIGINT (Ctrl-C) or SIGTERM (a CI cancel, ``docker stop``) arrived.

    A ``BaseException`` raised in the main thread, like ``KeyboardInterrupt``:
    it unwinds through every ``finally`` and ``except BaseException`` cleanup
    (the staging directory is removed, the ledger transaction rolled back and
    its journal with it) and is not swallowed by ``except Exception``.
    """

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


#: the signals that stop a command cleanly (exit 128 + the signal's number)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def stopping_cleanly() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into ``Interrupted`` for the duration; restore the previous handlers.

    Once the first signal arrived, further ones are ignored so that the
    cleanup it starts runs to its end (a second Ctrl-C would otherwise
    interrupt the removal of the staging directory). A signal the parent
    had ignored (``nohup``, a background job) stays ignored.
    """

    def stop(signum: int, frame: FrameType | None) -> None:
        if stops.holding():  # a close between its ledger commit and its outputs: it finishes first
            stops.hold(signum)
            return
        for other in installed:
            signal.signal(other, signal.SIG_IGN)
        raise Interrupted(signum)

    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    installed = [sig for sig, handler in previous.items() if handler is not signal.SIG_IGN]
    for sig in installed:
        signal.signal(sig, stop)
    try:
        yield
    finally:
        for sig in installed:
            signal.signal(sig, previous[sig])


def _stream_of(exc: OSError) -> str | None:
    """"standard output" / "standard error" when ``exc`` came from printing to it
    (a full disk behind ``> file``, a closed pipe), else None."""
    tb = exc.__traceback__
    last = None
    while tb is not None:
        if tb.tb_frame.f_code.co_name == "echo" and tb.tb_frame.f_code.co_filename.endswith(
                os.path.join("click", "utils.py")):
            last = tb.tb_frame.f_locals.get("file")
        tb = tb.tb_next
    if last is None:
        return None
    for name, stream in (("standard output", sys.stdout), ("standard error", sys.stderr)):
        if last is stream or getattr(last, "buffer", None) is getattr(stream, "buffer", object()):
            return name
    return "standard output"


def main() -> None:
    """Run the command, then leave without tearing the interpreter down.

    After a close of a million people the process holds gigabytes of
    frames; freeing them one by one at exit takes a quarter of a second and
    serves nobody. Every output is already written, fsynced and renamed, and
    the ledger committed, so once the streams are flushed the process ends
    at once with the command's exit status.

    SIGINT and SIGTERM stop the command through the same cleanup as any
    failure (``stopping_cleanly``): one line on stderr, exit 130 / 143, no
    partial output, no staging directory, no open ledger transaction.
    """
    runtime.configure()  # process settings belong to the process, before any command runs
    try:
        with stopping_cleanly():
            cli(prog_name="incentive")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    except OSError as exc:
        stream = _stream_of(exc)
        if stream is None:
            raise  # not the terminal's streams: a bug in incentive, keep its traceback
        code = 2
        try:
            print(f"{stream}: cannot write the output: {exc.strerror or exc}; the output is incomplete",
                  file=sys.stderr)
        except (OSError, ValueError):
            pass
    except Interrupted as exc:
        code = 128 + exc.signum
        try:
            print(f"incentive: interrupted ({exc.name}); stopped, no partial output was left", file=sys.stderr)
        except (OSError, ValueError):
            pass
    for out in (sys.stdout, sys.stderr):
        try:
            out.flush()
        except (OSError, ValueError):  # a closed pipe: nothing left to say to it
            code = code or 1
    os._exit(code)
