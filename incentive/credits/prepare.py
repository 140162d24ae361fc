"""The source tables, typed and checked: the exact tables the SQL runs on.

Each source's text cells become typed columns (``values``), a slice at a
time, appended to staged Parquet tables (``staged``): a source of 50
million lines is never a frame. The bad-input rules within one table are
checked here -- per row on each slice, across rows (unique line ids, split
shares) as SQL over the staged table (``unique``); ``checks`` holds the
rules across tables. The tables are shaped as the compiled SQL expects them:

- ``lines``: lk, line_id, src, match_key, person, line_date, c_<column>..., row; ``lk`` a running number (one
  integer per line, its position in the frame: the engine joins events to lines on it, never on the text id)
- ``events``: src, event_id, line_id, lk, amount_name, event_date, amount, sign, kind (line / refund /
  collection), row, ek (a running number: one integer per event, the engine's cheap partition key); ``lk`` is
  null for an adjustment of an unknown line (``checks.check_links`` reports it)
- ``splits``: match_key, person, role, share, row
- ``assign``: person, manager, valid_from, valid_to, a_<attribute>..., row
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterator

import polars as pl

from incentive.credits.definition import Definition
from incentive.credits.sources import Table, read_source, read_source_slices
from incentive.credits.staged import Staged, Staging
from incentive.credits.unique import check_unique
from incentive.credits.values import Problems, amount_type, amounts, dates, duplicates, required, shares
from incentive.io.raw_table import ROW

#: the valid_to of an open-ended assignment (an empty cell)
OPEN_END = date(9999, 12, 31)
OWNER = "owner"


#: rows of a source typed and checked at a time (a Parquet source is read this many rows at a time)
SLICE = 1_000_000


@dataclass
class Prepared:
    lines: Staged
    events: Staged
    splits: Staged
    assign: pl.DataFrame
    files: dict[str, str]  # source name -> file
    hashes: dict[str, str]  # source name -> sha256 of the bytes read
    line_files: dict[str, str]  # line or adjustment source name -> file (for messages)


def _slices(paths: dict[str, Path], name: str, wanted: dict[str, str | None], what: str,
            encoding: str | None) -> Iterator[Table]:
    return read_source_slices(paths[name], wanted, what=what, encoding=encoding, rows=SLICE)


def _table(paths: dict[str, Path], name: str, wanted: dict[str, str | None], what: str, encoding: str | None,
           optional: tuple[str, ...] = ()) -> Table:
    return read_source(paths[name], wanted, what=what, optional=optional, encoding=encoding)


def schemas(definition: Definition, decimals: int) -> tuple[dict[str, pl.DataType], dict[str, pl.DataType]]:
    """The schemas of the lines and events tables (see the module note)."""
    columns: dict[str, pl.DataType] = {f"c_{n}": pl.String() for n in definition.column_names()}
    lines: dict[str, pl.DataType] = {"lk": pl.Int64(), "line_id": pl.String(), "src": pl.String(),
                                     "match_key": pl.String(), "person": pl.String(), "line_date": pl.Date(),
                                     **columns, "row": pl.Int64()}
    events: dict[str, pl.DataType] = {"src": pl.String(), "event_id": pl.String(), "line_id": pl.String(),
                                      "lk": pl.Int64(), "amount_name": pl.String(), "event_date": pl.Date(),
                                      "amount": amount_type(decimals), "sign": pl.Int32(), "kind": pl.String(),
                                      "row": pl.Int64(), "match_key": pl.String(), "line_person": pl.String(),
                                      "line_date": pl.Date(), **columns, "ek": pl.Int64()}
    return lines, events


def prepare(definition: Definition, paths: dict[str, Path], *, currency: str, decimals: int,
            encoding: str | None = None) -> Prepared:
    """Read every source, type it, and check it (every rule within one table); ``UsageError`` on any problem.

    Each source is typed and checked a slice at a time and appended to its
    staged table; the rules that need all rows of a table at once (unique
    line ids, split shares) then run as SQL over the staged files
    (``unique``).
    """
    problems = Problems()
    hashes: dict[str, str] = {}
    line_files: dict[str, str] = {}
    staging = Staging()
    line_schema, event_schema = schemas(definition, decimals)
    lines_t, events_t = staging.table("lines", line_schema), staging.table("events", event_schema)
    key_column = "deal" if definition.splits is not None and definition.splits.by == "deal" else "line_id"
    offset = 0  # the lk of the next line
    events_n = 0  # the ek of the next event

    def add_events(frame: pl.DataFrame) -> None:
        nonlocal events_n
        events_t.append(frame.with_columns(pl.int_range(events_n, events_n + pl.len(), dtype=pl.Int64).alias("ek")))
        events_n += frame.height

    for s in definition.lines:
        wanted: dict[str, str | None] = {"line_id": s.id, "line_date": s.date, "person": s.person, "deal": s.deal,
                                         "currency": s.currency}
        wanted.update({f"c_{n}": h for n, h in s.columns})
        for a in s.amounts:
            wanted[f"amount_{a.name}"] = a.column
            if a.date:
                wanted[f"date_{a.name}"] = a.date
        for t in _slices(paths, s.name, wanted, f"lines.{s.name}", encoding):
            hashes[s.name], line_files[s.name] = t.sha256, t.file
            f = t.frame
            required(f, "line_id", t.file, s.id, "the line id", problems)
            _currency(f, t, s.currency, currency, problems)
            line_date = dates(f, "line_date", t.file, s.date, problems)
            lk = pl.int_range(offset, offset + f.height, dtype=pl.Int64, eager=True).alias("lk")
            offset += f.height
            lines = f.select(lk, pl.col("line_id"), pl.lit(s.name).alias("src"),
                             pl.col(key_column if key_column == "line_id" else "deal").alias("match_key"),
                             pl.col("person"), line_date.alias("line_date"),
                             *[pl.col(f"c_{n}") for n, _ in s.columns], pl.col(ROW).alias("row"))
            lines_t.append(lines)
            for a in s.amounts:
                value = amounts(f, f"amount_{a.name}", t.file, a.column, decimals, currency, problems,
                                optional=a.date is not None)
                when = dates(f, f"date_{a.name}", t.file, a.date, problems, optional=True) if a.date else line_date
                ev = lines.select("line_id", "lk", pl.lit(when).alias("event_date"), pl.lit(value).alias("amount"),
                                  "row", "match_key", pl.col("person").alias("line_person"), "line_date",
                                  *[pl.col(f"c_{n}") for n, _ in s.columns])
                if a.date:  # an amount with its own date: both or neither
                    problems.rows(f, (value.is_null() != when.is_null()).fill_null(False) & f["line_id"].is_not_null(),
                                  t.file, a.date, f"date_{a.name}", f"a date exactly when {a.column} has an amount")
                    ev = ev.filter(pl.col("amount").is_not_null() & pl.col("event_date").is_not_null())
                add_events(ev.select(pl.lit(s.name).alias("src"), pl.col("line_id").alias("event_id"), "line_id", "lk",
                                     pl.lit(a.name).alias("amount_name"), "event_date", "amount",
                                     pl.lit(1, dtype=pl.Int32).alias("sign"), pl.lit("line").alias("kind"), "row",
                                     pl.exclude("line_id", "lk", "event_date", "amount", "row")))
    adjusting: list[pl.DataFrame] = []  # adjustments are few: kept in memory until their lines are known
    for adj in definition.adjustments:
        wanted = {"event_id": adj.id, "line_id": adj.line, "event_date": adj.date, "currency": adj.currency}
        wanted.update({f"amount_{a.name}": a.column for a in adj.amounts})
        t = _table(paths, adj.name, wanted, f"adjustments.{adj.name}", encoding)
        hashes[adj.name], line_files[adj.name] = t.sha256, t.file
        f = t.frame
        required(f, "event_id", t.file, adj.id, "the id", problems)
        required(f, "line_id", t.file, adj.line, "the original line's id", problems)
        duplicates(f.filter(pl.col("event_id").is_not_null()), ["event_id"], t.file, adj.id, f"{adj.name} id", problems)
        _currency(f, t, adj.currency, currency, problems)
        when = dates(f, "event_date", t.file, adj.date, problems)
        for a in adj.amounts:
            value = amounts(f, f"amount_{a.name}", t.file, a.column, decimals, currency, problems, optional=True)
            adjusting.append(pl.DataFrame({"event_id": f["event_id"], "line_id": f["line_id"], "event_date": when,
                                           "amount": value, "row": f[ROW]})
                             .filter(pl.col("amount").is_not_null())
                             .select(pl.lit(adj.name).alias("src"), "event_id", "line_id",
                                     pl.lit(a.name).alias("amount_name"), "event_date", "amount",
                                     pl.lit(-1 if adj.kind == "refund" else 1, dtype=pl.Int32).alias("sign"),
                                     pl.lit(adj.kind).alias("kind"), "row"))
    splits = _splits(definition, paths, encoding, hashes, line_files, problems, staging)
    assign = _assignments(definition, paths, encoding, hashes, line_files, problems)
    check_unique(definition, lines_t, splits, line_files, problems)
    problems.raise_any()
    if adjusting:  # each adjustment with its line's columns, by the line's id (unique by now); lk null if unknown
        adj_events = pl.concat(adjusting, how="vertical_relaxed")
        of_line = ["lk", "match_key", "line_person", "line_date", *[f"c_{n}" for n in definition.column_names()]]
        wanted_ids = adj_events["line_id"].drop_nulls().unique()
        keys = (lines_t.lazy().filter(pl.col("line_id").is_in(wanted_ids.implode()))
                .select("line_id", "lk", "match_key", pl.col("person").alias("line_person"), "line_date",
                        *[f"c_{n}" for n in definition.column_names()]).collect())
        joined = adj_events.join(keys, on="line_id", how="left", maintain_order="left")
        add_events(joined.select(*[c for c in adj_events.columns], *of_line))
    return Prepared(lines=lines_t, events=events_t, splits=splits, assign=assign,
                    files={n: str(p) for n, p in paths.items()}, hashes=hashes, line_files=line_files)


def _currency(f: pl.DataFrame, t: Table, header: str | None, currency: str, problems: Problems) -> None:
    if header is None:
        return
    bad = f["currency"].is_not_null() & (f["currency"].str.to_uppercase() != currency)
    problems.rows(f, bad.fill_null(False), t.file, header, "currency",
                  f"the policy's currency {currency} (mixed currencies need a rate; convert them in the source)")


SPLIT_SCHEMA: dict[str, pl.DataType] = {"match_key": pl.String(), "person": pl.String(), "role": pl.String(),
                                       "share": pl.Decimal(9, 6), "row": pl.Int64()}


def _splits(definition: Definition, paths: dict[str, Path], encoding: str | None, hashes: dict[str, str],
            files: dict[str, str], problems: Problems, staging: Staging) -> Staged:
    """The split rows, typed and checked row by row (their shares per line and role: ``unique.check_unique``)."""
    out = staging.table("splits", SPLIT_SCHEMA)
    sp = definition.splits
    if sp is None:
        return out
    for t in _slices(paths, "splits", {"match_key": sp.line, "person": sp.person, "share": sp.share, "role": sp.role},
                     "splits", encoding):
        hashes["splits"], files["splits"] = t.sha256, t.file
        f = t.frame
        required(f, "match_key", t.file, sp.line, "the line id", problems)
        required(f, "person", t.file, sp.person, "the person", problems)
        share = shares(f, "share", t.file, sp.share, problems)
        role = f["role"].fill_null(OWNER) if sp.role else pl.Series("role", [OWNER] * f.height, dtype=pl.String)
        out.append(pl.DataFrame({"match_key": f["match_key"], "person": f["person"], "role": role, "share": share,
                                 "row": f[ROW]}).filter(pl.col("match_key").is_not_null() & pl.col("person").is_not_null()))
    return out


def _assignments(definition: Definition, paths: dict[str, Path], encoding: str | None, hashes: dict[str, str],
                 files: dict[str, str], problems: Problems) -> pl.DataFrame:
    asg = definition.assignments
    if asg is None:
        return pl.DataFrame(schema={"person": pl.String, "manager": pl.String, "valid_from": pl.Date,
                                    "valid_to": pl.Date, "row": pl.Int64})
    wanted: dict[str, str | None] = {"person": asg.person, "manager": asg.manager, "valid_from": asg.valid_from,
                                     "valid_to": asg.valid_to}
    wanted.update({f"a_{n}": h for n, h in asg.attributes})
    t = _table(paths, "assignments", wanted, "assignments", encoding)
    hashes["assignments"], files["assignments"] = t.sha256, t.file
    f = t.frame
    required(f, "person", t.file, asg.person, "the person", problems)
    start = dates(f, "valid_from", t.file, asg.valid_from, problems)
    end = dates(f, "valid_to", t.file, asg.valid_to, problems, optional=True)
    out = pl.DataFrame({"person": f["person"], "manager": f["manager"], "valid_from": start,
                        "valid_to": end.fill_null(OPEN_END), "row": f[ROW]}).with_columns(
        *[f[f"a_{n}"] for n, _ in asg.attributes])
    empty = (out["valid_to"] <= out["valid_from"]).fill_null(False)
    problems.rows(f, empty, t.file, asg.valid_to, "valid_to", f"a date after {asg.valid_from} (the range is [from, to))")
    known = set(out["person"].drop_nulls().to_list())
    if asg.manager:
        problems.rows(f, (f["manager"].is_not_null() & ~f["manager"].is_in(list(known))).fill_null(False), t.file,
                      asg.manager, "manager", f"a person of {t.file} (the manager has no assignment row)")
    ranges = out.filter(pl.col("person").is_not_null() & pl.col("valid_from").is_not_null()).sort("person", "valid_from", "row")
    prev = ranges.select(pl.col("person").shift(1).alias("p_person"), pl.col("valid_to").shift(1).alias("p_to"),
                         pl.col("row").shift(1).alias("p_row"))
    both = pl.concat([ranges, prev], how="horizontal").filter(pl.col("person") == pl.col("p_person"))
    for person, start_, row, p_to, p_row in both.select("person", "valid_from", "row", "p_to", "p_row").iter_rows():
        if start_ < p_to:
            problems.add(t.file, row, asg.valid_from, start_.isoformat(),
                         f"assignments of {person!r} that do not overlap: row {p_row} runs to {p_to.isoformat()} "
                         f"(exclusive) and row {row} starts on {start_.isoformat()}")
        elif start_ > p_to:
            problems.add(t.file, row, asg.valid_from, start_.isoformat(),
                         f"assignments of {person!r} without a gap: row {p_row} ends on {p_to.isoformat()} "
                         f"(exclusive) but row {row} starts only on {start_.isoformat()}")
    return out
