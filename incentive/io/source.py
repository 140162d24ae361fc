"""Getting a data file's bytes safely: regular files only, bounded size, bounded JSON nesting.

A data path may name a link to ``/dev/zero`` (an endless read), a FIFO
(a read that blocks forever) or a device; a file may be far larger than
any period's data. Each is refused before a byte is read, with a message
naming the path. The file is opened without blocking and checked again on
the open descriptor, so a path swapped between the check and the read is
still caught, and at most ``MAX_DATA_BYTES`` + 1 bytes are ever read.

JSON nesting is measured before ``json.loads`` runs (its parser recurses),
by a scan that does not recurse: brackets outside strings, counted.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from itertools import accumulate
from pathlib import Path

from incentive.errors import UsageError

#: the largest data file read (2 GiB); a period's data is megabytes, rarely hundreds of them
MAX_DATA_BYTES = 2 * 1024 ** 3
#: deepest JSON nesting accepted: the data is an array (1) of objects (2) of single values
MAX_JSON_DEPTH = 16

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _check_stat(path: Path, st: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(st.st_mode):
        link = f" (a link to {os.path.realpath(path)})" if path.is_symlink() else ""
        raise UsageError(f"data file {path} is {_kind(st.st_mode)}{link}, not a regular file: "
                         "give the path of a saved CSV, XLSX, JSON or Parquet file")
    if st.st_size > limit:
        raise UsageError(f"data file {path} is {st.st_size:,} bytes, more than the {limit:,} bytes a data file "
                         "may have (docs/limits.md)")


def read_data_bytes(path: Path, limit: int = MAX_DATA_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, else ``UsageError`` naming the path."""
    try:
        _check_stat(path, os.stat(path), limit)  # before open(): opening a FIFO would block
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UsageError(f"data file not found: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"data file is a directory: {path}") from None
    except OSError as exc:
        raise UsageError(f"cannot read data file {path}: {exc.strerror or exc}") from None
    try:
        opened = os.fstat(fd)
        _check_stat(path, opened, limit)  # the file actually opened
        chunks: list[bytes] = []
        total = 0
        while True:
            # the whole file in one read when it is as big as it said (join then copies nothing)
            want = max(1 << 24, opened.st_size + 1 - total)
            chunk = os.read(fd, min(want, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise UsageError(f"data file {path} grew past the {limit:,} bytes a data file may have while it was read")
        return b"".join(chunks)
    except OSError as exc:
        raise UsageError(f"cannot read data file {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def check_text_encoding(encoding: str) -> str:
    """``encoding``'s codec name if it is a text encoding, else ``UsageError`` (rot13, hex, base64, zlib...)."""
    try:
        info = codecs.lookup(encoding)
    except (LookupError, TypeError, ValueError):
        raise UsageError(f"unknown encoding {encoding!r} (try utf-8, gbk, gb18030, utf-16)") from None
    if not getattr(info, "_is_text_encoding", True):
        raise UsageError(f"{encoding!r} is not a text encoding (it transforms bytes or text, e.g. rot13, hex, "
                         "base64); give the file's character encoding, e.g. utf-8, gbk, gb18030, utf-16")
    return info.name


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = str.maketrans({"[": "\x01", "{": "\x01", "]": "\x02", "}": "\x02"})


def json_depth(text: str) -> int:
    """The deepest nesting of arrays / objects in ``text`` (strings skipped), without recursion.

    Malformed text gives some number; ``json.loads`` then reports the syntax error.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if not brackets:
        return 0
    steps = (1 if ch == "\x01" else -1 for ch in brackets.translate(_STEP))
    return max(accumulate(steps))


def check_json_depth(text: str, file: str, limit: int = MAX_JSON_DEPTH) -> str | None:
    """A message when ``text`` nests deeper than ``limit`` (None when it does not)."""
    depth = json_depth(text)
    if depth > limit:
        return (f"not usable JSON: nested too deeply ({depth} levels, at most {limit}; the data is an array "
                "of objects holding single values: 2 levels)")
    return None
