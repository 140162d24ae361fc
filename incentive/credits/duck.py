"""Running the compiled crediting SQL on DuckDB, embedded: no server, one process.

Typed frames go in as Parquet files in a private temporary directory
(exact decimals and dates, no pyarrow needed) and results come back through
the Arrow C stream interface (``pl.DataFrame(relation)``): DECIMAL(p, s)
arrives as polars ``Decimal(p, s)``, digit for digit, whatever the versions.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from incentive.credits import sql
from incentive.credits.definition import Definition
from incentive.credits.hierarchy import ancestors
from incentive.credits.prepare import Prepared
from incentive.credits.values import Problems


class DuckEngine:
    """One in-memory DuckDB connection with the run's tables."""

    def __init__(self, threads: int | None = None, memory_limit: str | None = None):
        import duckdb  # imported here: only ``incentive credit`` pays for it

        self._dir = tempfile.mkdtemp(prefix="incentive-credit-")
        os.chmod(self._dir, 0o700)
        self.con = duckdb.connect(":memory:", config={"threads": threads or max(os.cpu_count() or 1, 1),
                                                      "temp_directory": os.path.join(self._dir, "spill")})
        self._run("SET enable_progress_bar = false")
        if memory_limit:  # beyond it DuckDB spills to the private temporary directory
            self._run("SET memory_limit = ?", [memory_limit])

    def load(self, table: str, frame: pl.DataFrame) -> None:
        path = os.path.join(self._dir, f"{sql.name(table)}.parquet")
        frame.write_parquet(path, compression="uncompressed", statistics=False)
        self._run(f"CREATE TABLE {table} AS SELECT * FROM read_parquet(?)", [path])
        os.unlink(path)

    def _run(self, statement: str, params: list | None = None) -> list:
        """Execute and fetch to the end (a DuckDB result left unfinished blocks the connection)."""
        return self.con.execute(statement, params or []).fetchall()

    def materialize(self, table: str, query: str) -> int:
        self._run(f"CREATE OR REPLACE TABLE {sql.name(table)} AS {query}")
        return int(self._run(f"SELECT COUNT(*) FROM {table}")[0][0])

    def view(self, table: str, query: str) -> None:
        """``table`` as a view: computed by whatever reads it, never stored."""
        self._run(f"CREATE OR REPLACE VIEW {sql.name(table)} AS {query}")

    def query(self, query: str) -> pl.DataFrame:
        return pl.DataFrame(self.con.sql(query))

    def close(self) -> None:
        self.con.close()
        shutil.rmtree(self._dir, ignore_errors=True)


@dataclass
class Credited:
    credits: pl.DataFrame  # the credit table of the period
    measures: pl.DataFrame  # person + one column per measure
    outside: int = 0  # events dated outside the period
    excluded: int = 0  # events in the period excluded by ``include``
    levels: int = 0  # depth of the hierarchy
    notes: list[str] = field(default_factory=list)


def rule_values(definition: Definition) -> pl.DataFrame:
    rows = sorted({(r.name, v) for r in definition.rules for v in r.values})
    return pl.DataFrame({"rule": [r for r, _ in rows], "value": [v for _, v in rows]},
                        schema={"rule": pl.String, "value": pl.String})


def credit(definition: Definition, data: Prepared, start: date, end: date, *, decimals: int, rounding: str,
           engine: DuckEngine | None = None, keep_credits: bool = True) -> Credited:
    """Credit the events of ``[start, end)``; ``UsageError`` for a person unknown or unassigned on a line's date.

    ``keep_credits=False`` never stores the credit table (a view the
    measures read; an empty frame comes back): for a run that needs the
    period table only, such as the benchmark.
    """
    own = engine is None
    eng = engine or DuckEngine()
    try:
        eng.load("lines", data.lines)
        eng.load("events", data.events)
        eng.load("splits", data.splits)
        eng.load("assign", data.assign)
        eng.load("rule_values", rule_values(definition))
        asg = definition.assignments
        tree = ancestors(data.assign, data.files.get("assignments", "assignments"),
                         asg.manager if asg and asg.manager else "manager")
        eng.load("ancestors", tree)
        levels = int(tree["depth"].max() or 0) if tree.height else 0  # type: ignore[arg-type]
        eng.materialize("direct", sql.direct_sql(definition, start, end, decimals, rounding))
        if asg is not None:
            _check_assigned(eng, definition, data)
        attributes = tuple(n for n, _ in asg.attributes) if asg else ()
        counts = eng.query(sql.counts_sql(definition, start, end)).row(0)
        if keep_credits:
            eng.materialize("credits", sql.credits_sql(decimals, attributes))
            credits = eng.query(f"SELECT * FROM credits ORDER BY {sql.CREDITS_ORDER}")
        else:  # the measures only: the credit table is streamed into them, never stored
            eng.view("credits", sql.credits_sql(decimals, attributes))
            credits = pl.DataFrame()
        measures = eng.query(sql.measures_sql(definition, decimals))
        return Credited(credits=credits, measures=measures, outside=int(counts[0] or 0), excluded=int(counts[1] or 0),
                        levels=levels)
    finally:
        if own:
            eng.close()


def _check_assigned(eng: DuckEngine, definition: Definition, data: Prepared) -> None:
    missing = eng.query(sql.UNASSIGNED)
    if missing.is_empty():
        return
    asg_file = data.files.get("assignments", "assignments")
    where = data.lines.select("line_id", "src", "row")
    rows = missing.unique(["line_id", "person"]).join(where, on="line_id", how="left").sort("src", "row", "person")
    problems = Problems()
    for line_id, person, line_date, known, src, row in rows.select(
            "line_id", "person", "line_date", "known", "src", "row").iter_rows():
        source = next(s for s in definition.lines if s.name == src)
        if known:
            expected = (f"a person assigned on the line's date {line_date.isoformat()} ({asg_file} has no range "
                        f"of {person!r} holding it; line {line_id!r})")
        else:
            expected = f"a person of {asg_file} (unknown person {person!r} on line {line_id!r})"
        problems.add(data.line_files[src], row, source.person or "person", person, expected)
    problems.raise_any()
