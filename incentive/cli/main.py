"""The ``incentive`` command: a thin click layer over the library.

Each command lives in its own module under ``incentive.cli`` and is
registered here; no business logic lives in the CLI.
"""

from __future__ import annotations

import importlib

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
    cli(prog_name="incentive")
