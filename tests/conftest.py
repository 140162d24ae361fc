"""Settings of the whole test run.

Many tests run the real command (``python -m incentive ...``) in a fresh
process. On a machine that sets ``PYTHONDONTWRITEBYTECODE`` (this one does)
no process leaves its bytecode behind, so every one of them compiled the
whole package from source again: about 0.3 s of CPU per process. The
package's bytecode is compiled once here, before any test runs, as an
installed package has it (``benchmarks/run.py`` does the same). Python
checks each ``.pyc`` against its source's modification time and size, so an
edited module is compiled afresh, never read stale.

For the same reason pytest kept no cache of its rewritten test modules, and
each worker rewrote and compiled all of them again (about 3.5 s of CPU per
worker): the test processes themselves write bytecode. The commands the
tests start keep the environment as it is.
"""

from __future__ import annotations

import compileall
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "incentive"


sys.dont_write_bytecode = False  # before pytest imports the test modules: it caches them only then


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):  # an xdist worker: the controller compiled it before starting the workers
        return
    compileall.compile_dir(PACKAGE, quiet=1)


class InProcess:
    """What a finished ``incentive`` command left: its exit status, standard output and standard error
    (the fields of ``subprocess.CompletedProcess`` the tests read)."""

    def __init__(self, args: list[str], returncode: int, stdout: str, stderr: str):
        self.args, self.returncode, self.stdout, self.stderr = args, returncode, stdout, stderr


@pytest.fixture(scope="session")
def incentive_in_process():
    """Run an ``incentive`` command in this process: ``run(*args, cwd=..., env={...})``.

    For the set-up of shared fixtures only (the closes a module's tests read),
    where a fresh process per command costs its start-up and its imports again
    and proves nothing the tests check. A test about the command as a process
    (exit codes of ``python -m incentive``, signals, kills, what is left on disk
    after one) starts the real command. ``env`` entries set to None are unset
    for the duration, as a filtered ``env=`` of ``subprocess.run`` would.
    """
    import contextlib

    from click.testing import CliRunner

    from incentive.cli.main import cli

    def run(*args: str, cwd: Path, env: dict[str, str | None] | None = None) -> InProcess:
        with contextlib.chdir(cwd):
            result = CliRunner().invoke(cli, list(args), env=env, prog_name="incentive")
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return InProcess(list(args), result.exit_code, result.stdout, result.stderr)

    return run
