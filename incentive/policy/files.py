"""Finding policy files and policy-test files under the paths a user names.

``validate`` and ``test`` walk directories the same way (sorted, hidden
files and directories skipped, each file once); only the naming rule and
how a missing path is reported differ, and those stay with the callers.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable

POLICY_SUFFIXES = (".yaml", ".yml")
TEST_SUFFIXES = (".test.yaml", ".test.yml")  # policy tests (``incentive test``), not policies


def is_policy_file(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(POLICY_SUFFIXES) and not lower.endswith(TEST_SUFFIXES)


def is_test_file(name: str) -> bool:
    return name.lower().endswith(TEST_SUFFIXES)


def walk(root: Path, wanted: Callable[[str], bool]) -> list[Path]:
    """Files under ``root`` whose name is ``wanted``, in sorted order, hidden ones skipped."""
    out: list[Path] = []
    for here, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        out.extend(Path(here) / name for name in sorted(files) if not name.startswith(".") and wanted(name))
    return out


def unique(paths: Iterable[Path]) -> list[Path]:
    """Each file once (``a/b.yaml`` and ``a/./b.yaml`` are one file), first spelling kept."""
    seen: dict[str, Path] = {}
    for path in paths:
        seen.setdefault(os.path.normpath(path), path)
    return list(seen.values())
