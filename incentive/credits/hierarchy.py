"""The hierarchy flattened into a dated ancestor table, in Python -- so no recursive SQL is needed.

``ancestors(person, ancestor, depth, valid_from, valid_to)``: on every day of
``[valid_from, valid_to)``, ``ancestor`` is ``depth`` levels above
``person`` (1: the manager). Level k+1 joins level k to the assignments of
its ancestors on overlapping ranges and keeps the intersection, so a manager
moving mid-period splits the ranges of everyone below. The loop ends when a
level is empty (at most one level per person: a longer chain must repeat
someone); a person reached as their own ancestor is a cycle, reported with
the chain, the date and the assignment rows.

Why in Python (polars) rather than as iterated SQL: an org table is small
(one row per person and move) next to the lines, it is the same on every
engine that way, and DuckDB planned the join of a level onto a handful of
directors as a slow range join. The engine receives the finished table.

``segments`` cuts each person's assigned time where anything above them
changes, so that the lines need one range join (to their person's segment)
and every roll-up after it is an equi-join on the segment's integer key.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from incentive.errors import UsageError

SCHEMA = {"person": pl.String, "ancestor": pl.String, "depth": pl.Int32, "valid_from": pl.Date, "valid_to": pl.Date}
SEGMENTS = {"seg": pl.Int64, "person": pl.String, "seg_from": pl.Date, "seg_to": pl.Date}
SEGMENT_ANCESTORS = {"seg": pl.Int64, "ancestor": pl.String, "depth": pl.Int32}


def ancestors(assign: pl.DataFrame, file: str, header: str = "manager") -> pl.DataFrame:
    """Every (person, ancestor, depth) with the dates it holds; ``UsageError`` on a cycle."""
    edges = assign.filter(pl.col("manager").is_not_null() & pl.col("person").is_not_null()).select(
        "person", "manager", "valid_from", "valid_to")
    level = edges.select("person", pl.col("manager").alias("ancestor"), pl.lit(1, dtype=pl.Int32).alias("depth"),
                         "valid_from", "valid_to")
    up = edges.rename({"person": "ancestor", "manager": "next", "valid_from": "f2", "valid_to": "t2"})
    levels = []
    for _ in range(assign["person"].n_unique() + 1):
        if level.is_empty():
            break
        loop = level.filter(pl.col("ancestor") == pl.col("person")).sort("valid_from", "person")
        if loop.height:
            raise UsageError(_cycle_message(assign, file, header, loop["person"][0], loop["valid_from"][0]))
        levels.append(level)
        level = (level.join(up, on="ancestor")
                 .filter((pl.col("f2") < pl.col("valid_to")) & (pl.col("valid_from") < pl.col("t2")))
                 .select("person", pl.col("next").alias("ancestor"), (pl.col("depth") + 1).alias("depth"),
                         pl.max_horizontal("valid_from", "f2").alias("valid_from"),
                         pl.min_horizontal("valid_to", "t2").alias("valid_to")))
    return pl.concat(levels) if levels else pl.DataFrame(schema=SCHEMA)


def _cycle_message(assign: pl.DataFrame, file: str, header: str, person: str, on: date) -> str:
    """The chain person -> manager -> ... -> person on the day ``on``, with each step's row."""
    today = assign.filter((pl.col("valid_from") <= on) & (pl.col("valid_to") > on))
    step = {p: (m, r) for p, m, r in today.select("person", "manager", "row").iter_rows()}
    chain, rows, here = [person], [], person
    while True:
        manager, row = step[here]
        rows.append(row)
        chain.append(manager)
        if manager == person or len(chain) > len(step) + 1:
            break
        here = manager
    return (f"{file}:{rows[0]}: column {header!r}: a hierarchy without cycles; on {on.isoformat()} "
            f"{' -> '.join(chain)} (rows {', '.join(map(str, rows))})")


def segments(assign: pl.DataFrame, tree: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(segments, segment_ancestors)``: each person's assigned time cut at every date where their assignment or
    any of their ancestors changes, and the ancestors (with depth) that hold for the whole of each segment.

    ``segments(seg, person, seg_from, seg_to)`` covers exactly the days a
    person is assigned (the assignments of one person never overlap:
    checked before), so a line whose person and date find no segment is a
    line of an unassigned person. ``seg`` numbers the segments in (person,
    date) order: the same tables for the same assignments, on any engine.
    """
    own = assign.filter(pl.col("person").is_not_null() & pl.col("valid_from").is_not_null()).select(
        "person", "valid_from", "valid_to")
    bounds = pl.concat([frame.select("person", pl.col(c).alias("day")) for frame in (own, tree.select(own.columns))
                        for c in ("valid_from", "valid_to")]).unique().sort("person", "day")
    cuts = bounds.with_columns(pl.col("day").shift(-1).over("person").alias("seg_to")).filter(
        pl.col("seg_to").is_not_null()).rename({"day": "seg_from"})
    held = (cuts.join(own, on="person")
            .filter((pl.col("valid_from") <= pl.col("seg_from")) & (pl.col("seg_to") <= pl.col("valid_to")))
            .select("person", "seg_from", "seg_to").sort("person", "seg_from")
            .with_row_index("seg").with_columns(pl.col("seg").cast(pl.Int64)))
    above = (held.join(tree, on="person")
             .filter((pl.col("valid_from") <= pl.col("seg_from")) & (pl.col("seg_to") <= pl.col("valid_to")))
             .select("seg", "ancestor", "depth").sort("seg", "depth"))
    return held.select(list(SEGMENTS)).cast(SEGMENTS), above.cast(SEGMENT_ANCESTORS)  # type: ignore[arg-type]
