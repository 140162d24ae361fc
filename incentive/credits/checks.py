"""Bad-input rules across tables: adjustments of unknown lines, refunds beyond the line, lines nobody owns.

(Rules within one table are checked as it is read, in ``prepare``; the
rules that need the dated join -- a person unknown or not assigned on the
line's date -- run on the engine with the credits, in ``duck``.)
"""

from __future__ import annotations

import polars as pl

from incentive.credits.definition import Definition
from incentive.credits.prepare import Prepared
from incentive.credits.values import Problems


def check_links(definition: Definition, data: Prepared) -> None:
    """``UsageError`` listing every adjustment of an unknown line, every refund beyond its line, every ownerless line."""
    problems = Problems()
    lines = data.lines.select("line_id", "src", "line_date", "person", "match_key", "row")
    for adj in definition.adjustments:
        file = data.line_files[adj.name]
        ev = data.events.filter(pl.col("src") == adj.name)
        joined = ev.join(lines.rename({"row": "line_row", "src": "line_src"}), on="line_id", how="left")
        unknown = joined.filter(pl.col("line_row").is_null() | (pl.col("line_src") != adj.of))
        for line_id, row in unknown.select("line_id", "row").unique().sort("row").iter_rows():
            problems.add(file, row, adj.line, line_id, f"the id of a line of {data.line_files[adj.of]} "
                                                       f"({adj.kind} of an unknown line)")
        early = joined.filter(pl.col("event_date") < pl.col("line_date"))
        for line_id, when, line_date, row in early.select("line_id", "event_date", "line_date", "row").sort("row").iter_rows():
            problems.add(file, row, adj.date, when.isoformat(),
                         f"a date on or after its line's date {line_date.isoformat()} (line {line_id!r})")
        if adj.kind == "refund":
            _beyond(adj.name, adj.of, file, {a.name: a.column for a in adj.amounts}, data, problems)
    if definition.lines:
        ownerless = data.lines.filter(pl.col("person").is_null() & pl.col("line_id").is_not_null())
        keyed = data.splits.select("match_key").drop_nulls().unique()  # a frame: never millions of Python objects
        orphan = ownerless.join(keyed, on="match_key", how="anti")  # a null key matches nothing: the line is orphan
        for src, line_id, row in orphan.select("src", "line_id", "row").sort("src", "row").iter_rows():
            source = next(s for s in definition.lines if s.name == src)
            problems.add(data.line_files[src], row, source.person or source.id, "" if source.person else line_id,
                         "a person: the line has none and no split row names one")
    problems.raise_any()


def _beyond(name: str, of: str, file: str, headers: dict[str, str], data: Prepared, problems: Problems) -> None:
    """Refunds of one line and amount that add up to more than the line's amount."""
    ev = data.events
    original = ev.filter(pl.col("src") == of).select("line_id", "amount_name", pl.col("amount").alias("line_amount"))
    refunded = (ev.filter(pl.col("src") == name).group_by("line_id", "amount_name")
                .agg(pl.col("amount").sum().alias("refunded"), pl.col("row").sort().alias("rows")))
    over = refunded.join(original, on=["line_id", "amount_name"], how="inner").filter(
        pl.col("refunded") > pl.col("line_amount")).sort(pl.col("rows").list.first())
    for line_id, amount_name, total, rows, line_amount in over.select(
            "line_id", "amount_name", "refunded", "rows", "line_amount").iter_rows():
        problems.add(file, rows[-1], headers[amount_name], f"{total:f}",
                     f"refunds of line {line_id!r} of at most its {amount_name} {line_amount:f}; "
                     f"rows {', '.join(map(str, rows))} refund {total:f}")
