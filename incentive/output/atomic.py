"""All-or-nothing writes: a close's outputs appear completely or not at all.

Everything is first written beside its destination (same directory, so the
same filesystem, under a name starting with ``.``), fsynced, and then renamed
into place -- a rename within one filesystem is atomic. Pay data is
owner-only: directories are created ``0o700`` and files end up ``0o600``.

Crash windows of ``atomic_directory`` (see docs/ledger.md, "Atomic outputs"):

* before the final rename only ``.<name>.<random>.tmp`` exists; the target
  is untouched;
* replacing an existing target on Linux uses ``renameat2(RENAME_EXCHANGE)``,
  which swaps old and new in one atomic step; a crash after the swap leaves
  the *old* contents in ``.<name>.<random>.tmp``;
* elsewhere (no ``renameat2``) the old target is first renamed to
  ``.<name>.<random>.old`` and the new one renamed in: a crash between those
  two renames leaves no target, with the old contents intact in ``.old``.

Leftover dot-directories are never read by incentive and are safe to delete.

A file-system refusal (disk full, permission denied, a file where a
directory should be) is raised as ``OutputError``: an ``IncentiveError``
(a message and exit 2, never a traceback) that is still an ``OSError``.
"""

from __future__ import annotations

import ctypes
import errno
import os
import secrets
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from incentive.errors import IncentiveError, UsageError

DIR_MODE = 0o700
FILE_MODE = 0o600

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class OutputError(IncentiveError, OSError):
    """The file system refused an output (disk full, permission denied, a file
    where a directory should be...): a message and exit 2, not a traceback.
    Still an ``OSError`` for callers that handle those."""

    def __init__(self, path: Path | str, exc: OSError):
        OSError.__init__(self, exc.errno, exc.strerror or str(exc))
        self.path = str(path)
        self.detail = exc.filename

    def __str__(self) -> str:
        where = f" ({self.detail})" if self.detail and str(self.detail) != self.path else ""
        return f"{self.path}: cannot write the output: {self.strerror}{where}; no partial output was left"


@contextmanager
def _refused(path: Path) -> Iterator[None]:
    """Turn an ``OSError`` from the file system into an ``OutputError`` about ``path``."""
    try:
        yield
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(path, exc) from exc


def ensure_dir(path: Path) -> None:
    """Create ``path`` and missing parents owner-only; existing ones are left as they are.

    (``Path.mkdir(parents=True, mode=...)`` gives the mode to the last
    directory only; the parents it creates would be world-readable.)
    """
    missing: list[Path] = []
    here = Path(path)
    while not here.is_dir() and here != here.parent:
        missing.append(here)
        here = here.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=DIR_MODE)
        except FileExistsError:
            if not directory.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(directory)) from None


def fsync_path(path: Path) -> None:
    """Flush a file's or a directory's contents and metadata to stable storage."""
    flags = os.O_RDONLY
    if path.is_dir():
        flags |= getattr(os, "O_DIRECTORY", 0)
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``.

    For writers that want a file name (polars, xlsxwriter). The temporary
    file already exists (empty, ``0o600``) so a writer that truncates it keeps
    the owner-only mode.
    """
    path = Path(path)
    with _refused(path):
        ensure_dir(path.parent)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
    tmp = Path(name)
    try:
        with _refused(path):
            yield tmp
            os.chmod(tmp, FILE_MODE)
            fsync_path(tmp)
            os.replace(tmp, path)
            fsync_path(path.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_file(path: Path | str, mode: str = "wb", *, encoding: str | None = None,
                newline: str | None = None) -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success it is fsynced and replaces ``path``."""
    if not mode.startswith(("w", "x")):
        raise ValueError("atomic_file only writes (mode 'w', 'wb', 'x' ...)")
    with atomic_path(path) as tmp:
        with open(tmp, mode.replace("x", "w"), encoding=encoding, newline=newline) as fh:
            yield fh


@contextmanager
def atomic_directory(target: Path | str) -> Iterator[Path]:
    """Yield a fresh temporary directory; on success it becomes ``target``.

    On an exception the temporary directory is removed and ``target`` is
    untouched. An existing ``target`` directory is replaced as a whole.
    """
    target = Path(target)
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise UsageError(f"{target}: exists and is not a directory; refusing to replace it")
    with _refused(target):
        ensure_dir(target.parent)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        with _refused(target):
            yield tmp
            _seal(tmp)
            _install(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _seal(root: Path) -> None:
    """Owner-only modes and fsync for every file and directory under ``root``."""
    for dirpath, dirnames, filenames in os.walk(root, topdown=False):
        here = Path(dirpath)
        for name in filenames:
            f = here / name
            if f.is_symlink():
                continue
            os.chmod(f, FILE_MODE)
            fsync_path(f)
        os.chmod(here, DIR_MODE)
        fsync_path(here)


def _install(tmp: Path, target: Path) -> None:
    parent = target.parent
    if not os.path.lexists(target):
        os.rename(tmp, target)
        fsync_path(parent)
        return
    if target.is_symlink() or not target.is_dir():
        raise UsageError(f"{target}: exists and is not a directory; refusing to replace it")
    if _exchange(tmp, target):
        # tmp now holds the old contents
        fsync_path(parent)
        shutil.rmtree(tmp, ignore_errors=True)
        return
    old = parent / f".{target.name}.{secrets.token_hex(4)}.old"
    os.rename(target, old)
    try:
        os.rename(tmp, target)
    except BaseException:
        os.rename(old, target)
        raise
    fsync_path(parent)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux ``renameat2``; False when unsupported."""
    func = _renameat2()
    if func is None:
        return False
    rc = func(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


_RENAMEAT2: list = []


def _renameat2():
    if not _RENAMEAT2:
        func = None
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            func = libc.renameat2
            func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
            func.restype = ctypes.c_int
        except (OSError, AttributeError, TypeError):
            func = None
        _RENAMEAT2.append(func)
    return _RENAMEAT2[0]
