"""Writing thousands of statement files all or none, without one fsync per file.

``output.atomic`` fsyncs every file it seals; for 10,000 statements that is
10,000 flushes and most of the wall time. Here the files are written into a
hidden staging directory, the file system is flushed once (``syncfs``, or
``fsync`` of each file where that is missing), and then:

* ``--out`` missing: the staging directory is renamed to it -- one atomic step;
* ``--out`` an existing directory: the statements are moved in
  one by one (other files in it are kept), as ``evaluate --out`` does.

On any failure the staging directory is removed and ``--out`` is as it was.
Files are owner-only (0o600), directories 0o700, like every pay output.
"""

from __future__ import annotations

import ctypes
import os
import secrets
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from incentive.errors import UsageError
from incentive.output.atomic import DIR_MODE, FILE_MODE, ensure_dir, fsync_path, remove_created
from incentive.output.write_errors import OutputError, refused


def write_file(path: Path, data: bytes) -> None:
    """A new owner-only file (in a staging directory: never one that exists)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _syncfs(directory: Path) -> bool:
    """Flush the file system holding ``directory`` (Linux ``syncfs``); False when unavailable."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        func = libc.syncfs
    except (OSError, AttributeError):
        return False
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        if func(fd) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err), str(directory))
    finally:
        os.close(fd)
    return True


def _flush(staging: Path) -> None:
    if not _syncfs(staging):
        for entry in os.scandir(staging):
            fsync_path(Path(entry.path))
    fsync_path(staging)


@contextmanager
def staged_statements(out: Path) -> Iterator[Path]:
    """Yield a staging directory; on success its files are in ``out``, else nothing changed."""
    out = Path(out)
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise UsageError(f"--out: {out} exists and is not a directory; give a directory for the statements")
    created: list[Path] = []
    staging: Path | None = None
    whole = not out.exists()
    try:
        with refused(out):
            parent = out.parent if whole else out
            ensure_dir(parent, into=created)
            staging = parent / f".{out.name if whole else 'incentive-statements'}.{secrets.token_hex(4)}.tmp"
            os.mkdir(staging, DIR_MODE)
        try:
            yield staging
        except OutputError as exc:
            exc.relocated(staging, out)
            raise
        with refused(out):
            _flush(staging)
            if whole:
                os.rename(staging, out)
                os.chmod(out, DIR_MODE)
                fsync_path(out.parent)
                staging = None
            else:
                for entry in sorted(os.listdir(staging)):
                    os.replace(staging / entry, out / entry)
                fsync_path(out)
    except BaseException:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        remove_created(created)
        raise
    if staging is not None:
        shutil.rmtree(staging, ignore_errors=True)
