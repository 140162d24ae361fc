"""``manifest.json``: what a close wrote, with a sha256 for every file.

The manifest lets anyone check an output directory without the engine
(``sha256sum`` agrees with it) and lets ``verify`` compare a re-run byte for
byte. It is canonical JSON -- sorted keys, 2-space indent, UTF-8 (not
ASCII-escaped), trailing newline -- so the same close gives the same bytes.

Layout::

    {"files": {"results.csv": {"sha256": "...", "size": 1234}, ...},
     "format": "incentive-manifest/1",
     ...meta supplied by the caller (engine version, policy, data, period,
        counts, totals)...}

File names are paths relative to the directory, ``/``-separated, and every
file is listed except the manifest itself.
"""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from incentive.output.atomic import atomic_file

MANIFEST_NAME = "manifest.json"
FORMAT = "incentive-manifest/1"
_RESERVED = ("files", "format")
_CHUNK = 1 << 20


def sha256_file(path: Path | str) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _files(directory: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames.sort()
        for name in filenames:
            full = Path(dirpath) / name
            rel = full.relative_to(directory).as_posix()
            if rel != MANIFEST_NAME:
                found[rel] = full
    return dict(sorted(found.items()))


def file_entry(path: Path | str, data: bytes | None = None) -> dict:
    """A file's manifest entry (``sha256``, ``size``); ``data`` may pass the
    bytes just written, which saves reading them back."""
    if data is not None:
        return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    return {"sha256": sha256_file(path), "size": Path(path).stat().st_size}


def build_manifest(directory: Path | str, *, meta: dict, known: dict[str, dict] | None = None) -> dict:
    """sha256 and size of every file under ``directory`` (but the manifest), plus ``meta``.

    ``known`` may pass entries (``file_entry``) computed as the files were
    written; every other file is hashed here. A known name that is not in the
    directory is an error, never a listed ghost.
    """
    directory = Path(directory)
    clash = [k for k in _RESERVED if k in meta]
    if clash:
        raise ValueError(f"manifest meta may not use the reserved keys {clash}")
    found = _files(directory)
    known = known or {}
    ghosts = sorted(set(known) - set(found))
    if ghosts:
        raise ValueError(f"manifest: {ghosts} are not in {directory}")
    todo = [name for name in found if name not in known]
    # hashlib releases the GIL on large reads: the big files hash side by side
    with ThreadPoolExecutor(max_workers=min(4, max(1, len(todo)))) as pool:
        digests = dict(zip(todo, pool.map(lambda name: file_entry(found[name]), todo)))
    files = {name: known.get(name) or digests[name] for name in found}
    return {**meta, "format": FORMAT, "files": files}


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return value.as_posix()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable in a manifest")


def canonical_text(manifest: dict) -> str:
    """The manifest as canonical JSON text (Decimals as exact strings)."""
    return json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False,
                      default=_jsonable) + "\n"


def write_manifest(directory: Path | str, manifest: dict) -> Path:
    """Write ``manifest.json`` into ``directory`` (atomically, owner-only)."""
    path = Path(directory) / MANIFEST_NAME
    with atomic_file(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(canonical_text(manifest))
    return path


def check_manifest(directory: Path | str) -> list[str]:
    """Names of files missing, extra, or whose size or sha256 differs; [] when all match.

    An unreadable or malformed manifest is reported as ``manifest.json``.
    """
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST_NAME).read_text(encoding="utf-8"))
        listed = manifest["files"]
        if not isinstance(listed, dict):
            raise TypeError
        expected = {name: (entry["sha256"], entry["size"]) for name, entry in listed.items()}
    except (OSError, ValueError, KeyError, TypeError):
        return [MANIFEST_NAME]
    actual = _files(directory)
    problems = []
    for name in sorted(set(expected) | set(actual)):
        if name not in actual or name not in expected:
            problems.append(name)
            continue
        sha, size = expected[name]
        path = actual[name]
        if path.stat().st_size != size or sha256_file(path) != sha:
            problems.append(name)
    return problems
