"""The ledger's hash chain: what an entry hash covers and how it is computed.

Every ledger row (a close or a reopen) stores ``prev_hash`` -- the
``entry_hash`` of the row inserted just before it, across all policies
(the first row uses ``GENESIS``) -- and its own ``entry_hash``::

    entry_hash = sha256(canonical_json({"v": 1,
                                        "fields": {<every column in HASHED_COLUMNS>},
                                        "prev_hash": prev_hash}))

The fields include ``seq`` (the row's position) and the sha256 of each
stored blob (``results_sha256`` of the Parquet results, ``data_blob_sha256``
of the compressed data file), so a change to any byte of any column of any
row -- blobs included -- changes a recomputed hash. ``canonical_json`` is
sorted keys, no whitespace, UTF-8, no floats.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Mapping

HASH_VERSION = 1
GENESIS = "0" * 64

#: column -> (SQLite storage class, nullable); the hashed content of an entry
HASHED_COLUMNS: dict[str, tuple[str, bool]] = {
    "seq": ("integer", False),
    "kind": ("text", False),
    "policy_id": ("text", False),
    "period": ("text", False),
    "period_ordinal": ("integer", False),
    "policy_version": ("text", True),
    "policy_sha256": ("text", True),
    "policy_text": ("text", True),
    "data_sha256": ("text", True),
    "data_name": ("text", True),
    "data_size": ("integer", True),
    "data_compression": ("text", True),
    "data_blob_sha256": ("text", True),
    "results_sha256": ("text", True),
    "results_rows": ("integer", True),
    "outputs": ("text", True),
    "engine_version": ("text", True),
    "totals": ("text", True),
    "history": ("text", True),
    "actor": ("text", False),
    "at": ("text", False),
    "reason": ("text", True),
    "reopens": ("integer", True),
}
#: every column of the entries table: the hashed content plus the chain links
ENTRY_COLUMNS: tuple[str, ...] = (*HASHED_COLUMNS, "prev_hash", "entry_hash")


def sha256_hex(data: bytes | bytearray | memoryview) -> str:
    return hashlib.sha256(data).hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not allowed in ledger content")


def _reject_floats(value: Any) -> None:
    # json.dumps writes floats without asking ``default``; a float's text form
    # differs between languages, so it has no place in hashed content.
    if isinstance(value, float):
        raise TypeError("floats are not allowed in ledger content; use Decimal")
    if isinstance(value, dict):
        for item in value.values():
            _reject_floats(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _reject_floats(item)


def canonical_json(value: Any) -> str:
    """Sorted keys, compact, non-ASCII kept; Decimals and dates as strings; no floats."""
    _reject_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False,
                      default=_jsonable)


def entry_hash(fields: Mapping[str, Any], prev_hash: str) -> str:
    """The hash of one entry: its hashed columns and the previous entry's hash."""
    missing = [c for c in HASHED_COLUMNS if c not in fields]
    if missing:
        raise ValueError(f"entry fields missing: {missing}")
    content = {"v": HASH_VERSION, "fields": {c: fields[c] for c in HASHED_COLUMNS}, "prev_hash": prev_hash}
    return sha256_hex(canonical_json(content).encode("utf-8"))
