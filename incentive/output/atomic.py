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

Writes fail cleanly (issue 12, D12): the writer libraries' own wrappings of
an ``OSError`` (polars' ``ComputeError: ... (os error 28)``, xlsxwriter's
``FileCreateError``) become the same ``OutputError``; a failure inside a
staging directory names the user's path, never the staging copy; and the
directories a failed write created (``OUT/<policy>/`` of a first close) are
removed again -- only those, never ones that existed before.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import secrets
import shutil
import zipfile
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
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
def _refused(path: Path | str) -> Iterator[None]:
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
        with _refused(path):
            ensure_dir(path.parent, into=created)
            tmp = _fresh(path.parent, f".{path.name}.", ".tmp", held, directory=False)
        with _refused(path):
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
        with _refused(target):
            if target.is_symlink() or (target.exists() and not target.is_dir()):
                raise UsageError(f"{target}: exists and is not a directory; refusing to replace it")
            tmp = _staging_dir(target.parent, f".{target.name}.", ".tmp", created, held)
        with reported_as(tmp, target), _refused(target):
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
        with _refused(target):
            staging = _staging_dir(target, ".incentive-", "", created, held)  # owner-only, like all pay data
        with reported_as(staging, target), _refused(target):
            yield staging
            names = sorted(p.name for p in staging.iterdir())
            for name in names:
                with _refused(target / name):
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
