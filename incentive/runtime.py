"""Process-wide settings of the ``incentive`` command, made once by its entry point.

Library code (``incentive.app`` and below) leaves process-wide state as it
found it; what only makes sense for a whole process is set here, by
``cli.main`` before any command runs.
"""

from __future__ import annotations

import os


def configure() -> None:
    """Settings of a command process; must run before numpy is imported (matplotlib imports it)."""
    # numpy (under matplotlib, which draws report.html's charts) would start an OpenBLAS
    # thread per core that spins beside polars; the charts need no linear algebra
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
