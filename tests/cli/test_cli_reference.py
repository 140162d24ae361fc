"""docs/cli.md lists every command and option, and shell completion works as it says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from incentive.cli.main import cli
from incentive.cli.reference import BEGIN

PAGE = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_the_reference_page_matches_the_commands() -> None:
    page = PAGE.read_text(encoding="utf-8")
    assert BEGIN in page
    generated = page[page.index(BEGIN):]
    # rendered in a child process: click caches help options on commands that ran in this one
    done = subprocess.run([sys.executable, "-m", "incentive.cli.reference"], capture_output=True, text=True,
                          encoding="utf-8", timeout=60)
    assert done.returncode == 0, done.stderr
    assert generated == done.stdout, (
        "docs/cli.md is out of date: run `python -m incentive.cli.reference --write docs/cli.md`")


def test_every_option_of_every_command_is_on_the_page() -> None:
    page = PAGE.read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        section = page.split(f"### `incentive {name}`", 1)[1].split("### `incentive ", 1)[0]
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("-") and not getattr(param, "hidden", False):
                    assert f"`{opt}`" in section, f"{name} {opt} is not documented"


def _complete(words: str) -> list[str]:
    env = dict(os.environ, _INCENTIVE_COMPLETE="bash_complete", COMP_WORDS=words,
               COMP_CWORD=str(len(words.split()) - (0 if words.endswith(" ") else 1)))
    code = "from incentive.cli.main import cli; cli(prog_name='incentive')"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    return [line.split(",", 1)[1] for line in done.stdout.splitlines() if "," in line]


def test_shell_completion_completes_commands_and_options() -> None:
    assert "close" in _complete("incentive cl")
    assert "--trace" in _complete("incentive close --tr")



def test_running_one_command_imports_only_that_command_s_module():
    """``incentive validate`` must not pay for DuckDB, Typst or the document renderers (CLI start-up time)."""
    code = ("import sys; from incentive.cli.main import cli\n"
            "try:\n    cli(['validate', '--help'], prog_name='incentive')\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('incentive.cli.') and m.endswith('_cmd')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "['incentive.cli.validate_cmd']"
