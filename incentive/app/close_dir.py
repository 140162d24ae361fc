"""Reading the JSON files of a close's output directory: bounded and shape-checked.

``verify DIR`` and ``explain --close DIR`` read ``manifest.json`` and
``audit-columns.json`` from a directory anyone may have edited. Each is
stat-ed first (a regular file, at most ``MAX_JSON_BYTES``), parsed without
letting deep nesting reach Python's recursion limit, and checked for the
shape a close writes; anything else is a ``UsageError`` naming the file and
what was expected (exit 2), never a traceback.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from incentive.errors import UsageError

#: a manifest lists a dozen files and audit-columns.json one line per column: far below this
MAX_JSON_BYTES = 16 * 1024 * 1024
_HEX = frozenset("0123456789abcdef")


class CloseDirError(UsageError):
    """A close directory's JSON file is not what a close writes."""


def read_json(path: Path, what: str) -> Any:
    """The parsed JSON of ``path`` (a regular file of at most MAX_JSON_BYTES)."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise CloseDirError(f"{path}: not a regular file; expected the {what} a close writes")
        if info.st_size > MAX_JSON_BYTES:
            raise CloseDirError(f"{path}: {info.st_size:,} bytes; a close's {what} is at most "
                                f"{MAX_JSON_BYTES:,} bytes -- not the file a close wrote")
        with open(path, "rb") as handle:
            raw = handle.read(MAX_JSON_BYTES + 1)
    except FileNotFoundError:
        raise CloseDirError(f"{path}: missing; expected the {what} a close writes") from None
    except OSError as exc:
        raise CloseDirError(f"{path}: cannot read the {what}: {exc.strerror or exc}") from None
    if len(raw) > MAX_JSON_BYTES:
        raise CloseDirError(f"{path}: grew past {MAX_JSON_BYTES:,} bytes while read")
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CloseDirError(f"{path}: not UTF-8 (byte {exc.start}); expected the {what} (JSON)") from None
    except json.JSONDecodeError as exc:
        raise CloseDirError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                            f"expected the {what}") from None
    except RecursionError:
        raise CloseDirError(f"{path}: JSON nested too deep; expected the {what}") from None


def _fail(path: Path, where: str, expected: str, got: object) -> CloseDirError:
    shown = type(got).__name__ if isinstance(got, (dict, list)) else repr(got)[:80]
    return CloseDirError(f"{path}: {where}: expected {expected}, got {shown}")


def read_manifest(path: Path) -> dict[str, Any]:
    """``manifest.json``: an object with ``files`` (name -> {sha256, size}), ``policy.id`` and ``period``."""
    doc = read_json(path, "manifest (manifest.json)")
    if not isinstance(doc, dict):
        raise _fail(path, "the top level", "an object", doc)
    files = doc.get("files")
    if not isinstance(files, dict):
        raise _fail(path, "\"files\"", "an object of file name -> {sha256, size}", files)
    for name, entry in files.items():
        if not isinstance(entry, dict):
            raise _fail(path, f"files[{name!r}]", "an object {sha256, size}", entry)
        sha, size = entry.get("sha256"), entry.get("size")
        if not (isinstance(sha, str) and len(sha) == 64 and set(sha) <= _HEX):
            raise _fail(path, f"files[{name!r}].sha256", "64 lowercase hex digits", sha)
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise _fail(path, f"files[{name!r}].size", "a byte count", size)
    policy = doc.get("policy")
    if not isinstance(policy, dict) or not isinstance(policy.get("id"), str):
        raise _fail(path, "\"policy\"", "an object with the policy \"id\" (text)", policy)
    if not isinstance(doc.get("period"), str):
        raise _fail(path, "\"period\"", "the period label (text)", doc.get("period"))
    options = doc.get("options")
    if options is not None and not isinstance(options, dict):
        raise _fail(path, "\"options\"", "an object (the options the close recorded)", options)
    return doc


def read_columns(path: Path) -> dict[str, Any]:
    """``audit-columns.json``: ``period`` and ``columns`` (name -> {kind, path, money, owner})."""
    doc = read_json(path, "column descriptions (audit-columns.json)")
    if not isinstance(doc, dict):
        raise _fail(path, "the top level", "an object", doc)
    if not isinstance(doc.get("period"), str):
        raise _fail(path, "\"period\"", "the period label (text)", doc.get("period"))
    columns = doc.get("columns")
    if not isinstance(columns, dict):
        raise _fail(path, "\"columns\"", "an object of column name -> description", columns)
    for name, c in columns.items():
        if not isinstance(c, dict):
            raise _fail(path, f"columns[{name!r}]", "an object {kind, path, money, owner}", c)
        if not isinstance(c.get("kind"), str):
            raise _fail(path, f"columns[{name!r}].kind", "text", c.get("kind"))
        for key in ("path", "owner"):
            if c.get(key) is not None and not isinstance(c.get(key), str):
                raise _fail(path, f"columns[{name!r}].{key}", "text or null", c.get(key))
        if c.get("money") is not None and not isinstance(c.get("money"), bool):
            raise _fail(path, f"columns[{name!r}].money", "true or false", c.get("money"))
    return doc
