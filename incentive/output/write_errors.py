"""File-system refusals of an output, as a message and exit 2 -- never a traceback.

A file-system refusal (disk full, permission denied, a file where a
directory should be) is raised as ``OutputError``: an ``IncentiveError``
that is still an ``OSError``. The writer libraries' own wrappings of an
``OSError`` (polars' ``ComputeError: ... (os error 28)``, xlsxwriter's
``FileCreateError``) become the same ``OutputError`` (issue 12, D12), and a
failure inside a staging directory names the user's path, never the
staging copy.
"""

from __future__ import annotations

import errno
import os
import re
import zipfile
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Iterator

from incentive.errors import IncentiveError


class OutputError(IncentiveError, OSError):
    """The file system refused an output (disk full, permission denied, a file
    where a directory should be...): a message and exit 2, not a traceback.
    Still an ``OSError`` for callers that handle those."""

    def __init__(self, path: Path | str, exc: OSError, *, left: str = "no partial output was left"):
        code = exc.errno
        OSError.__init__(self, code, os.strerror(code) if code else (exc.strerror or str(exc)))
        self.path = str(path)
        self.detail = exc.filename
        self.left = left

    def relocated(self, staging: Path, target: Path) -> None:
        """Name ``target`` wherever the message named the ``staging`` copy of it."""
        self.path = _moved(self.path, staging, target)
        if self.detail is not None:
            self.detail = _moved(os.fsdecode(self.detail), staging, target)

    def __str__(self) -> str:
        where = f" ({self.detail})" if self.detail and str(self.detail) != self.path else ""
        hint = ""
        if self.errno == errno.ENAMETOOLONG:
            hint = f" (at most {_limit('PC_NAME_MAX', 255)} bytes a name, {_limit('PC_PATH_MAX', 4096)} a path)"
        return f"{self.path}: cannot write the output: {self.strerror}{hint}{where}; {self.left}"


def _limit(name: str, default: int) -> int:
    try:
        return int(os.pathconf("/", name))
    except (OSError, ValueError):
        return default


#: how Rust's ``std::io::Error`` (polars) ends its text: "No space left on device (os error 28)"
_OS_ERROR_TEXT = re.compile(r"\(os error (\d+)\)")


def os_error_of(exc: BaseException) -> OSError | None:
    """The ``OSError`` behind a writer's failure, or None when it is not the file system.

    polars raises ``ComputeError`` (or a bare ``OSError`` without an errno)
    with the Rust error text; xlsxwriter raises ``FileCreateError(oserror)``;
    Python's own writers raise the ``OSError`` itself.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and isinstance(current, Exception):
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno:
            return current
        if current.args and isinstance(current.args[0], OSError) and current.args[0].errno:
            return current.args[0]
        found = _OS_ERROR_TEXT.search(str(current))
        if found:
            code = int(found.group(1))
            filename = current.filename if isinstance(current, OSError) else None
            return OSError(code, os.strerror(code), filename)
        if isinstance(current, OSError):
            return current
        current = current.__cause__ or current.__context__
    return None


def _moved(text: str, staging: Path, target: Path) -> str:
    return text.replace(str(staging), str(target))


def _release_zip_files(exc: BaseException) -> None:
    """Close the zip archives a failed xlsxwriter left half written.

    Otherwise the archive retries its final write when it is garbage
    collected and prints "Exception ignored in ZipFile.__del__" with a
    second traceback below the user's message. The archive is a local of a
    frame in the traceback of the exception or of the one it wraps.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        tb: TracebackType | None = current.__traceback__
        while tb is not None:
            for value in list(tb.tb_frame.f_locals.values()):
                if isinstance(value, zipfile.ZipFile) and value.fp is not None:
                    fp, value.fp = value.fp, None
                    try:
                        fp.close()
                    except OSError:
                        pass
            tb = tb.tb_next
        current = current.__cause__ or current.__context__


@contextmanager
def refused(path: Path | str) -> Iterator[None]:
    """Turn a file-system failure (also as a writer library wraps it) into an ``OutputError`` about ``path``."""
    try:
        yield
    except OutputError:
        raise
    except IncentiveError:
        raise
    except Exception as exc:
        cause = os_error_of(exc)
        if cause is None:
            raise
        _release_zip_files(exc)
        raise OutputError(path, cause) from exc


@contextmanager
def writing_to(label: str) -> Iterator[None]:
    """A stream (standard output) that refuses a write: a message and exit 2 instead of a traceback."""
    try:
        yield
    except (OutputError, IncentiveError):
        raise
    except Exception as exc:
        cause = os_error_of(exc)
        if cause is None:
            raise
        raise OutputError(label, cause, left="the output is incomplete") from None


@contextmanager
def reported_as(staging: Path, target: Path) -> Iterator[None]:
    """A failure while writing under ``staging`` names ``target``, the path the user asked for."""
    try:
        yield
    except OutputError as exc:
        exc.relocated(staging, target)
        raise
    except IncentiveError as exc:
        if len(exc.args) == 1 and isinstance(exc.args[0], str) and str(staging) in exc.args[0]:
            exc.args = (_moved(exc.args[0], staging, target),)
        raise
