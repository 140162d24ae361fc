"""The entry point for period data: read a file, check every cell, hand back a typed frame.

``read_period_data`` either returns a ``PeriodData`` whose frame has exactly
one typed column per policy input (in input order) plus ``__row__``, or
raises ``DataInvalid`` listing every problem -- header, structure and cell
problems together, in row order, up to ``max_errors`` -- so a user fixes a
file in one round trip instead of one error at a time.

Rows whose policy columns are all blank (spreadsheet padding, blank lines)
are skipped; they keep their place in the row numbering.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from incentive.errors import DataInvalid, DataProblem, UsageError
from incentive.io.cell_check import default_value, explain
from incentive.io.cell_rules import dtype_of, kind_of, percent_rule
from incentive.io.coerce import column_plan, only_iso_dates, only_plain_cells, repeated_ids, strictly_ascending
from incentive.io.formats import format_of, read_table
from incentive.io.raw_table import ROW, RawTable, col, show
from incentive.io.headers import HeaderMatch, match_headers
from incentive.io.ids import look_alike_ids
from incentive.io.layout import TOTALS, HeaderRule
from incentive.io.source import check_text_encoding, read_data_bytes
from incentive.policy.model import Input, Policy

_BAD = "\x00bad:"  # prefix of the per-input problem flags (cannot clash with an input id)


@dataclass(frozen=True)
class PeriodData:
    """One period's input data, typed and checked."""

    frame: pl.DataFrame  # one column per policy input (input order), then __row__; rows in id order
    file: str
    sha256: str  # of the file's bytes, for the audit trail
    warnings: list[str] = field(default_factory=list)
    format: str = ""  # csv / tsv / xlsx / json / parquet
    encoding: str | None = None  # text formats only
    raw: bytes | None = field(default=None, repr=False)  # the file's bytes, when asked for (``keep_bytes``)


class _Digest:
    """SHA-256 of the file computed alongside parsing (hashlib releases the GIL)."""

    def __init__(self, raw: bytes):
        self._value = ""
        self._thread: threading.Thread | None = None
        if len(raw) > 1 << 22:
            self._thread = threading.Thread(target=self._run, args=(raw,), daemon=True)
            self._thread.start()
        else:
            self._run(raw)

    def _run(self, raw: bytes) -> None:
        self._value = hashlib.sha256(raw).hexdigest()

    def result(self) -> str:
        if self._thread is not None:
            self._thread.join()
        return self._value


def read_period_data(path: str | Path, policy: Policy, *, encoding: str | None = None, sheet: str | None = None,
                     max_errors: int = 100, keep_bytes: bool = False, header_row: int | None = None,
                     skip_footer: bool = False) -> PeriodData:
    """Read and check one period's data file against ``policy.inputs``.

    Raises ``UsageError`` for a missing / unreadable file, an unknown file
    type or bad options, and ``DataInvalid`` (every problem, up to
    ``max_errors``, then a count of the rest) for a file that cannot be used.
    """
    if max_errors < 1:
        raise UsageError(f"max_errors must be at least 1 (got {max_errors})")
    path = Path(path)
    file = str(path)
    format_of(path)
    if encoding is not None:
        encoding = check_text_encoding(encoding)
    raw = read_data_bytes(path)
    digest = _Digest(raw)
    matches: list[HeaderMatch] = []

    def choose(headers: list[str], header_row: int) -> dict[int, str]:
        match = match_headers(headers, policy.inputs, file, header_row)
        matches.append(match)
        by_id = {i.id: i for i in policy.inputs}
        return {pos: kind_of(by_id[iid]) for iid, pos in match.positions.items()}

    if header_row is not None and header_row < 1:
        raise UsageError(f"--header-row must be at least 1 (got {header_row})")
    needed = [i for i in policy.inputs if i.type == "id" or (i.required and default_value(i) is None)]

    def fits(cells: list[str]) -> bool:
        found = match_headers(cells, needed or policy.inputs, file, 0).positions
        return all(i.id in found for i in needed) if needed else bool(found)

    rule = HeaderRule(row=header_row, fits=fits, skip_footer=skip_footer)
    table = read_table(path, raw, file, choose, encoding=encoding, sheet=sheet, header=rule)
    kept = raw if keep_bytes else None  # a close archives exactly the bytes it evaluated: no second read
    del raw  # otherwise the bytes can go while the cells are checked (the digest thread keeps its own reference)
    match = matches[-1]  # the reader may look at the header twice (e.g. after detecting the encoding)
    id_headers = {i.header for i in policy.inputs if i.type == "id"}
    if table.preview and any(p.column in id_headers and p.expected.startswith("a column ") for p in match.problems):
        # no id column at all: not the header -- show what was read instead
        match.problems.append(DataProblem(file, table.header_row, "", "", table.preview))
    _skip_totals(table, policy.inputs, match, file, skip_footer)
    frame, problems, total = _check(table, policy.inputs, match, file, max_errors)
    if total:
        raise DataInvalid(problems=problems, truncated=max(0, total - len(problems)))
    return PeriodData(frame=frame, file=file, sha256=digest.result(),
                      warnings=match.warnings + table.warnings + _percent_notes(table, policy.inputs, match, file),
                      format=table.format, encoding=table.encoding, raw=kept)


def _check(table: RawTable, inputs: tuple[Input, ...], match: HeaderMatch, file: str,
           max_errors: int) -> tuple[pl.DataFrame, list[DataProblem], int]:
    """The typed frame, the first ``max_errors`` problems in row order, and how many there are in all."""
    present = [inp for inp in inputs if inp.id in match.positions and match.positions[inp.id] not in table.unusable]
    values: list[pl.Expr] = []
    flags: list[pl.Expr] = []
    empties: list[pl.Expr] = []
    stages: list[dict[str, pl.Expr]] = []
    fast = _fast_paths(table.frame, present, match)
    read_here = {inp.id for inp in present}
    for k, inp in enumerate(inputs):
        if inp.id not in read_here:
            values.append(pl.lit(default_value(inp), dtype=dtype_of(inp)).alias(inp.id))
            continue
        plan = column_plan(pl.col(col(match.positions[inp.id])), inp, key=str(k), grouping=table.grouping,
                           iso_dates=fast[inp.id], plain=fast[inp.id], unique=False)
        for depth, stage in enumerate(plan.stages):
            if depth == len(stages):
                stages.append({})
            stages[depth].update(stage)
        values.append(plan.value.alias(inp.id))
        flags.append(plan.bad.alias(_BAD + inp.id))
        empties.append(plan.empty)
    blank = pl.all_horizontal(empties) if empties else pl.lit(False)
    lazy = table.frame.lazy()
    for stage in stages:  # each stage's columns are computed in parallel across inputs
        lazy = lazy.with_columns(**stage)
    checked = (lazy.select(*values, *flags, pl.col(ROW), blank.alias(_BAD))
               .filter(~pl.col(_BAD))
               .drop(_BAD)
               .collect())
    checked = _flag_repeated_ids(checked, present)

    structural = match.problems + table.problems
    for inp in present:
        if inp.type == "id":
            structural += look_alike_ids(checked, inp.id, ROW, file, match.names[inp.id])
    if checked.height == 0 and not structural:
        structural.append(DataProblem(file, 0, "", "", "no data rows: the file has no rows with values below the header"))
    # Series sums and a plain column pick, then one rechunk: an eager DataFrame.select costs
    # several times more on the engine's many-piece output
    total = len(structural) + sum(int(checked.get_column(_BAD + inp.id).sum()) for inp in present)
    if total == 0:
        return checked[[*(i.id for i in inputs), ROW]].rechunk(), [], 0

    problems = structural + _cell_problems(table, checked, present, match, file, max_errors)
    order = {inp.id: match.positions[inp.id] for inp in present}
    by_header = {match.names[i]: order[i] for i in order}
    problems.sort(key=lambda p: (p.row, by_header.get(p.column, -1) if p.column else -1))
    return checked, problems[:max_errors], total


_TOTALS = "(?i)" + TOTALS.pattern


def _skip_totals(table: RawTable, inputs: tuple[Input, ...], match: HeaderMatch, file: str, footer: bool) -> None:
    """Drop totals rows (合计 / Total ... in the id cell, or in a text cell of a row without id), with a note;
    with ``footer`` also every row from the first totals or id-less row to the end."""
    ids = [i for i in inputs if i.type == "id" and i.id in match.positions]
    if not ids or table.frame.height == 0:
        return
    id_col = pl.col(col(match.positions[ids[0].id]))
    texts = [pl.col(col(match.positions[i.id])) for i in inputs if i.type == "text" and i.id in match.positions]
    blank_id = id_col.is_null() | (id_col.str.strip_chars().str.len_bytes() == 0)
    flags = table.frame.select(id_col.str.contains(_TOTALS).fill_null(False).alias("t"), blank_id.alias("b"),
                               pl.col(ROW), *(t.alias(f"text{n}") for n, t in enumerate(texts)))
    if texts and flags["b"].any():  # a label in a text cell counts only on a row without id: few rows, if any
        blank = flags.filter(pl.col("b"))
        labelled = blank.filter(pl.any_horizontal([pl.col(f"text{n}").str.contains(_TOTALS).fill_null(False)
                                                   for n in range(len(texts))]))[ROW]
        flags = flags.with_columns(pl.col("t") | pl.col(ROW).is_in(labelled.implode()))
    drop = flags["t"]
    if footer:
        stop = (flags["t"] | flags["b"]).arg_true()
        if stop.len():
            drop = pl.int_range(flags.height, eager=True) >= int(stop[0])
    if not drop.any():
        return
    rows = flags.filter(drop)[ROW].to_list()
    listed = ", ".join(str(r) for r in rows[:10]) + (f", ... ({len(rows)} in all)" if len(rows) > 10 else "")
    what = "rows below the data (--skip-footer)" if footer else "totals row(s) (合计 / 总计 / 小计 / Total)"
    table.warnings.append(f"{file}: skipped {what}: row {listed}")
    table.frame = table.frame.filter(~drop)


def _percent_notes(table: RawTable, inputs: tuple[Input, ...], match: HeaderMatch, file: str) -> list[str]:
    """A note per column whose percentages were read as points (94.7% -> 94.7) by the input's range."""
    notes = []
    for inp in inputs:
        if percent_rule(inp) != "points" or inp.id not in match.positions:
            continue
        raw = table.frame.get_column(col(match.positions[inp.id]))
        found = raw.str.contains("[%％]").fill_null(False)
        n = int(found.sum())
        if n:
            example = raw.filter(found)[0].strip()
            notes.append(f"{file}: column {match.names[inp.id]!r}: {n} percentage cell(s) (e.g. {example}) read as points "
                         f"({example.rstrip('%％ ')}), because input {inp.id} declares max {inp.max}; an Excel cell "
                         "formatted as a percentage is shown as 94.7% and stored as 0.947")
    return notes


def _flag_repeated_ids(checked: pl.DataFrame, present: list[Input]) -> pl.DataFrame:
    """Add repeated ids to the id flags (``column_plan(unique=False)`` left them out).

    Blank rows are gone by now, but a blank row has an empty id, which is
    never a repeat, so the flags are the same as on the whole file.

    Rows not in id order come back sorted by id when no id repeats: the
    engine evaluates in id order anyway, and on sorted ids a repeat is a
    neighbour, which is cheaper to find than by hashing every id. Only a
    file with a repeat is hashed, to name each repeat's row in file order.
    """
    for inp in present:
        if inp.type != "id" or strictly_ascending(checked.get_column(inp.id)):
            continue
        ordered = checked.sort(inp.id)  # ties only among repeats, and then this order is not kept
        if strictly_ascending(ordered.get_column(inp.id)):
            checked = ordered
        else:
            checked = checked.with_columns(pl.col(_BAD + inp.id) | repeated_ids(pl.col(inp.id)))
    return checked


def _fast_paths(frame: pl.DataFrame, present: list[Input], match: HeaderMatch) -> dict[str, bool]:
    """Per input read here: may ``column_plan`` take its fast path (every cell ISO date / plain)?

    One pass over the raw columns, all checked in parallel; it costs less
    than the stripping and normalizing it saves on a typical file.
    """
    checks: dict[str, pl.Expr] = {}
    for inp in present:
        raw = pl.col(col(match.positions[inp.id]))
        check = only_iso_dates(raw) if inp.type == "date" else only_plain_cells(raw, inp)
        if check is not None:
            checks[inp.id] = check
    found = frame.select(**checks).row(0, named=True) if checks else {}
    return {inp.id: bool(found.get(inp.id)) for inp in present}


def _cell_problems(table: RawTable, checked: pl.DataFrame, present: list[Input], match: HeaderMatch, file: str,
                   limit: int) -> list[DataProblem]:
    """Explain the first ``limit`` flagged cells (in row, then column order); Python runs only on those."""
    flagged = [checked.filter(pl.col(_BAD + inp.id)).select(ROW, pl.lit(k, dtype=pl.Int32).alias("k"))
               for k, inp in enumerate(present)]
    first = pl.concat(flagged).sort(ROW, "k").head(limit) if flagged else pl.DataFrame()
    if first.height == 0:
        return []
    rows = first[ROW].unique()
    raw = table.frame.filter(pl.col(ROW).is_in(rows.implode()))
    raw_cells = {r[ROW]: r for r in raw.iter_rows(named=True)}
    ids = [inp for inp in present if inp.type == "id"]
    first_seen: dict[str, int] = {}
    if ids:
        id_name = ids[0].id
        dup_values = checked.filter(pl.col(id_name).is_duplicated() & pl.col(id_name).is_not_null())
        first_seen = dict(dup_values.group_by(id_name).agg(pl.col(ROW).min()).iter_rows())
    id_at: dict[int, str | None] = {}
    if ids:
        id_at = dict(checked.filter(pl.col(ROW).is_in(rows.implode())).select(ROW, ids[0].id).iter_rows())
    out: list[DataProblem] = []
    for row, k in first.iter_rows():
        inp = present[k]
        text = raw_cells[row][col(match.positions[inp.id])]
        stripped = id_at.get(row) if inp.type == "id" else None
        if inp.type == "id" and stripped and stripped in first_seen and first_seen[stripped] != row:
            expected = f"a unique employee id: {stripped!r} is also in row {first_seen[stripped]}"
        else:
            expected = explain(text, inp, grouping=table.grouping)
        out.append(DataProblem(file, row, match.names[inp.id], show(text), expected))
    return out
