"""The hierarchy flattened into a dated ancestor table, by bounded iteration -- no recursive SQL.

``ancestors(person, ancestor, depth, valid_from, valid_to)``: on every day of
``[valid_from, valid_to)``, ``ancestor`` is ``depth`` levels above
``person`` (1: the manager). Level k+1 joins level k to the assignments of
its ancestors on overlapping ranges and keeps the intersection, so a manager
moving mid-period splits the ranges of everyone below. The loop ends when
a level is empty; a person reached as their own ancestor is a cycle, reported
with the chain, the date and the assignment rows. Each level is one portable
statement (a join, ``GREATEST`` / ``LEAST``): the same on DuckDB and Spark.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

import polars as pl

from incentive.errors import UsageError


class Engine(Protocol):
    def materialize(self, table: str, sql: str) -> int: ...  # create ``table`` from ``sql``; its row count

    def query(self, sql: str) -> pl.DataFrame: ...


_FIRST = ("SELECT person, manager AS ancestor, 1 AS depth, valid_from, valid_to FROM assign "
          "WHERE manager IS NOT NULL")
_NEXT = ("SELECT f.person, m.manager AS ancestor, f.depth + 1 AS depth, "
         "GREATEST(f.valid_from, m.valid_from) AS valid_from, LEAST(f.valid_to, m.valid_to) AS valid_to "
         "FROM {prev} f JOIN assign m ON m.person = f.ancestor AND m.manager IS NOT NULL "
         "AND m.valid_from < f.valid_to AND f.valid_from < m.valid_to")


def flatten(engine: Engine, assign: pl.DataFrame, file: str, header: str = "manager") -> int:
    """Create ``ancestors`` on ``engine``; its depth (0 when nobody has a manager). ``UsageError`` on a cycle."""
    people = max(assign["person"].n_unique(), 1)
    levels: list[str] = []
    sql = _FIRST
    for depth in range(1, people + 2):
        table = f"ancestors_{depth}"
        if engine.materialize(table, sql) == 0:
            break
        levels.append(table)
        loop = engine.query(f"SELECT person, valid_from FROM {table} WHERE ancestor = person "
                            f"ORDER BY valid_from, person LIMIT 1")
        if loop.height:
            person, on = loop.row(0)
            raise UsageError(_cycle_message(assign, file, header, person, on))
        sql = _NEXT.format(prev=table)
    union = " UNION ALL ".join(f"SELECT * FROM {t}" for t in levels) or \
        "SELECT person, manager AS ancestor, 1 AS depth, valid_from, valid_to FROM assign WHERE 1 = 0"
    engine.materialize("ancestors", union)
    return len(levels)


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
