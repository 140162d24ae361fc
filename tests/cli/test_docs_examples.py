"""The commands the docs show for `incentive test` work as shown.

A reader copies them into a terminal or a CI file; an example that selects
nothing (exit 2) or fails teaches the wrong thing.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _test_commands(doc: Path) -> list[list[str]]:
    """``incentive test ...`` lines of the doc's bash blocks, without comments or redirections."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", doc.read_text(encoding="utf-8"), flags=re.S):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words[:2] != ["incentive", "test"]:
                continue
            if ">" in words:
                words = words[:words.index(">")]
            commands.append(words[2:])
    return commands


COMMANDS = _test_commands(ROOT / "docs" / "policy-tests.md")


def test_the_doc_shows_test_commands() -> None:
    assert any("-k" in args for args in COMMANDS), COMMANDS


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a) for a in COMMANDS])
def test_policy_tests_doc_example_runs_and_passes(args: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", "incentive", "test", *args], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    if "-k" in args:
        assert re.search(r"\b[1-9]\d* passed", done.stdout), done.stdout
