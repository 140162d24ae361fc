"""Matching the columns of a data file to the policy's inputs.

A column belongs to an input when its header equals the input's ``column``
(e.g. ``销售额``) or its id (``revenue``), after stripping surrounding
whitespace and a byte-order mark; failing an exact match, ASCII letters are
compared case-insensitively (``Revenue`` finds ``revenue``; Chinese headers
must match exactly).

Decisions: columns no input uses are ignored with a warning (blank headers
silently); a non-blank header used twice, a column claimed by two inputs, or two columns
that both match one input are problems; a missing input column is a problem
only when the input is required and has no default -- otherwise every row
gets the default (or null) and a warning says so.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Sequence

from incentive.errors import DataProblem
from incentive.io.cell_check import default_value
from incentive.io.cell_rules import WS
from incentive.policy.model import Input

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_LIST_AT_MOST = 30


def normalize(header: str) -> str:
    """A header without surrounding whitespace, byte-order mark or zero-width space."""
    return header.strip(WS + "\ufeff\u200b")


def _fold(text: str) -> str:
    return text.translate(_ASCII_LOWER)


def _listing(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_LIST_AT_MOST])
    return shown + (f", ... ({len(names)} in all)" if len(names) > _LIST_AT_MOST else "")


@dataclass
class HeaderMatch:
    positions: dict[str, int] = field(default_factory=dict)  # input id -> column position in the file
    names: dict[str, str] = field(default_factory=dict)  # input id -> the header as found (stripped)
    absent: list[Input] = field(default_factory=list)  # optional inputs with no column: default / null
    problems: list[DataProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def match_headers(headers: Sequence[str], inputs: Sequence[Input], file: str, header_row: int) -> HeaderMatch:
    """Find each input's column; report duplicates, ambiguities and missing columns."""
    result = HeaderMatch()
    normed = [normalize(h) for h in headers]
    where: dict[str, list[int]] = defaultdict(list)
    for i, h in enumerate(normed):
        if h:
            where[h].append(i)
    for h, places in where.items():
        if len(places) > 1:
            cols = " and ".join(str(p + 1) for p in places)
            result.problems.append(DataProblem(file, header_row, h, "", f"each header once; {h!r} heads columns {cols}"))

    claimed: dict[int, str] = {}
    for inp in inputs:
        names = [n for n in (inp.column, inp.id) if n]
        found = [i for i, h in enumerate(normed) if h and h in names]
        if not found:
            folded = {_fold(n) for n in names}
            found = [i for i, h in enumerate(normed) if h and _fold(h) in folded]
        distinct = sorted({normed[i] for i in found})
        if len(distinct) > 1:
            both = " and ".join(repr(d) for d in distinct)
            result.problems.append(DataProblem(
                file, header_row, distinct[0], "",
                f"one column for input {inp.id!r}, but {both} both match it: keep one of them"))
            continue
        if found:
            pos = found[0]
            if pos in claimed:
                result.problems.append(DataProblem(
                    file, header_row, normed[pos], "",
                    f"a column for one input only; {normed[pos]!r} matches both {claimed[pos]!r} and {inp.id!r}"))
                continue
            claimed[pos] = inp.id
            result.positions[inp.id] = pos
            result.names[inp.id] = normed[pos]
            continue
        _missing(result, inp, normed, file, header_row)

    extra = [h for i, h in enumerate(normed) if h and i not in claimed and len(where[h]) == 1]
    if extra:
        result.warnings.append(f"{file}: ignored columns the policy does not use: {_listing(extra)}")
    return result


def _missing(result: HeaderMatch, inp: Input, normed: list[str], file: str, header_row: int) -> None:
    default = default_value(inp)
    if default is not None or (not inp.required and inp.type != "id"):
        filler = f"the default {default}" if default is not None else "no value (null)"
        result.absent.append(inp)
        result.warnings.append(f"{file}: no column {inp.header!r} (input {inp.id}): every row gets {filler}")
        return
    found = [h for h in normed if h]
    pool = {_fold(h): h for h in found}
    hint: list[str] = []
    for name in (inp.header, inp.id):
        hint = difflib.get_close_matches(_fold(name), list(pool), n=1, cutoff=0.6)
        if hint:
            break
    wanted = repr(inp.header) + (f" or {inp.id!r}" if inp.column and inp.column != inp.id else "")
    message = f"a column {wanted} for input {inp.id} ({inp.type}); the headers found are: {_listing(found) or '(none)'}"
    if hint:
        message += f" -- did you mean {pool[hint[0]]!r}?"
    result.problems.append(DataProblem(file, header_row, inp.header, "", message))
