"""Crediting, engine-neutral: the same compiled SQL on DuckDB (default) or Spark.

An engine only loads typed frames as tables, runs statements and hands
results back as polars frames with exact decimals; the sequence of steps
and every line of SQL (``sql``) are the same on each. ``Dialect`` holds the
few spellings that differ; ``sql`` asks it for them, so a difference has one
place to live.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

import polars as pl

from incentive.credits import sql
from incentive.credits.definition import Definition, Measure
from incentive.credits.dialect import Dialect
from incentive.credits.hierarchy import ancestors, segments
from incentive.credits.prepare import Prepared
from incentive.credits.staged import Staged
from incentive.credits.values import Problems
from incentive.errors import UsageError

ENGINES = ("duckdb", "spark")




class Engine(Protocol):
    """Where the crediting SQL runs: tables in, statements, exact polars frames out."""

    dialect: Dialect

    def load(self, table: str, frame: pl.DataFrame) -> None:
        """``frame`` as table ``table``, types kept (decimals exact, dates as dates)."""

    def load_staged(self, table: str, staged: Staged) -> None:
        """A staged table (``staged``: Parquet files of one schema) as table ``table``, types kept."""

    def materialize(self, table: str, query: str) -> int:
        """``query`` computed once and kept as ``table``; its row count."""

    def view(self, table: str, query: str) -> None:
        """``query`` as ``table``, computed by whatever reads it, never stored."""

    def query(self, query: str) -> pl.DataFrame:
        """The rows of ``query``, in its ORDER BY, each column as its SQL type (DECIMAL(p, s) as polars Decimal(p, s))."""

    def copy_parquet(self, query: str, path: str) -> int:
        """The rows of ``query``, in its ORDER BY and with its types, written to the Parquet file ``path`` (a path
        this process made: no quote in it); their number. For results too big to hand back as one frame."""

    def close(self) -> None:
        """Free what the run holds (tables, temporary files); a shared session stays up."""


@dataclass
class Credited:
    credits: pl.DataFrame  # the credit table of the period (empty when written to ``credits_to``)
    measures: pl.DataFrame  # person + one column per measure
    outside: int = 0  # events dated outside the period
    excluded: int = 0  # events in the period excluded by ``include``
    levels: int = 0  # depth of the hierarchy
    notes: list[str] = field(default_factory=list)
    # clawback id -> the credits it recovers (``sql.recoveries_sql``), for the clawbacks asked for
    recoveries: dict[str, pl.DataFrame] = field(default_factory=dict)
    credit_rows: int = 0  # rows of the credit table (in ``credits``, or in the file of ``credits_to``)


@dataclass(frozen=True)
class Recovery:
    """What to pick out for a clawback: its refund sources and the basis measure they are counted in."""

    clawback: str
    refunds: tuple[str, ...]
    basis: Measure


def rule_values(definition: Definition) -> pl.DataFrame:
    rows = sorted({(r.name, v) for r in definition.rules for v in r.values})
    return pl.DataFrame({"rule": [r for r, _ in rows], "value": [v for _, v in rows]},
                        schema={"rule": pl.String, "value": pl.String})


def check_engine(name: str, *, spark_url: str | None = None) -> None:
    """``UsageError`` (what to install) when engine ``name`` cannot run here: checked before any source is read."""
    if name == "spark" and spark_url is not None and not spark_url.startswith("sc://"):
        raise UsageError(f"--spark-url {spark_url!r}: expected a Spark Connect URL such as sc://host:15002")
    if name == "spark" and spark_url is None:
        from incentive.credits.spark import available

        missing = available()
        if missing:
            raise UsageError(missing)


def open_engine(name: str = "duckdb", *, spark_url: str | None = None) -> Engine:
    """A new engine by name; ``UsageError`` when the Spark engine cannot run here (pyspark or Java missing)."""
    if name == "spark":
        from incentive.credits.spark import SparkEngine

        return SparkEngine(url=spark_url)
    if name != "duckdb":
        raise ValueError(f"unknown engine {name!r}; expected one of {', '.join(ENGINES)}")
    from incentive.credits.duck import DuckEngine

    return DuckEngine()


def credit(definition: Definition, data: Prepared, start: date, end: date, *, decimals: int, rounding: str,
           engine: Engine | None = None, keep_credits: bool = True, recoveries: tuple[Recovery, ...] = (),
           credits_to: Path | None = None) -> Credited:
    """Credit the events of ``[start, end)``; ``UsageError`` for a person unknown or unassigned on a line's date.

    ``engine=None`` runs on a fresh DuckDB connection (closed at the end); a
    given engine is left open for the caller. The measures are computed from
    the narrow ``direct`` and roll-up credits, never from the wide credit
    table; ``keep_credits=False`` never builds the credit table at all (an
    empty frame comes back): for a run that needs the period table only, such
    as the benchmark. ``credits_to``: the credit table is written to that
    Parquet file by the engine (``Engine.copy_parquet``) instead of coming
    back as a frame -- ``Credited.credit_rows`` says how many rows.
    """
    own = engine is None
    eng = engine if engine is not None else open_engine("duckdb")
    try:
        eng.load_staged("events", data.events)  # each event with its line's columns: the engine needs no lines table
        eng.load_staged("splits", data.splits)
        eng.load("assign", data.assign)
        eng.load("rule_values", rule_values(definition))
        asg = definition.assignments
        tree = ancestors(data.assign, data.files.get("assignments", "assignments"),
                         asg.manager if asg and asg.manager else "manager")
        segs, above = segments(data.assign, tree)
        eng.load("segments", segs)
        eng.load("segment_ancestors", above)
        levels = int(tree["depth"].max() or 0) if tree.height else 0  # type: ignore[arg-type]
        _direct(eng, definition, start, end, decimals, rounding)
        if asg is not None:
            _check_assigned(eng, definition, data)
        attributes = tuple(n for n, _ in asg.attributes) if asg else ()
        flags_staged = "flags" in eng.dialect.staged
        counts = eng.query(sql.counts_sql(definition, start, end, flags_staged=flags_staged)).row(0)
        if keep_credits:  # the roll-ups computed once: the credit table and the measures both read them
            eng.materialize("rolled", sql.rolled_sql(definition, decimals))
            ordered = f"SELECT * FROM ({sql.credits_sql(decimals, attributes)}) c ORDER BY {sql.CREDITS_ORDER}"
            if credits_to is not None:
                credits, credit_rows = pl.DataFrame(), eng.copy_parquet(ordered, str(credits_to))
            else:
                credits = eng.query(ordered)
                credit_rows = credits.height
            rolled = "rolled"
        else:  # the measures only: the roll-ups are streamed into them, never stored
            credits, credit_rows = pl.DataFrame(), 0
            rolled = f"({sql.rolled_sql(definition, decimals)})"
        measures = eng.query(sql.measures_sql(definition, decimals, rolled=rolled, start=start))
        recovered = {r.clawback: eng.query(sql.recoveries_sql(definition, r.refunds, r.basis, start, decimals,
                                                              flags_staged=flags_staged, rolled=rolled))
                     for r in recoveries}
        return Credited(credits=credits, measures=measures, outside=int(counts[0] or 0), excluded=int(counts[1] or 0),
                        levels=levels, recoveries=recovered, credit_rows=credit_rows)
    finally:
        if own:
            eng.close()


def _direct(eng: Engine, definition: Definition, start: date, end: date, decimals: int, rounding: str) -> None:
    """The ``direct`` table; the dialect's staged steps first, each once, the others as CTEs of what reads them."""
    steps = sql.direct_steps(definition, start, end, decimals, rounding)
    if not eng.dialect.staged:
        eng.materialize("direct", sql.direct_sql(definition, start, end, decimals, rounding))
        return
    pending: list[tuple[str, str]] = []  # steps not kept: carried along as CTEs
    for name, body in steps:
        if name in eng.dialect.staged or name == "direct":
            eng.materialize(name, sql.with_clause(pending) + body)
        else:
            pending.append((name, body))


def _check_assigned(eng: Engine, definition: Definition, data: Prepared) -> None:
    if not eng.query(sql.ANY_UNASSIGNED).height:  # the common case, a scan of one column: nothing to report
        return
    missing = eng.query(sql.UNASSIGNED)
    asg_file = data.files.get("assignments", "assignments")
    ids = missing["line_id"].unique().implode()
    where = data.lines.lazy().filter(pl.col("line_id").is_in(ids)).select("line_id", "src", "row").collect()
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
