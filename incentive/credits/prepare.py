"""The source tables, typed and checked: the exact frames the SQL runs on.

Each source's text cells become typed columns (``values``); the bad-input
rules that need no join are checked here (``checks`` holds the rest). The
frames are shaped as the compiled SQL expects them:

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

import polars as pl

from incentive.credits.definition import Definition
from incentive.credits.sources import Table, read_source
from incentive.credits.values import Problems, amount_type, amounts, dates, duplicates, required, shares
from incentive.io.raw_table import ROW

#: the valid_to of an open-ended assignment (an empty cell)
OPEN_END = date(9999, 12, 31)
OWNER = "owner"


@dataclass
class Prepared:
    lines: pl.DataFrame
    events: pl.DataFrame
    splits: pl.DataFrame
    assign: pl.DataFrame
    files: dict[str, str]  # source name -> file
    hashes: dict[str, str]  # source name -> sha256 of the bytes read
    line_files: dict[str, str]  # line or adjustment source name -> file (for messages)


def _table(paths: dict[str, Path], name: str, wanted: dict[str, str | None], what: str, encoding: str | None,
           optional: tuple[str, ...] = ()) -> Table:
    return read_source(paths[name], wanted, what=what, optional=optional, encoding=encoding)


def prepare(definition: Definition, paths: dict[str, Path], *, currency: str, decimals: int,
            encoding: str | None = None) -> Prepared:
    """Read every source, type it, and check what can be checked per table; ``UsageError`` on any problem."""
    problems = Problems()
    hashes: dict[str, str] = {}
    line_frames, event_frames = [], []
    line_files: dict[str, str] = {}
    key_column = "deal" if definition.splits is not None and definition.splits.by == "deal" else "line_id"
    offset = 0  # the lk of the source's first line
    for s in definition.lines:
        wanted: dict[str, str | None] = {"line_id": s.id, "line_date": s.date, "person": s.person, "deal": s.deal,
                                         "currency": s.currency}
        wanted.update({f"c_{n}": h for n, h in s.columns})
        for a in s.amounts:
            wanted[f"amount_{a.name}"] = a.column
            if a.date:
                wanted[f"date_{a.name}"] = a.date
        t = _table(paths, s.name, wanted, f"lines.{s.name}", encoding)
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
        line_frames.append(lines)
        for a in s.amounts:
            value = amounts(f, f"amount_{a.name}", t.file, a.column, decimals, currency, problems, optional=a.date is not None)
            when = dates(f, f"date_{a.name}", t.file, a.date, problems, optional=True) if a.date else line_date
            ev = lines.select("line_id", "lk", pl.lit(when).alias("event_date"), pl.lit(value).alias("amount"), "row",
                              "match_key", pl.col("person").alias("line_person"), "line_date",
                              *[pl.col(f"c_{n}") for n, _ in s.columns])
            if a.date:  # an amount with its own date: both or neither
                problems.rows(f, (value.is_null() != when.is_null()).fill_null(False) & f["line_id"].is_not_null(),
                              t.file, a.date, f"date_{a.name}", f"a date exactly when {a.column} has an amount")
                ev = ev.filter(pl.col("amount").is_not_null() & pl.col("event_date").is_not_null())
            event_frames.append(ev.select(pl.lit(s.name).alias("src"), pl.col("line_id").alias("event_id"),
                                          "line_id", "lk", pl.lit(a.name).alias("amount_name"), "event_date",
                                          "amount", pl.lit(1, dtype=pl.Int32).alias("sign"), pl.lit("line").alias("kind"),
                                          "row", pl.exclude("line_id", "lk", "event_date", "amount", "row")))
    lines = pl.concat(line_frames, how="diagonal_relaxed") if line_frames else pl.DataFrame()
    for name in definition.column_names():
        if f"c_{name}" not in lines.columns:
            lines = lines.with_columns(pl.lit(None, dtype=pl.String).alias(f"c_{name}"))
    _duplicate_lines(lines, line_files, {s.name: s.id for s in definition.lines}, problems)
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
            event_frames.append(pl.DataFrame({"event_id": f["event_id"], "line_id": f["line_id"], "event_date": when,
                                              "amount": value, "row": f[ROW]})
                                .filter(pl.col("amount").is_not_null())
                                .select(pl.lit(adj.name).alias("src"), "event_id", "line_id",
                                        pl.lit(None, dtype=pl.Int64).alias("lk"), pl.lit(a.name).alias("amount_name"), "event_date", "amount",
                                        pl.lit(-1 if adj.kind == "refund" else 1, dtype=pl.Int32).alias("sign"),
                                        pl.lit(adj.kind).alias("kind"), "row"))
    line_columns: dict[str, pl.DataType] = {"match_key": pl.String(), "line_person": pl.String(), "line_date": pl.Date(),
                                            **{f"c_{n}": pl.String() for n in definition.column_names()}}
    schema: dict[str, pl.DataType] = {"src": pl.String(), "event_id": pl.String(), "line_id": pl.String(), "lk": pl.Int64(),
                                      "amount_name": pl.String(), "event_date": pl.Date(), "amount": amount_type(decimals),
                                      "sign": pl.Int32(), "kind": pl.String(), "row": pl.Int64(), **line_columns}
    events = pl.concat(event_frames, how="diagonal_relaxed") if event_frames else pl.DataFrame(schema=schema)
    events = events.with_columns(pl.lit(None, dtype=t).alias(n) for n, t in schema.items() if n not in events.columns)
    events = events.select(list(schema))
    events = events.with_columns(pl.int_range(0, pl.len(), dtype=pl.Int64).alias("ek"))  # a cheap partition key
    splits = _splits(definition, paths, encoding, hashes, line_files, problems)
    assign = _assignments(definition, paths, encoding, hashes, line_files, problems)
    problems.raise_any()
    if definition.adjustments and lines.height:  # an adjustment's line by its id (the ids are unique by now)
        of_line = [n for n in ("lk", *line_columns)]
        keys = lines.select("line_id", "lk", "match_key", pl.col("person").alias("line_person"), "line_date",
                            *[f"c_{n}" for n in definition.column_names()])
        adjusting = events["lk"].is_null()
        joined = events.filter(adjusting).drop(of_line).join(keys, on="line_id", how="left", maintain_order="left")
        events = pl.concat([events.filter(~adjusting), joined.select(events.columns)]).sort("ek")
    return Prepared(lines=lines, events=events, splits=splits, assign=assign,
                    files={n: str(p) for n, p in paths.items()}, hashes=hashes, line_files=line_files)


def _currency(f: pl.DataFrame, t: Table, header: str | None, currency: str, problems: Problems) -> None:
    if header is None:
        return
    bad = f["currency"].is_not_null() & (f["currency"].str.to_uppercase() != currency)
    problems.rows(f, bad.fill_null(False), t.file, header, "currency",
                  f"the policy's currency {currency} (mixed currencies need a rate; convert them in the source)")


def _duplicate_lines(lines: pl.DataFrame, files: dict[str, str], headers: dict[str, str], problems: Problems) -> None:
    if lines.is_empty():
        return
    ids = lines.filter(pl.col("line_id").is_not_null())
    if ids["line_id"].hash().n_unique() == ids.height:  # distinct hashes: distinct ids (10x cheaper than the texts)
        return
    dup = ids.filter(pl.col("line_id").is_duplicated()).sort("src", "row")
    first: dict[str, tuple[str, int]] = {}
    for line_id, src, row in dup.select("line_id", "src", "row").iter_rows():
        if line_id in first:
            f0, r0 = first[line_id]
            where = f"row {r0}" if f0 == src else f"{files[f0]} row {r0}"
            problems.add(files[src], row, headers[src], line_id, f"a unique line id; {where} has the same")
        else:
            first[line_id] = (src, row)


def _splits(definition: Definition, paths: dict[str, Path], encoding: str | None, hashes: dict[str, str],
            files: dict[str, str], problems: Problems) -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {"match_key": pl.String(), "person": pl.String(), "role": pl.String(),
                                      "share": pl.Decimal(9, 6), "row": pl.Int64()}
    sp = definition.splits
    if sp is None:
        return pl.DataFrame(schema=schema)
    t = _table(paths, "splits", {"match_key": sp.line, "person": sp.person, "share": sp.share, "role": sp.role},
               "splits", encoding)
    hashes["splits"], files["splits"] = t.sha256, t.file
    f = t.frame
    required(f, "match_key", t.file, sp.line, "the line id", problems)
    required(f, "person", t.file, sp.person, "the person", problems)
    share = shares(f, "share", t.file, sp.share, problems)
    role = f["role"].fill_null(OWNER) if sp.role else pl.Series("role", [OWNER] * f.height, dtype=pl.String)
    out = pl.DataFrame({"match_key": f["match_key"], "person": f["person"], "role": role, "share": share,
                        "row": f[ROW]}).filter(pl.col("match_key").is_not_null() & pl.col("person").is_not_null())
    duplicates(out, ["match_key", "role", "person"], t.file, sp.person, "person per line and role", problems, "row")
    shared = out.filter(pl.col("share").is_not_null())
    sums = shared.group_by("match_key", "role").agg(pl.col("share").sum().alias("total"))
    over = sums.filter((pl.col("total") != 1) if sp.exact else (pl.col("total") > 1))
    if over.height:  # the rows of the offending lines only (a list per line of millions costs seconds)
        rows = (shared.join(over.select("match_key", "role"), on=["match_key", "role"])
                .group_by("match_key", "role").agg(pl.col("row").sort().alias("rows")))
        over = over.join(rows, on=["match_key", "role"]).select("match_key", "role", "total", "rows")
    over = over.with_columns(pl.lit([], dtype=pl.List(pl.Int64)).alias("rows")) if not over.height else over
    over = over.sort(pl.col("rows").list.first())
    limit = "exactly 100%" if sp.exact else "at most 100%"
    for key, role, total, rows in over.iter_rows():
        problems.add(t.file, rows[0], sp.share, f"{total.normalize():f}",
                     f"shares of line {key!r} in role {role!r} summing to {limit}; rows {', '.join(map(str, rows))} "
                     f"sum to {(total * 100).normalize():f}%")
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
