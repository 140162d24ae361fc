"""Finding policy files and policy-test files under the paths a user names.

``validate`` and ``test`` walk directories the same way (sorted, hidden
files and directories skipped, each file once); only the naming rule and
how a missing path is reported differ, and those stay with the callers.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Callable, Iterable

from incentive.errors import Finding, PolicyLoadError

MAX_POLICY_BYTES = 1024 * 1024  # documented in docs/limits.md; yamlsafe.MAX_BYTES is the same number

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


def read_policy_bytes(path: str | os.PathLike, what: str = "policy") -> bytes:
    """The bytes of a policy (or policy-test) file, checked before a byte is read.

    Every command that loads a policy reads it here, so one rule holds for all:
    the path is ``stat``-ed first and a directory, a FIFO, a device (a link to
    ``/dev/zero``) or a file over ``MAX_POLICY_BYTES`` is refused without being
    opened for reading; the read itself is bounded too, in case the file grows
    between the ``stat`` and the read. Raises ``PolicyLoadError`` (exit 2).
    """
    file = str(path)

    def unusable(message: str, code: str = "file-unreadable", line: int = 0) -> PolicyLoadError:
        return PolicyLoadError([Finding(file, line, line, "error", code, message)])

    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise unusable(f"is a directory, not a {what} file")
        if not stat.S_ISREG(info.st_mode):
            raise unusable(f"is not a regular file (a FIFO, device or socket); a {what} file must be a plain file")
        if info.st_size > MAX_POLICY_BYTES:
            raise unusable(f"the file is {info.st_size:,} bytes; {what} files may be at most "
                           f"{MAX_POLICY_BYTES:,} bytes (1 MiB)", "yaml-too-large", 1)
        with open(path, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped after the stat
                raise unusable(f"is not a regular file; a {what} file must be a plain file")
            data = handle.read(MAX_POLICY_BYTES + 1)
    except FileNotFoundError:
        raise unusable("no such file") from None
    except PermissionError:
        raise unusable("permission denied") from None
    except OSError as exc:
        raise unusable(exc.strerror or str(exc)) from None
    if len(data) > MAX_POLICY_BYTES:
        raise unusable(f"the file is over {MAX_POLICY_BYTES:,} bytes; {what} files may be at most "
                       f"{MAX_POLICY_BYTES:,} bytes (1 MiB)", "yaml-too-large", 1)
    return data
