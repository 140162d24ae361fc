"""The ``incentive`` command: a thin click layer over the library.

Each command lives in its own module under ``incentive.cli`` and is
registered here; no business logic lives in the CLI.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from incentive import __version__

#: module name -> click command objects it exports
COMMANDS: dict[str, tuple[str, ...]] = {
    "validate_cmd": ("validate", "schema"),
    "evaluate_cmd": ("evaluate", "explain"),
    "diff_cmd": ("diff", "sweep"),
    "sample_cmd": ("sample",),
    "close_cmd": ("close", "reopen", "verify", "history"),
    "test_cmd": ("test",),
}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="incentive")
def cli() -> None:
    """Rule-driven incentive and evaluation engine.

    Policies are YAML files; period data is CSV / XLSX / JSON / Parquet.
    Every user-caused failure exits with status 2 and a precise message.
    """


for _module, _names in COMMANDS.items():
    _mod = importlib.import_module(f"incentive.cli.{_module}")
    for _name in _names:
        cli.add_command(getattr(_mod, _name))


def main() -> None:
    """Run the command, then leave without tearing the interpreter down.

    After a close of a million people the process holds gigabytes of
    frames; freeing them one by one at exit takes a quarter of a second and
    serves nobody. Every output is already written, fsynced and renamed, and
    the ledger committed, so once the streams are flushed the process ends
    at once with the command's exit status.
    """
    try:
        cli(prog_name="incentive")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing left to say to it
            code = code or 1
    os._exit(code)
