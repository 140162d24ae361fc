"""The DuckDB engine: the compiled crediting SQL, embedded -- no server, one process (the default).

The staged source tables (``staged``) are read where they lie, as views of
``read_parquet``; small typed frames (the hierarchy) go in and results come
back through the Arrow C stream interface, no pyarrow needed: a frame is
registered as an object with only ``__arrow_c_stream__`` (DuckDB scans it
without converting it); a result is ``pl.DataFrame(relation)``.
DECIMAL(p, s) travels as Arrow decimal128(p, s) both ways, digit for digit,
whatever the versions; dates as dates.

The connection's threads default to the cores this process may use and
its memory limit to ``INCENTIVE_DUCKDB_MEMORY`` (e.g. ``2GB``) or else half
the machine's memory (DuckDB's own default, 80%, leaves too little for the
rest of the process). Its database is a file in a private temporary
directory (only a file's tables can be written out when memory is short),
removed on ``close`` with whatever DuckDB spilled there. Insertion order is
not kept (every result read has its own ORDER BY). All are settings of
this connection only: nothing is set process-wide.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import polars as pl

from incentive.credits import sql
from incentive.credits.dialect import DUCKDB
from incentive.credits.staged import Staged

__all__ = ["DuckEngine"]  # the engine-neutral ``credit`` and ``Credited`` live in ``credits.engine``


def _cores() -> int:
    """The cores this process may run on (a container's or a taskset's share, not the machine's)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except (AttributeError, OSError):
        return max(os.cpu_count() or 1, 1)


def _half_of_memory() -> str | None:
    """Half the machine's memory, for DuckDB (its own default, 80%, leaves too little for the frames it reads:
    they live in this process too); None where it cannot be read (DuckDB's default then)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, OSError, ValueError):
        return None
    return f"{max(total // 2 // 2**20, 256)}MB"


class _Stream:
    """A frame as nothing but an Arrow C stream: DuckDB scans it without pyarrow (a polars frame itself would be
    converted through pyarrow)."""

    def __init__(self, frame: pl.DataFrame):
        self.frame = frame

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self.frame.__arrow_c_stream__(requested_schema)


class DuckEngine:
    """One DuckDB connection, its database a private temporary file, with the run's tables."""

    dialect = DUCKDB

    def __init__(self, threads: int | None = None, memory_limit: str | None = None):
        import duckdb  # imported here: only ``incentive credit`` pays for it

        self._dir = tempfile.mkdtemp(prefix="incentive-credit-")
        os.chmod(self._dir, 0o700)
        limit = memory_limit or os.environ.get("INCENTIVE_DUCKDB_MEMORY") or _half_of_memory()
        # a database file of the run's own, not ``:memory:``: the tables of a run of 50 million lines are bigger
        # than the memory limit, and only a file's tables can be written out to make room
        self.con = duckdb.connect(os.path.join(self._dir, "run.duckdb"), config={"threads": threads or _cores(),
                                                      "temp_directory": os.path.join(self._dir, "spill")})
        self._run("SET enable_progress_bar = false")
        # every result the run reads is ordered by its own ORDER BY; keeping the insertion order as well would
        # hold whole tables in memory (the first thing to run out of memory at 50 million lines)
        self._run("SET preserve_insertion_order = false")
        if limit:  # beyond it DuckDB spills to the private temporary directory
            self._run("SET memory_limit = ?", [limit])

    def load(self, table: str, frame: pl.DataFrame) -> None:
        """``frame`` as the view ``table``: DuckDB scans the frame's own memory (exported anew for each scan),
        never a copy -- the frame must live as long as the engine (the caller holds it)."""
        self.con.register(sql.name(table), _Stream(frame))

    def load_staged(self, table: str, staged: Staged) -> None:
        """The staged table's files as the view ``table``: read by DuckDB where they lie, streamed."""
        if not staged.parts:
            self.load(table, pl.DataFrame(schema=staged.schema))
            return
        files = [str(p) for p in staged.parts]
        if any("'" in f for f in files):
            raise ValueError(f"not a path this process made: {files}")
        listed = ", ".join(f"'{f}'" for f in files)
        self._run(f"CREATE OR REPLACE VIEW {sql.name(table)} AS SELECT * FROM read_parquet([{listed}])")

    def __enter__(self) -> DuckEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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

    def copy_parquet(self, query: str, path: str) -> int:
        """DuckDB's own Parquet writer: streamed, the sort spilling beyond the memory limit, never a frame."""
        if "'" in path:
            raise ValueError(f"not a path this process made: {path!r}")
        self._run("SET preserve_insertion_order = true")  # COPY keeps the ORDER BY only with it on
        try:
            done = self._run(f"COPY ({query}) TO '{path}' (FORMAT parquet, COMPRESSION zstd)")
        finally:
            self._run("SET preserve_insertion_order = false")
        return int(done[0][0])

    def close(self) -> None:
        self.con.close()
        shutil.rmtree(self._dir, ignore_errors=True)
