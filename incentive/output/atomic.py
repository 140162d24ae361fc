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

A file-system refusal is raised as ``OutputError`` (see ``write_errors``),
and the directories a failed write created (``OUT/<policy>/`` of a first
close) are removed again -- only those, never ones that existed before.
"""

from __future__ import annotations

import ctypes
import errno
import os
import secrets
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Callable, Iterator

from incentive.errors import UsageError
from incentive.output.write_errors import refused, reported_as

DIR_MODE = 0o700
FILE_MODE = 0o600

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def ensure_dir(path: Path, into: list[Path] | None = None) -> list[Path]:
    """Create ``path`` and missing parents owner-only; existing ones are left as they are.

    Returns the directories it created, outermost first, so that a failed
    write can remove them again (``remove_created``). On a failure it removes
    the ones it already made itself.

    (``Path.mkdir(parents=True, mode=...)`` gives the mode to the last
    directory only; the parents it creates would be world-readable.)
    """
    missing: list[Path] = []
    here = Path(path)
    while not here.is_dir() and here != here.parent:
        missing.append(here)
        here = here.parent
    created: list[Path] = [] if into is None else into  # filled as each is made: a signal loses none
    mine = len(created)
    try:
        for directory in reversed(missing):
            try:
                directory.mkdir(mode=DIR_MODE)
            except FileExistsError:
                if not directory.is_dir():
                    raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(directory)) from None
                continue
            created.append(directory)
    except BaseException:
        remove_created(created[mine:])
        del created[mine:]
        raise
    return created


def remove_created(created: list[Path]) -> None:
    """Remove directories ``ensure_dir`` created, innermost first, if they are still empty.

    A directory that is no longer empty (a concurrent close put its period
    beside ours) stays, and so do its parents.
    """
    for directory in reversed(created):
        try:
            os.rmdir(directory)
        except OSError:
            return


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
    created: list[Path] = []
    held: list[Path] = []
    try:
        with refused(path):
            ensure_dir(path.parent, into=created)
            tmp = _fresh(path.parent, f".{path.name}.", ".tmp", held, directory=False)
        with refused(path):
            yield tmp
            os.chmod(tmp, FILE_MODE)
            fsync_path(tmp)
            os.replace(tmp, path)
            fsync_path(path.parent)
    except BaseException:
        for made in held:
            _unlink_quietly(made)
        remove_created(created)
        raise


def _unlink_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass  # the failure being reported matters more


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
    created: list[Path] = []
    held: list[Path] = []
    try:
        with refused(target):
            if target.is_symlink() or (target.exists() and not target.is_dir()):
                raise UsageError(f"{target}: exists and is not a directory; refusing to replace it")
            tmp = _staging_dir(target.parent, f".{target.name}.", ".tmp", created, held)
        with reported_as(tmp, target), refused(target):
            yield tmp
            _seal(tmp)
            _install(tmp, target)
    except BaseException:
        for made in held:
            shutil.rmtree(made, ignore_errors=True)
        remove_created(created)
        raise


def _staging_dir(parent: Path, prefix: str, suffix: str, created: list[Path], held: list[Path]) -> Path:
    """``ensure_dir(parent)`` and a fresh hidden directory in it.

    What it makes is listed in ``created`` / ``held`` before it exists, so
    a failure or a signal at any moment -- even between the ``mkdir`` and
    the caller's next line -- leaves the caller able to remove all of it.
    A concurrent command whose write failed may remove ``parent`` (it created
    it, it found it empty) between the two steps: then both are tried again.
    """
    for attempt in range(3):
        mine = len(created)
        ensure_dir(parent, into=created)
        try:
            return _fresh(parent, prefix, suffix, held, directory=True)
        except FileNotFoundError:
            remove_created(created[mine:])
            del created[mine:]
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _fresh(parent: Path, prefix: str, suffix: str, held: list[Path], *, directory: bool) -> Path:
    """A new owner-only directory or empty file in ``parent``, put in ``held`` before it is made.

    (``tempfile.mkdtemp`` / ``mkstemp`` return the name only after making it:
    a signal in between would leave a staging entry nobody knows of.)
    """
    for _ in range(100):
        path = parent / f"{prefix}{secrets.token_hex(4)}{suffix}"
        held.append(path)
        try:
            if directory:
                os.mkdir(path, DIR_MODE)
            else:
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
            return path
        except FileExistsError:
            held.remove(path)  # someone else's: never ours to remove
        except BaseException:
            if not os.path.lexists(path):
                held.remove(path)
            raise
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(parent))


@contextmanager
def staged_files(target: Path | str) -> Iterator[Path]:
    """Yield a hidden staging directory inside ``target``; on success every file
    written there is moved into ``target`` (other files in it are kept).

    For ``evaluate --out``: a failure leaves ``target`` as it was -- no staging
    directory, no file, and ``target`` itself (and parents) only if they
    existed before -- and names the user's file, not the staging copy.
    """
    target = Path(target)
    created: list[Path] = []
    held: list[Path] = []
    try:
        with refused(target):
            staging = _staging_dir(target, ".incentive-", "", created, held)  # owner-only, like all pay data
        with reported_as(staging, target), refused(target):
            yield staging
            names = sorted(p.name for p in staging.iterdir())
            for name in names:
                with refused(target / name):
                    fsync_path(staging / name)
                    os.replace(staging / name, target / name)
            fsync_path(target)
    except BaseException:
        for made in held:
            shutil.rmtree(made, ignore_errors=True)
        remove_created(created)
        raise
    shutil.rmtree(staging, ignore_errors=True)


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


_RENAMEAT2: list[Callable[..., int] | None] = []  # libc renameat2, looked up once (None: not there)


def _renameat2() -> Callable[..., int] | None:
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
