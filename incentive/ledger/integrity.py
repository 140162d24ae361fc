"""Checking a ledger file end to end: every hash, every link, every blob.

Kept apart from ``store`` because it must not trust anything it reads: it
works on raw cells (text as bytes, with SQLite's own ``typeof``), so a
tampered cell of the wrong type or with invalid UTF-8 is a finding, not a
crash. The problems it reports name the entry and what is wrong with it::

    entry 3 (sales-rep 2026-Q2): stored hash does not match its content — tampered
    entry 4: prev_hash does not match entry 3
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Mapping, Sequence

from incentive.ledger import codec
from incentive.ledger.chain import ENTRY_COLUMNS, GENESIS, HASHED_COLUMNS, entry_hash, sha256_hex

_LINK_COLUMNS = {"prev_hash": ("text", False), "entry_hash": ("text", False)}
_TYPES = {**HASHED_COLUMNS, **_LINK_COLUMNS}


def _name(storage: bytes | str) -> str:
    """``typeof()`` as text (the connection hands text back as bytes)."""
    return storage.decode("ascii") if isinstance(storage, bytes) else storage


def _cell(value: Any, storage: bytes | str, column: str, expected: tuple[str, bool]) -> tuple[Any, str | None]:
    """The decoded cell, or a problem with its type."""
    kind, nullable = expected
    storage = _name(storage)
    if storage == "null":
        return None, None if nullable else f"column {column} is empty"
    if storage != kind:
        return None, f"column {column} holds {storage}, expected {kind}"
    if kind == "text":
        try:
            return bytes(value).decode("utf-8"), None
        except UnicodeDecodeError:
            return None, f"column {column} is not valid UTF-8"
    return value, None


def decoded_row(raw: Sequence[Any], columns: Sequence[str], types: Mapping[str, tuple[str, bool]]
                ) -> tuple[dict[str, Any], list[str]]:
    """One row selected as ``column, typeof(column)`` pairs: its decoded cells and the problems with their types."""
    values: dict[str, Any] = {}
    problems = []
    for i, column in enumerate(columns):
        value, problem = _cell(raw[2 * i], raw[2 * i + 1], column, types[column])
        values[column] = value
        if problem:
            problems.append(problem)
    return values, problems


def _blob_problems(con: sqlite3.Connection, seq: int, fields: dict[str, Any]) -> list[str]:
    rows = con.execute("SELECT results, typeof(results), data, typeof(data) FROM close_blobs WHERE seq = ?",
                       (seq,)).fetchall()
    if not rows:
        return ["its stored results and data are missing"]
    results, results_type, data, data_type = rows[0]
    results_type, data_type = _name(results_type), _name(data_type)
    problems = []
    if results_type != "blob" or sha256_hex(bytes(results or b"")) != fields["results_sha256"]:
        problems.append("its results blob does not match its recorded sha256")
    if data_type != "blob" or sha256_hex(bytes(data or b"")) != fields["data_blob_sha256"]:
        problems.append("its data blob does not match its recorded sha256")
    else:
        try:
            plain = codec.unpack(bytes(data), fields["data_compression"], fields["data_size"])
        except codec.UnknownMethod as exc:
            problems.append(str(exc))
        except codec.CodecError:
            problems.append("its data file does not match data_sha256")
        else:
            if sha256_hex(plain) != fields["data_sha256"] or len(plain) != fields["data_size"]:
                problems.append("its data file does not match data_sha256")
    return problems


def verify_connection(con: sqlite3.Connection) -> list[str]:
    """All integrity problems of the ledger behind ``con`` (opened with ``text_factory=bytes``)."""
    problems: list[str] = []
    select = ", ".join(f"{c}, typeof({c})" for c in ENTRY_COLUMNS)
    prev_expected, prev_name, expected_seq = GENESIS, "the genesis hash", 1
    current: dict[tuple[str, str], int] = {}  # (policy, period) -> seq of its current close
    closes: dict[str, tuple[int, str, int]] = {}  # entry hash -> (seq, policy, ordinal) of every close
    close_seqs: set[int] = set()

    for raw in con.execute(f"SELECT {select} FROM entries ORDER BY seq"):
        values, cell_problems = decoded_row(raw, ENTRY_COLUMNS, _TYPES)
        seq = values["seq"]
        name = f"entry {seq if seq is not None else '?'}"
        label = name
        if isinstance(values["policy_id"], str) and isinstance(values["period"], str):
            label = f"{name} ({values['policy_id']} {values['period']})"
        for problem in cell_problems:
            problems.append(f"{label}: {problem} — tampered")

        if isinstance(seq, int) and seq != expected_seq:
            problems.append(f"{label}: sequence number should be {expected_seq} — entries missing or renumbered "
                            "— tampered")
        if values["prev_hash"] != prev_expected:
            problems.append(f"{name}: prev_hash does not match {prev_name}")

        if not cell_problems:
            fields = {c: values[c] for c in HASHED_COLUMNS}
            content_ok = entry_hash(fields, values["prev_hash"]) == values["entry_hash"]
            if not content_ok:
                problems.append(f"{label}: stored hash does not match its content — tampered")
            kind = values["kind"]
            if kind == "close":
                close_seqs.add(seq)
                for problem in _blob_problems(con, seq, fields):
                    problems.append(f"{label}: {problem} — tampered")
            problems.extend(f"{label}: {p}" for p in _semantic_problems(values, current, closes))

        prev_expected = values["entry_hash"]
        prev_name = name
        expected_seq = (seq if isinstance(seq, int) else expected_seq) + 1

    for seq, storage in con.execute("SELECT seq, typeof(seq) FROM close_blobs ORDER BY seq"):
        if _name(storage) != "integer" or seq not in close_seqs:
            problems.append(f"stored results row {seq!r} belongs to no close entry — tampered")
    return problems


def _semantic_problems(values: dict[str, Any], current: dict[tuple[str, str], int],
                       closes: dict[str, tuple[int, str, int]]) -> list[str]:
    """Lock and reference rules an honest ledger never breaks (also updates the state)."""
    problems = []
    seq, key = values["seq"], (values["policy_id"], values["period"])
    if values["kind"] == "close":
        if key in current:
            problems.append(f"closes the period again while entry {current[key]} is its current close (no reopen)")
        try:
            history = json.loads(values["history"] or "[]")
            pairs = [(int(o), str(h)) for o, h in history]
        except (ValueError, TypeError, RecursionError):  # RecursionError: nested past any honest list
            pairs = []
            problems.append("its history list cannot be read")
        for ordinal, h in pairs:
            used = closes.get(h)
            if used is None or used[1] != values["policy_id"] or used[2] != ordinal:
                problems.append(f"its history names entry {h[:12]}… (ordinal {ordinal}), "
                                "which is no earlier close of this policy")
        current[key] = seq
        closes[values["entry_hash"]] = (seq, values["policy_id"], values["period_ordinal"])
    else:
        if current.get(key) != values["reopens"]:
            problems.append(f"reopens entry {values['reopens']}, which is not the current close of the period")
        current.pop(key, None)
    return problems
