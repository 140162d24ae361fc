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
