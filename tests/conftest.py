"""Settings of the whole test run.

Many tests run the real command (``python -m incentive ...``) in a fresh
process. On a machine that sets ``PYTHONDONTWRITEBYTECODE`` (this one does)
no process leaves its bytecode behind, so every one of them compiled the
whole package from source again: about 0.3 s of CPU per process. The
package's bytecode is compiled once here, before any test runs, as an
installed package has it (``benchmarks/run.py`` does the same). Python
checks each ``.pyc`` against its source's modification time and size, so an
edited module is compiled afresh, never read stale.
"""

from __future__ import annotations

import compileall
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "incentive"


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):  # an xdist worker: the controller compiled it before starting the workers
        return
    compileall.compile_dir(PACKAGE, quiet=1)
