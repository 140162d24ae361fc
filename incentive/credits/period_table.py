"""The per-person period table: the people file's own columns plus the measures, by input id.

Columns are the policy's inputs in the policy's order, each under its id:
a measure's input gets the measure (0 for a sum or count of a person with
no credited line, empty for a date); every other input comes from the
people file, as its text (``evaluate`` checks it as for any period file).
Inputs neither measured nor in the people file are left out. Rows: the
people file's, in its order; credited people who are not in it (managers
above the plan's population) stay in the credit table only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from incentive.credits.definition import Definition
from incentive.errors import UsageError
from incentive.io.formats import read_table
from incentive.io.headers import match_headers, normalize
from incentive.io.raw_table import ROW, col
from incentive.io.source import read_data_bytes
from incentive.policy.model import Policy

_MEASURE_TYPES = {"sum": ("money", "number"), "count": ("integer", "number"), "count_distinct": ("integer", "number"),
                  "earliest": ("date",), "latest": ("date",)}


@dataclass
class PeriodTable:
    frame: pl.DataFrame
    money: dict[str, int] = field(default_factory=dict)  # money columns -> decimals (for the writer)
    unmatched: int = 0  # credited people not in the people file
    sha256: str = ""


def check_measures(definition: Definition, policy: Policy) -> None:
    """Every measure is an input of the policy, of a type that can hold it."""
    problems = []
    for m in definition.measures:
        inp = policy.input(m.id)
        if inp is None:
            problems.append(f"{definition.file}:{m.pos.line}:{m.pos.col}: measure {m.id!r} is not an input of "
                            f"{policy.file}; a measure becomes the input of the same id")
        elif inp.type not in _MEASURE_TYPES[m.kind]:
            problems.append(f"{definition.file}:{m.pos.line}:{m.pos.col}: measure {m.id!r} ({m.kind}) cannot fill "
                            f"input {m.id!r} of type {inp.type}; expected {' or '.join(_MEASURE_TYPES[m.kind])}")
    if problems:
        raise UsageError("\n".join(problems))


def period_table(path: Path, definition: Definition, policy: Policy, measures: pl.DataFrame, *,
                 encoding: str | None = None) -> PeriodTable:
    file = str(path)
    measured = {m.id for m in definition.measures}
    id_input = policy.id_input
    own = [i for i in policy.inputs if i.id not in measured]
    raw = read_data_bytes(path)
    digest = hashlib.sha256(raw).hexdigest()
    found: dict[str, int] = {}

    def choose(headers: list[str], header_row: int) -> dict[int, str]:
        match = match_headers(headers, own, file, header_row)
        if definition.people is not None:
            hits = [i for i, h in enumerate(headers) if normalize(h) == definition.people]
            if not hits:
                raise UsageError(f"{file}:{header_row}: no column {definition.people!r} (people.id in {definition.file})")
            match.positions[id_input.id] = hits[0]
            match.problems = [p for p in match.problems if p.column not in (id_input.header, id_input.id)]
        if match.problems:
            raise UsageError("\n".join(str(p) for p in match.problems))
        found.clear()
        found.update(match.positions)
        return {i: "text" for i in match.positions.values()}

    table = read_table(path, raw, file, choose, encoding=encoding)
    del raw
    if table.problems:
        raise UsageError("\n".join(str(p) for p in table.problems))
    people = table.frame.select(*[_blank_is_null(pl.col(col(i)).str.strip_chars()).alias(iid) for iid, i in found.items()],
                                pl.col(ROW))
    ids = people[id_input.id]
    blank = people.filter(ids.is_null() | (ids == ""))
    if blank.height:
        raise UsageError(f"{file}:{blank[ROW][0]}: column {id_input.header!r}: the person id is empty; every row needs one")
    dup = people.filter(pl.col(id_input.id).is_duplicated()).sort(ROW)
    if dup.height:
        raise UsageError(f"{file}:{dup[ROW][1]}: column {id_input.header!r}: value {dup[id_input.id][1]!r}: "
                         f"a unique person id; row {dup[ROW][0]} has the same")
    joined = people.join(measures.rename({"person": id_input.id}), on=id_input.id, how="left", maintain_order="left")
    fills = []
    for m in definition.measures:
        if m.kind in ("sum", "count", "count_distinct"):
            fills.append(pl.col(m.id).fill_null(0))
    joined = joined.with_columns(fills) if fills else joined
    columns = [i.id for i in policy.inputs if i.id in joined.columns]
    unmatched = measures.filter(~pl.col("person").is_in(people[id_input.id].to_list())).height
    money = {m.id: policy.money.decimals for m in definition.measures if m.kind == "sum"}
    return PeriodTable(frame=joined.select(columns), money=money, unmatched=unmatched, sha256=digest)


def _blank_is_null(text: pl.Expr) -> pl.Expr:
    return pl.when(text == "").then(None).otherwise(text)
